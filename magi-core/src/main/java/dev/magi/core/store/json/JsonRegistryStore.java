package dev.magi.core.store.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.json.RegistryJson;
import dev.magi.core.profile.ProfileDirectory;
import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code json} store: profiles as YAML files in {@code PROFILES_PATH} (the seed's layout) and
 * the registry in one JSON file, replaced atomically on every save, with the
 * previous version kept as {@code .bak}. A file that cannot be parsed at start is moved aside (never
 * deleted), logged at ERROR, and the last good copy is used when there is one.
 */
public final class JsonRegistryStore implements RegistryStore {
    private static final Logger LOG = LoggerFactory.getLogger(JsonRegistryStore.class);

    private final Path registryPath;
    private final ProfileDirectory profiles;
    private final ObjectMapper mapper = RegistryJson.newMapper();
    private final JsonFactory factory = mapper.getFactory();

    public JsonRegistryStore(Path registryPath, Path profilesPath) {
        this.registryPath = registryPath;
        this.profiles = new ProfileDirectory(profilesPath);
    }

    public Path registryPath() {
        return registryPath;
    }

    @Override
    public Optional<RegistrySnapshot> loadRegistry() {
        Optional<RegistrySnapshot> main = readOrMoveAside(registryPath);
        if (main.isPresent()) {
            return main;
        }
        Path backup = AtomicFiles.backupOf(registryPath);
        Optional<RegistrySnapshot> previous = readOrMoveAside(backup);
        previous.ifPresent(r -> LOG.warn("Registry restored from the last good copy {}", backup));
        return previous;
    }

    private Optional<RegistrySnapshot> readOrMoveAside(Path file) {
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = mapper.readTree(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return moveAside(file, e.getMessage());
        }
        try {
            if (root == null) {
                return moveAside(file, "the file is empty");
            }
            return Optional.of(RegistryJson.readRegistry(root));
        } catch (RuntimeException e) {
            return moveAside(file, e.getMessage());
        }
    }

    private Optional<RegistrySnapshot> moveAside(Path file, String reason) {
        try {
            Path aside = AtomicFiles.moveAside(file);
            LOG.error("Registry file {} cannot be read ({}); it was moved to {} and the registry is rebuilt",
                    file, reason, aside);
        } catch (IOException e) {
            LOG.error("Registry file {} cannot be read ({}) and could not be moved aside: {}", file, reason,
                    e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void saveRegistry(RegistrySnapshot registry) {
        try {
            AtomicFiles.writeKeepingBackup(registryPath, out -> {
                try (JsonGenerator gen = factory.createGenerator(out)) {
                    gen.useDefaultPrettyPrinter();
                    RegistryJson.writeRegistry(registry, gen);
                }
            });
        } catch (IOException e) {
            throw new MagiException(ErrorCode.STORAGE_FAILED,
                    "Cannot save the registry to " + registryPath + ": " + e.getMessage(),
                    Map.of("path", registryPath.toString()), e);
        }
    }

    @Override
    public List<String> profileNames() {
        return profiles.names();
    }

    @Override
    public Optional<ModelProfile> loadProfile(String name) {
        return profiles.load(name);
    }

    @Override
    public void saveProfile(ModelProfile profile) {
        profiles.save(profile);
    }

    @Override
    public boolean deleteProfile(String name) {
        return profiles.delete(name);
    }

    @Override
    public Optional<String> loadActiveProfile() {
        return profiles.loadActive();
    }

    @Override
    public void saveActiveProfile(String name) {
        profiles.saveActive(name);
    }

}

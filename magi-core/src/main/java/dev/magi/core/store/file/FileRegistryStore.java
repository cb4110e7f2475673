package dev.magi.core.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.json.RegistryJson;
import dev.magi.core.profile.format.ProfileDirectory;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A store that keeps the registry in one file and the profiles as YAML files in a directory (the
 * seed's layout); subclasses choose the file's {@link RegistryFormat}.
 *
 * <p>The registry file is replaced atomically on every save ({@link AtomicFiles#writeKeepingBackup}),
 * so a crash leaves the old or the new file, never a torn one, and the previous version is kept as
 * {@code NAME.bak}. A file that cannot be read at start is moved aside (never deleted), logged at
 * ERROR, and the last good copy is used when there is one; otherwise the store answers no registry
 * and MAGI rebuilds it by a rescan. A registry path that is there but is not a regular file (a FIFO,
 * a directory) is refused with {@link ErrorCode#STORAGE_FAILED}.
 */
public abstract class FileRegistryStore implements RegistryStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileRegistryStore.class);

    private final Path registryPath;
    private final ProfileDirectory profiles;
    private final RegistryFormat format;
    private final AtomicBoolean cleaned = new AtomicBoolean();

    protected FileRegistryStore(Path registryPath, Path profilesPath, RegistryFormat format) {
        this.registryPath = registryPath.toAbsolutePath();
        this.profiles = new ProfileDirectory(profilesPath);
        this.format = Objects.requireNonNull(format, "format");
    }

    /** The registry file. */
    public Path registryPath() {
        return registryPath;
    }

    /** The directory of the profile files. */
    public Path profilesPath() {
        return profiles.directory();
    }

    @Override
    public Optional<RegistrySnapshot> loadRegistry() {
        if (cleaned.compareAndSet(false, true)) {
            removeStaleTemporaries();
        }
        Optional<RegistrySnapshot> main = readOrMoveAside(registryPath);
        if (main.isPresent()) {
            return main;
        }
        Path backup = AtomicFiles.backupOf(registryPath);
        Optional<RegistrySnapshot> previous = readOrMoveAside(backup);
        previous.ifPresent(r -> LOG.warn("Registry restored from the last good copy {}", backup));
        return previous;
    }

    /**
     * Every save killed mid-way (SIGKILL, power cut) leaves its temporary file behind; the first load,
     * at start, removes those of this store's own files before any save of this run can make new ones.
     */
    private void removeStaleTemporaries() {
        String registryName = registryPath.getFileName().toString();
        int removed;
        try {
            removed = AtomicFiles.removeStaleTemporaries(registryPath.getParent(),
                    registryName::equals);
        } catch (IOException e) {
            LOG.warn("Cannot look for stale temporary files beside {}: {}", registryPath, AtomicFiles.describe(e));
            removed = 0;
        }
        try {
            removed += profiles.removeStaleTemporaries();
        } catch (MagiException e) {
            LOG.warn("{}", e.getMessage());
        }
        if (removed > 0) {
            LOG.info("Removed {} stale temporary file(s) left by interrupted saves beside {} and in {}", removed,
                    registryPath, profiles.directory());
        }
    }

    private Optional<RegistrySnapshot> readOrMoveAside(Path file) {
        // Opening a FIFO for reading blocks until a writer comes, which would hang the start without a
        // word; a directory or device is no registry either, and is not ours to move aside.
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new MagiException(ErrorCode.STORAGE_FAILED, "Registry file " + file
                    + " is not a regular file; remove it or choose another REGISTRY_PATH",
                    Map.of("path", file.toString()));
        }
        JsonNode root;
        try (InputStream in = Files.newInputStream(file)) {
            root = format.read(in);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            return moveAside(file, e.getMessage());
        }
        try {
            if (root == null || root.isMissingNode()) {
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
            LOG.error("Registry file {} cannot be read as {} ({}); it was moved to {} and the registry is rebuilt",
                    file, format.name(), reason, aside);
        } catch (IOException e) {
            LOG.error("Registry file {} cannot be read as {} ({}) and could not be moved aside: {}", file,
                    format.name(), reason, e.getMessage());
        }
        return Optional.empty();
    }

    @Override
    public void saveRegistry(RegistrySnapshot registry) {
        try {
            AtomicFiles.writeKeepingBackup(registryPath, out -> format.write(registry, out));
        } catch (IOException e) {
            throw new MagiException(ErrorCode.STORAGE_FAILED,
                    "Cannot save the registry to " + registryPath + ": " + AtomicFiles.describe(e),
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

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + registryPath + "]";
    }
}

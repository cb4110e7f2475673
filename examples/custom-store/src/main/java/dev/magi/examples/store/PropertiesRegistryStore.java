package dev.magi.examples.store;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Everything in one properties file, read once when the store opens and kept in memory as one
 * immutable {@link Contents}; every change writes a whole new file and then swaps the contents.
 *
 * <p>What the SPI asks of a store, and how this one keeps it:
 * <ul>
 *   <li><b>durable before it returns</b>: the new file is written beside the old one, forced to disk,
 *       renamed over it atomically, and the rename itself forced by syncing the directory;</li>
 *   <li><b>never torn</b>: a crash before the rename leaves the old file, after it the new one;</li>
 *   <li><b>reads beside a write</b>: readers see the contents before or after a change, never during,
 *       because the field holding them is replaced, never modified;</li>
 *   <li><b>profile names checked before anything is touched</b>, with the SPI's own validation.</li>
 * </ul>
 */
public final class PropertiesRegistryStore implements RegistryStore {

    /** The store's whole data at one time. */
    record Contents(RegistrySnapshot registry, Map<String, ModelProfile> profiles, String activeProfile) {
        Contents {
            profiles = Map.copyOf(profiles);
        }

        static final Contents EMPTY = new Contents(null, Map.of(), null);
    }

    private final Path file;
    /** MAGI serialises writes already; this keeps a direct caller's two changes from losing one. */
    private final Object writeLock = new Object();
    private volatile Contents contents;

    private PropertiesRegistryStore(Path file, Contents contents) {
        this.file = file;
        this.contents = contents;
    }

    /**
     * Opens the store kept in {@code file}; a file that does not exist yet is an empty store.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} when the file cannot be read or understood
     */
    public static PropertiesRegistryStore open(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            return new PropertiesRegistryStore(file, Contents.EMPTY);
        } catch (IOException e) {
            throw failure("Cannot read " + file, e);
        }
        try {
            return new PropertiesRegistryStore(file, PropertiesCodec.decode(properties));
        } catch (RuntimeException e) {
            throw failure("Cannot understand " + file + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public Optional<RegistrySnapshot> loadRegistry() {
        return Optional.ofNullable(contents.registry());
    }

    @Override
    public void saveRegistry(RegistrySnapshot registry) {
        change(c -> new Contents(registry, c.profiles(), c.activeProfile()));
    }

    @Override
    public List<String> profileNames() {
        return List.copyOf(new TreeMap<>(contents.profiles()).keySet());
    }

    @Override
    public Optional<ModelProfile> loadProfile(String name) {
        ModelProfile.requireValidName(name);
        return Optional.ofNullable(contents.profiles().get(name));
    }

    @Override
    public void saveProfile(ModelProfile profile) {
        change(c -> {
            Map<String, ModelProfile> profiles = new TreeMap<>(c.profiles());
            profiles.put(profile.name(), profile);
            return new Contents(c.registry(), profiles, c.activeProfile());
        });
    }

    @Override
    public boolean deleteProfile(String name) {
        ModelProfile.requireValidName(name);
        synchronized (writeLock) {
            if (!contents.profiles().containsKey(name)) {
                return false;
            }
            change(c -> {
                Map<String, ModelProfile> profiles = new TreeMap<>(c.profiles());
                profiles.remove(name);
                return new Contents(c.registry(), profiles, c.activeProfile());
            });
            return true;
        }
    }

    @Override
    public Optional<String> loadActiveProfile() {
        return Optional.ofNullable(contents.activeProfile());
    }

    @Override
    public void saveActiveProfile(String name) {
        if (name != null) {
            ModelProfile.requireValidName(name);
        }
        change(c -> new Contents(c.registry(), c.profiles(), name));
    }

    private void change(UnaryOperator<Contents> edit) {
        synchronized (writeLock) {
            Contents next = edit.apply(contents);
            write(PropertiesCodec.encode(next));
            contents = next;
        }
    }

    private void write(Properties properties) {
        Path dir = file.getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            temp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                // store(OutputStream) writes ISO-8859-1 with \\u escapes: any text survives, control characters too.
                properties.store(out, "MAGI registry and profiles (the properties store)");
                out.flush();
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw failure("Cannot write " + file, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The failure being reported matters more than a leftover temporary file.
                }
            }
        }
    }

    /** Makes the rename durable: on Linux a rename reaches the disk when its directory is synced. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some systems (Windows) cannot open a directory; their rename is durable on its own.
        }
    }

    private static MagiException failure(String message, Exception cause) {
        return new MagiException(ErrorCode.STORAGE_FAILED, message, Map.of(), cause);
    }

    @Override
    public String toString() {
        return "PropertiesRegistryStore[" + file + "]";
    }
}

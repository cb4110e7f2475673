package dev.magi.spi;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Keeps the registry and the profiles. Opened by a {@link StoreProvider}; MAGI serialises writes, so
 * an implementation sees one write at a time, but reads may run beside a write.
 *
 * <p>Durability: every save is on stable storage when the method returns, and a crash at any instant
 * leaves either the old or the new content, never a mix.
 */
public interface RegistryStore extends AutoCloseable {

    /** The saved registry, or empty when this store holds none yet (then MAGI scans). */
    Optional<RegistrySnapshot> loadRegistry();

    /** Replaces the saved registry. */
    void saveRegistry(RegistrySnapshot registry);

    /**
     * The number of the registry's latest save, for a store that several MAGI nodes can share: it
     * changes with every save, by this node or another, so a node that finds another number than the
     * one it holds loads the registry again. MAGI asks before each change and about once a second in
     * between. Empty, as by default, for a store that one MAGI has to itself.
     */
    default OptionalLong registryVersion() {
        return OptionalLong.empty();
    }

    /**
     * Replaces the saved registry only if its latest save is still {@code expectedVersion} (see
     * {@link #registryVersion()}), and answers the number of this save. The default, for stores
     * without versions, saves and answers {@code expectedVersion}.
     *
     * @throws RegistryConflictException when another node saved the registry since; nothing is saved
     */
    default long saveRegistry(RegistrySnapshot registry, long expectedVersion) {
        saveRegistry(registry);
        return expectedVersion;
    }

    /** Names of the saved profiles, sorted. */
    List<String> profileNames();

    /** The profile called {@code name}, or empty. */
    Optional<ModelProfile> loadProfile(String name);

    /** Creates or replaces the profile of the same name. */
    void saveProfile(ModelProfile profile);

    /** Deletes a profile; answers whether it existed. */
    boolean deleteProfile(String name);

    /** The name of the active profile, or empty when none is active. */
    default Optional<String> loadActiveProfile() {
        return Optional.empty();
    }

    /** Records the active profile; null clears it. */
    default void saveActiveProfile(String name) {
    }

    /** Releases files, connections and locks. Further calls are not allowed. */
    @Override
    default void close() {
    }
}

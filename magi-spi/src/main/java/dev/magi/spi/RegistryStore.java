package dev.magi.spi;

import java.util.List;
import java.util.Optional;

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

package dev.magi.spi;

/**
 * Opens a {@link RegistryStore}. Found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.magi.spi.StoreProvider}) and chosen by {@link #name()} through
 * {@code MAGI_STORE}; built in are {@code json}, {@code yaml} and {@code h2}.
 */
public interface StoreProvider {

    /** The name users select this store by; lower case, unique among plugins. */
    String name();

    /**
     * Opens the store.
     *
     * @param settings the configuration; a store reads at least {@code REGISTRY_PATH} and
     *                 {@code PROFILES_PATH} (already resolved to absolute paths) and may read its own keys
     * @throws MagiException with {@link ErrorCode#STORAGE_FAILED} when it cannot be opened
     */
    RegistryStore open(Settings settings);

    /**
     * Opens the store to copy from it ({@code magi migrate}), as it is: data that cannot be read is an
     * error naming what is damaged, and is never moved aside, repaired or replaced by empty data, as
     * {@link #open} may do so that MAGI starts. A store that changes nothing when it opens need not
     * override this; the default is {@link #open}.
     *
     * @param settings as for {@link #open}
     * @throws MagiException with {@link ErrorCode#STORAGE_FAILED} when it cannot be opened or is damaged
     */
    default RegistryStore openAsFound(Settings settings) {
        return open(settings);
    }
}

package dev.magi.core.store.h2;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;

import java.nio.file.Path;
import java.util.Map;

/**
 * The built-in {@code h2} store: registry and profiles in an H2 database, by default an embedded one
 * beside {@code REGISTRY_PATH} ({@code magi.mv.db} in that file's directory), or the database of
 * {@code MAGI_H2_URL}, which may be a server ({@code jdbc:h2:tcp://host/path}) shared by several MAGI
 * nodes. A damaged embedded database is moved aside and started afresh, as the file stores do with
 * a damaged registry file; a database named by {@code MAGI_H2_URL} is the operator's, and is never
 * moved.
 */
public final class H2StoreProvider implements StoreProvider {
    public static final String NAME = "h2";

    /** The base name of the embedded database: H2 adds {@code .mv.db}. */
    public static final String DATABASE_NAME = "magi";

    /** What H2 adds to {@link #DATABASE_NAME} for the file of an embedded database. */
    static final String DATABASE_SUFFIX = ".mv.db";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RegistryStore open(Settings settings) {
        return open(settings, true);
    }

    /** A damaged embedded database is reported and left where it is, for its owner to restore. */
    @Override
    public RegistryStore openAsFound(Settings settings) {
        return open(settings, false);
    }

    private static RegistryStore open(Settings settings, boolean moveDamagedAside) {
        String url = settings.get(ConfigKey.H2_URL.variable(), null);
        if (url == null) {
            Path registry = Path.of(settings.get(ConfigKey.REGISTRY_PATH.variable(),
                    ConfigKey.REGISTRY_PATH.defaultValue()));
            Path directory = registry.toAbsolutePath().getParent();
            Path file = directory.resolve(DATABASE_NAME + DATABASE_SUFFIX);
            return moveDamagedAside ? H2RegistryStore.openOrMoveAside(defaultUrl(directory), file)
                    : H2RegistryStore.openOrReportDamage(defaultUrl(directory), file);
        } else if (!url.strip().startsWith("jdbc:h2:")) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION,
                    ConfigKey.H2_URL.variable() + " must be an H2 JDBC URL starting with jdbc:h2:, such as"
                            + " jdbc:h2:tcp://localhost/~/magi",
                    Map.of("setting", ConfigKey.H2_URL.variable()));
        }
        return H2RegistryStore.open(url.strip());
    }

    /** The embedded database kept in {@code directory}. */
    public static String defaultUrl(Path directory) {
        String path = directory.resolve(DATABASE_NAME).toString();
        if (path.indexOf(';') >= 0) {
            // H2 reads ';' as the start of its settings and has no way to escape it in a path.
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION,
                    "The h2 store cannot keep its database in " + directory + " because the path contains ';';"
                            + " choose another REGISTRY_PATH or set " + ConfigKey.H2_URL.variable(),
                    Map.of("setting", ConfigKey.REGISTRY_PATH.variable()));
        }
        return "jdbc:h2:file:" + path;
    }
}

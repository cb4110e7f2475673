package dev.magi.spi.launch;

/**
 * Opens a {@link Launcher}. Found with {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.magi.spi.launch.LauncherProvider}) and chosen by {@link #name()}
 * through {@code MAGI_LAUNCHER} ({@code --launcher}); the built-in one is {@code local}. An unknown
 * name stops MAGI's start with the list of the names available.
 *
 * <p>Implementations need a public no-argument constructor.
 */
public interface LauncherProvider {

    /** The name users select this launcher by; lower case, unique among plugins. */
    String name();

    /**
     * Opens the launcher, once per MAGI engine.
     *
     * @throws dev.magi.spi.MagiException with {@link dev.magi.spi.ErrorCode#INVALID_CONFIGURATION}
     *                                    when its settings are wrong or what it needs is missing
     */
    Launcher open(LauncherContext context);
}

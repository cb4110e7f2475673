package dev.magi.core.plugin;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Finds plugins with {@link ServiceLoader} on the class path and in the jars of the plugins
 * directory, and picks one by name. Plugins are chosen explicitly: being on the class path never
 * makes a plugin active, and an unknown name stops the start with the list of names available.
 */
public final class PluginLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PluginLoader.class);

    private final ClassLoader classLoader;

    private PluginLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /**
     * A loader over {@code parent} plus every {@code *.jar} directly inside {@code pluginsDir}
     * (which may be null).
     */
    public static PluginLoader create(ClassLoader parent, Path pluginsDir) {
        if (pluginsDir == null) {
            return new PluginLoader(parent);
        }
        if (!Files.isDirectory(pluginsDir)) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION,
                    "Plugins directory " + pluginsDir + " does not exist or is not a directory",
                    Map.of("setting", ConfigKey.PLUGINS_DIR.variable()));
        }
        List<URL> jars = new ArrayList<>();
        try (Stream<Path> files = Files.list(pluginsDir)) {
            for (Path jar : (Iterable<Path>) files.sorted()::iterator) {
                if (jar.getFileName().toString().endsWith(".jar") && Files.isRegularFile(jar)) {
                    jars.add(jar.toUri().toURL());
                    LOG.info("Plugin jar {}", jar);
                }
            }
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list plugins directory " + pluginsDir, e);
        }
        return new PluginLoader(new URLClassLoader("magi-plugins", jars.toArray(URL[]::new), parent));
    }

    /** Every plugin of {@code type} found, by name. A broken plugin is logged and left out. */
    public <T> Map<String, T> available(Class<T> type, Function<T, String> nameOf) {
        Map<String, T> byName = new TreeMap<>();
        ServiceLoader<T> loader = ServiceLoader.load(type, classLoader);
        var iterator = loader.iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                T plugin = iterator.next();
                String name = nameOf.apply(plugin);
                T previous = byName.putIfAbsent(name, plugin);
                if (previous != null && previous.getClass() != plugin.getClass()) {
                    LOG.warn("Two {} plugins are named '{}': {} is used, {} is ignored", type.getSimpleName(), name,
                            previous.getClass().getName(), plugin.getClass().getName());
                }
            } catch (ServiceConfigurationError e) {
                LOG.error("A {} plugin could not be loaded and is left out: {}", type.getSimpleName(), e.getMessage());
            }
        }
        return byName;
    }

    /**
     * The plugin of {@code type} called {@code name}.
     *
     * @throws MagiException {@link ErrorCode#INVALID_CONFIGURATION} naming the plugins available
     */
    public <T> T choose(Class<T> type, Function<T, String> nameOf, String name, String setting) {
        Map<String, T> available = available(type, nameOf);
        T plugin = available.get(name);
        if (plugin == null) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION,
                    "Unknown " + describe(type) + " '" + name + "' (" + setting + "); available: "
                            + String.join(", ", available.keySet()),
                    Map.of("setting", setting, "available", List.copyOf(available.keySet())));
        }
        return plugin;
    }

    private static String describe(Class<?> type) {
        return type.getSimpleName().replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
    }
}

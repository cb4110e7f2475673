package dev.magi.testkit;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finds plugins as MAGI finds them: with {@link ServiceLoader}, by the name each one gives itself,
 * the first one found winning a name. A test that finds its plugin here has listed it in the right
 * {@code META-INF/services} file under the name users will type.
 */
public final class Plugins {
    private Plugins() {
    }

    /**
     * Every plugin of {@code type} that {@code classLoader} sees, by name. A plugin that cannot be
     * loaded fails the lookup with {@link java.util.ServiceConfigurationError}: in a test that is the
     * failure to see, not a plugin to skip.
     */
    public static <T> Map<String, T> byName(Class<T> type, ClassLoader classLoader, Function<T, String> nameOf) {
        Map<String, T> byName = new TreeMap<>();
        for (T plugin : ServiceLoader.load(type, classLoader)) {
            byName.putIfAbsent(nameOf.apply(plugin), plugin);
        }
        return byName;
    }
}

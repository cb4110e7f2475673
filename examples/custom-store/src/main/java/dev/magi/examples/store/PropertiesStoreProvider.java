package dev.magi.examples.store;

import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code properties} store, chosen with {@code --store properties}. Its file is {@code
 * MAGI_PROPERTIES_FILE} when set (a key of this plugin's own: settings pass every key through), else
 * the registry path with {@code .properties} for {@code .json}: {@code data/model_registry.properties}
 * by default, so it never reads the files of the built-in stores.
 */
public final class PropertiesStoreProvider implements StoreProvider {
    public static final String NAME = "properties";

    /** This plugin's own setting: where the file is. */
    public static final String FILE_KEY = "MAGI_PROPERTIES_FILE";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RegistryStore open(Settings settings) {
        String file = settings.get(FILE_KEY, null);
        Path path = file != null ? Path.of(file)
                : beside(Path.of(settings.get("REGISTRY_PATH", "data/model_registry.json")));
        return PropertiesRegistryStore.open(path.toAbsolutePath());
    }

    private static Path beside(Path registryPath) {
        String name = registryPath.getFileName().toString();
        String base = name.toLowerCase(Locale.ROOT).endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return registryPath.resolveSibling(base + ".properties");
    }
}

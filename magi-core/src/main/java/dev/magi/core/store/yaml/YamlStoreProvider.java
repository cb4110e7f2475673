package dev.magi.core.store.yaml;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The built-in {@code yaml} store: the registry as YAML beside {@code REGISTRY_PATH}, named like it
 * with {@code .yaml} for {@code .json} ({@code data/model_registry.yaml} by default), so that the
 * {@code json} and {@code yaml} stores never read each other's file.
 */
public final class YamlStoreProvider implements StoreProvider {
    public static final String NAME = "yaml";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RegistryStore open(Settings settings) {
        Path registry = Path.of(settings.get(ConfigKey.REGISTRY_PATH.variable(), ConfigKey.REGISTRY_PATH.defaultValue()));
        Path profiles = Path.of(settings.get(ConfigKey.PROFILES_PATH.variable(), ConfigKey.PROFILES_PATH.defaultValue()));
        return new YamlRegistryStore(yamlFileFor(registry.toAbsolutePath()), profiles.toAbsolutePath());
    }

    /** {@code model_registry.json} becomes {@code model_registry.yaml}; any other name gets {@code .yaml} appended. */
    public static Path yamlFileFor(Path registryPath) {
        String name = registryPath.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            return registryPath;
        }
        String base = lower.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return registryPath.resolveSibling(base + ".yaml");
    }
}

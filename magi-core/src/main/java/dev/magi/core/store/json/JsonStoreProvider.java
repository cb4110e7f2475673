package dev.magi.core.store.json;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;

import java.nio.file.Path;

/** The built-in {@code json} store: the registry as one JSON file at {@code REGISTRY_PATH}. */
public final class JsonStoreProvider implements StoreProvider {
    public static final String NAME = "json";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public RegistryStore open(Settings settings) {
        Path registry = Path.of(settings.get(ConfigKey.REGISTRY_PATH.variable(), ConfigKey.REGISTRY_PATH.defaultValue()));
        Path profiles = Path.of(settings.get(ConfigKey.PROFILES_PATH.variable(), ConfigKey.PROFILES_PATH.defaultValue()));
        return new JsonRegistryStore(registry.toAbsolutePath(), profiles.toAbsolutePath());
    }
}

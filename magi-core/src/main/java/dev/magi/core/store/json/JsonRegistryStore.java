package dev.magi.core.store.json;

import dev.magi.core.store.file.FileRegistryStore;
import dev.magi.core.store.file.RegistryFormat;

import java.nio.file.Path;

/**
 * The {@code json} store: profiles as YAML files in {@code PROFILES_PATH} (the seed's layout) and
 * the registry in one JSON file, replaced atomically on every save, with the previous version kept as
 * {@code .bak}. A file that cannot be parsed at start is moved aside (never deleted), logged at ERROR,
 * and the last good copy is used when there is one.
 */
public final class JsonRegistryStore extends FileRegistryStore {

    public JsonRegistryStore(Path registryPath, Path profilesPath) {
        super(registryPath, profilesPath, RegistryFormat.json());
    }
}

package dev.magi.core.store.yaml;

import dev.magi.core.store.file.FileRegistryStore;
import dev.magi.core.store.file.RegistryFormat;

import java.nio.file.Path;

/**
 * The {@code yaml} store: the registry as one YAML file of the same content and shape as the
 * {@code json} store's file, with the same atomic replacement, {@code .bak} copy and handling of a
 * damaged file, and the same profile files.
 */
public final class YamlRegistryStore extends FileRegistryStore {

    public YamlRegistryStore(Path registryPath, Path profilesPath) {
        super(registryPath, profilesPath, RegistryFormat.yaml());
    }
}

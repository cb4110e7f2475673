/**
 * The built-in {@code yaml} store: the registry as a YAML file beside {@code REGISTRY_PATH}, written and
 * read through the same code as the {@code json} store's file (see {@link dev.magi.core.store.file}),
 * and the profiles as YAML files in {@code PROFILES_PATH}.
 */
package dev.magi.core.store.yaml;

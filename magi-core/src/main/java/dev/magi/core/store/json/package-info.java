/** The built-in {@code json} store: the registry as one crash-safe JSON file at {@code REGISTRY_PATH}. */
package dev.magi.core.store.json;

/**
 * What the file stores ({@code json}, {@code yaml}) share: the registry in one file replaced
 * atomically with a {@code .bak} copy of the previous version, a damaged file moved aside and the last
 * good copy used, and the profiles as YAML files. The file's format is a {@link
 * dev.magi.core.store.file.RegistryFormat}, the only part that differs between the stores.
 *
 * <p><b>Internal.</b> The built-in stores are chosen by name ({@code MAGI_STORE}, {@code --store}), never referred to by
 * type; a store of one's own implements {@link dev.magi.spi.StoreProvider}. Its public types are
 * public only so MAGI's own packages and modules can share them; they are not an API and may change
 * in any release.
 */
package dev.magi.core.store.file;

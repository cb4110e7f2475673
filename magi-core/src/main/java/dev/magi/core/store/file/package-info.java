/**
 * What the file stores ({@code json}, {@code yaml}) share: the registry in one file replaced
 * atomically with a {@code .bak} copy of the previous version, a damaged file moved aside and the last
 * good copy used, and the profiles as YAML files. The file's format is a {@link
 * dev.magi.core.store.file.RegistryFormat}, the only part that differs between the stores.
 */
package dev.magi.core.store.file;

/**
 * A storage plugin: the {@code properties} store keeps the registry, the profiles and the active
 * profile in one {@code .properties} file, replaced whole and atomically on every change. {@link
 * dev.magi.examples.store.PropertiesStoreProvider} is listed in {@code
 * META-INF/services/dev.magi.spi.StoreProvider}; {@link dev.magi.examples.store.PropertiesRegistryStore}
 * keeps the durability promise of the SPI; {@link dev.magi.examples.store.PropertiesCodec} maps the
 * SPI's records to keys and back.
 */
package dev.magi.examples.store;

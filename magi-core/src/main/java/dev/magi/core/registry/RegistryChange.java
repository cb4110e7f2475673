package dev.magi.core.registry;

import dev.magi.spi.RegistrySnapshot;

/**
 * What one change makes of the registry, handed back to {@link ModelRegistry}, which alone saves and
 * publishes it: the change itself is a plain function, so {@link PortAllocator} and {@link ScanMerge}
 * can build one without touching the store or the lock.
 *
 * @param registry the next registry
 * @param answer   what the caller of the change is told
 * @param persist  false when only the time of the last scan moved, which is not worth a write
 */
record RegistryChange<T>(RegistrySnapshot registry, T answer, boolean persist) {
    RegistryChange(RegistrySnapshot registry, T answer) {
        this(registry, answer, true);
    }
}

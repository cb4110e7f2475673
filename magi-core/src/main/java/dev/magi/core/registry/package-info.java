/**
 * The model registry: the one owner of MAGI's model state. It hands out ids and ports, keeps the
 * user's overrides across rescans, classifies tiers, and publishes each change as a new immutable
 * {@link dev.magi.spi.RegistrySnapshot} only after the store has it on disk.
 */
package dev.magi.core.registry;

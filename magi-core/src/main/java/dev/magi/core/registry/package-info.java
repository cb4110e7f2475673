/**
 * The model registry: the one owner of MAGI's model state. It hands out ids and ports, keeps the
 * user's overrides across rescans, classifies tiers, and publishes each change as a new immutable
 * {@link dev.magi.spi.RegistrySnapshot} only after the store has it on disk.
 *
 * <p><b>Embedding API.</b> for {@link dev.magi.core.registry.ModelRegistry}'s public methods and
 * {@link dev.magi.core.registry.RescanSummary}, which the engine hands a host; the port and merge
 * rules are package-private.
 */
package dev.magi.core.registry;

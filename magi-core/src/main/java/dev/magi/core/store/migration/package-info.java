/**
 * Copying what one store keeps (the registry, the profiles and the active profile) into another, for
 * a user who changes stores: {@link dev.magi.core.store.migration.StoreMigration} reads the source,
 * refuses to replace what the target already holds unless told to, writes, and reads the target back
 * from a fresh open to prove the copy.
 */
package dev.magi.core.store.migration;

/**
 * Copying what one store keeps (the registry, the profiles and the active profile) into another, for
 * a user who changes stores: {@link dev.magi.core.store.migration.StoreMigration} reads the source,
 * refuses to replace what the target already holds unless told to, writes, and reads the target back
 * from a fresh open to prove the copy.
 *
 * <p><b>Internal.</b> Used by the standalone's {@code migrate} command. Its public types are public
 * only so MAGI's own packages and modules can share them; they are not an API and may change in any
 * release.
 */
package dev.magi.core.store.migration;

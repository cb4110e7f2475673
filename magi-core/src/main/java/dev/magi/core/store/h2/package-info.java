/**
 * The built-in {@code h2} store: registry, profiles and the active profile in an H2 database, an
 * embedded one beside {@code REGISTRY_PATH} ({@code magi.mv.db}) or any H2 JDBC URL given as
 * {@code MAGI_H2_URL}, including an H2 server ({@code jdbc:h2:tcp://...}) that several MAGI nodes share.
 *
 * <p>The store creates its tables in the schema {@code MAGI} and migrates them with numbered
 * migrations recorded in {@code MAGI.SCHEMA_VERSION}. Models are rows of their JSON documents, so a
 * change to one model writes one row. Durability: every change is one transaction;
 * the store sets the database's {@code WRITE_DELAY} to 0 (H2's default is 500 ms, during which a
 * committed change lives only in memory) and runs {@code CHECKPOINT SYNC} after each of its commits,
 * so a change is in the file and forced to disk before the call returns. H2's append-only file keeps
 * the last committed state readable after a crash at any instant. A database user without admin
 * rights cannot do either; the store then logs a warning and relies on the database's own settings.
 *
 * <p><b>Internal.</b> Chosen by name ({@code MAGI_STORE=h2}), never referred to by type. Its public types
 * are public only so MAGI's own packages and modules can share them; they are not an API and may
 * change in any release.
 */
package dev.magi.core.store.h2;

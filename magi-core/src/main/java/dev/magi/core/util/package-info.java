/**
 * Small helpers shared by several packages: crash-safe file writes, and the one
 * {@link dev.magi.core.util.Subscription} that every source of changes (the event hub, the registry,
 * the supervisor, a server's log) hands its followers. It depends on no other MAGI package, so every
 * layer may use it.
 *
 * <p><b>Embedding API.</b> for {@link dev.magi.core.util.Subscription}, which every source of changes
 * hands out; the file helpers are internal.
 */
package dev.magi.core.util;

/**
 * Change events of the registry, the servers and the active profile, as one sealed vocabulary
 * ({@link dev.magi.core.events.MagiEvent}), and the hub that fans them out to live clients. An event
 * names a server's status, so this package sits above supervision; the handle every source of changes
 * gives its followers, {@link dev.magi.core.util.Subscription}, lives below both, in {@code util}.
 *
 * <p><b>Embedding API.</b> A host follows MAGI's changes through {@link
 * dev.magi.core.events.EventHub#subscribe} and the event records.
 */
package dev.magi.core.events;

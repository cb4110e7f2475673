/**
 * Change events of the registry, the servers and the active profile, for live clients, and the one
 * {@link dev.magi.core.events.Subscription} that every source of changes (the event hub, the registry,
 * the supervisor, a server's log) hands its followers. It depends on no other MAGI package, so every
 * layer may use it.
 */
package dev.magi.core.events;

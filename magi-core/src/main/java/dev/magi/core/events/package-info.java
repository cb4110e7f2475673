/** Change events of the registry, the servers and the active profile, for live clients. */
package dev.magi.core.events;

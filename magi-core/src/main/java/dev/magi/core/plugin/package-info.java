/**
 * Plugin discovery: {@link java.util.ServiceLoader} over the class path and the plugins directory,
 * with every plugin chosen by name.
 *
 * <p><b>Internal.</b> Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release. Hosts reach this through {@link
 * dev.magi.core.engine.MagiEngine}.
 */
package dev.magi.core.plugin;

/**
 * Plugin discovery: {@link java.util.ServiceLoader} over the class path and the plugins directory,
 * with every plugin chosen by name.
 */
package dev.magi.core.plugin;

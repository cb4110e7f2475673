/**
 * The MAGI plugin API: the value types that describe models, the registry and profiles,
 * the plugin kinds (tier classifiers, stores, complexity scorers; launchers in {@link dev.magi.spi.launch})
 * and the error codes shared by every layer.
 *
 * <p>This package depends on nothing but the JDK, so a plugin author compiles against it alone.
 * Plugins are found with {@link java.util.ServiceLoader} and chosen by name, never by presence.
 *
 * <p><b>Plugin API.</b> What a plugin author compiles against; changes to it are made with care for
 * the plugins that exist.
 */
package dev.magi.spi;

/**
 * Configuration: the table of every setting ({@link dev.magi.core.config.ConfigKey}) and its typed,
 * validated form ({@link dev.magi.core.config.MagiConfig}). Flags, context parameters, environment
 * variables and builder calls all arrive as a {@link dev.magi.spi.Settings} and are read here once.
 *
 * <p><b>Embedding API.</b> A host sets settings by {@link dev.magi.core.config.ConfigKey} on the
 * engine's builder and reads the validated {@link dev.magi.core.config.MagiConfig}.
 */
package dev.magi.core.config;

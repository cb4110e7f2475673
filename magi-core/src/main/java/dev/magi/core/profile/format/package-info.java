/**
 * The profile file format: {@link dev.magi.core.profile.format.ProfileYaml} converts between YAML text
 * and {@link dev.magi.spi.ModelProfile}, reading MAGI's camelCase layout and the original project's
 * snake_case one, and {@link dev.magi.core.profile.format.ProfileDirectory} keeps one {@code NAME.yaml}
 * file per profile, plus the active profile's name, in the directory the built-in file stores use.
 * The stores depend on it, so it knows nothing of the registry, the servers or profile activation.
 * Profile files are written by people and may come from anywhere, so parsing is bounded in size,
 * aliases and depth, names are checked before any path is built, and every problem surfaces as a
 * {@link dev.magi.spi.MagiException} that names the file and the field, never as a stray exception.
 *
 * <p><b>Internal.</b> Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release. Hosts reach this through {@link
 * dev.magi.core.engine.MagiEngine}.
 */
package dev.magi.core.profile.format;

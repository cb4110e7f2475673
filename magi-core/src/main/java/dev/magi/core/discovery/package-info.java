/**
 * Discovery: walks the scan path, reads GGUF headers (falling back to file names), groups split
 * sets, pairs projectors with their models, names each model by its file, reports what it skips and
 * why, and watches the scan path for changes. It knows nothing of the registry, which merges its
 * results.
 *
 * <p><b>Internal.</b> Its public types are public only so MAGI's own packages and modules can share
 * them; they are not an API and may change in any release. Hosts reach this through {@link
 * dev.magi.core.engine.MagiEngine}.
 */
package dev.magi.core.discovery;

/**
 * Discovery: walks the scan path, reads GGUF headers (falling back to file names), groups split
 * sets, pairs projectors with their models, names each model by its file, reports what it skips and
 * why, and watches the scan path for changes. It knows nothing of the registry, which merges its
 * results.
 */
package dev.magi.core.discovery;

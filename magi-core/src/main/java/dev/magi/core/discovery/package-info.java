/**
 * Discovery: walks the scan path, reads GGUF headers (falling back to file names), groups split
 * sets, pairs projectors with their models, reports what it skips and why, and watches the scan
 * path for changes.
 */
package dev.magi.core.discovery;

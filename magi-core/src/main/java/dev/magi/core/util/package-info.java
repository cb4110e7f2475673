/** Small helpers shared by several packages: crash-safe file writes. */
package dev.magi.core.util;

/**
 * How much memory a model's server takes, read from its GGUF header before it starts, and which idle
 * servers to stop so that a new one fits within the memory budget. Plain rules without I/O: the
 * gateway asks them before each on-demand start.
 *
 * <p><b>Internal.</b> Public only so MAGI's own packages and modules can share these types; not an
 * API, and they may change in any release.
 */
package dev.magi.core.memory;

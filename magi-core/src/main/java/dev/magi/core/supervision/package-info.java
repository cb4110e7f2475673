/**
 * Supervision of {@code llama-server}, whatever runs it: one server per model, placed by a {@link
 * dev.magi.spi.launch.Launcher} (the engine chooses it by name; the {@code local} one lives in
 * {@code dev.magi.core.launch.local}, which this package never imports), watched while it waits for
 * a place and until {@code /health} on its endpoint says ready, its output kept in a ring of recent
 * lines and a rotated log file, restarted with back-off when it crashes, checked for health while
 * ready, and stopped through its launch. {@link dev.magi.core.supervision.ServerSupervisor} is the
 * API; each model's server has one owner inside it. At its creation the supervisor adopts what a
 * previous MAGI left running when the launcher can hand it over, and stops the rest; a shutdown hook
 * stops every server.
 *
 * <p><b>Embedding API.</b> for {@link dev.magi.core.supervision.ServerSupervisor}, {@link
 * dev.magi.core.supervision.ServerStatus}, {@link dev.magi.core.supervision.LogLine}, {@link
 * dev.magi.core.supervision.StartAllResult} and {@link dev.magi.core.supervision.SupervisorOptions},
 * which the engine hands a host; the server's owner, the launch specs, the readiness probe and the
 * restart policy are package-private.
 */
package dev.magi.core.supervision;

/**
 * Supervision of {@code llama-server}: one process per model, started without a shell, watched
 * until {@code /health} says ready, its output drained into a ring of recent lines and a rotated log
 * file, restarted with back-off when it crashes, and stopped with SIGTERM then SIGKILL together with
 * everything it started. {@link dev.magi.core.supervision.ServerSupervisor} is the API; each model's
 * process has one owner inside it, and no process outlives MAGI: a shutdown hook stops them, and the
 * pids kept under {@code data/} let the next start stop the leftovers of a MAGI that was killed.
 *
 * <p><b>Embedding API.</b> for {@link dev.magi.core.supervision.ServerSupervisor}, {@link
 * dev.magi.core.supervision.ServerStatus}, {@link dev.magi.core.supervision.LogLine}, {@link
 * dev.magi.core.supervision.StartAllResult} and {@link dev.magi.core.supervision.SupervisorOptions},
 * which the engine hands a host; the process owner, the launch plan, the readiness probe and the
 * restart policy are package-private.
 */
package dev.magi.core.supervision;

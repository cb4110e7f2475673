package dev.magi.core.supervision;

import org.slf4j.event.Level;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A spawned llama-server and what belongs to it: the threads that drain its output into the model's
 * log, where its output begins there, and when it started. Spawning is kept with it so that a
 * process never exists without the drainers that keep its pipes from filling up and the pid record
 * that lets a later MAGI stop it. The server's owner compares processes by identity, as it does
 * attempts.
 *
 * @param process      the process, started without a shell
 * @param port         the port it was told to bind
 * @param address      the address it binds
 * @param startedAt    when it was spawned
 * @param startedNanos the same moment by {@link System#nanoTime()}, for the start's deadline
 * @param logMark      the model's count of log lines when it started: what follows is its output
 * @param drainers     the threads reading its stdout and stderr
 */
record ServerProcess(Process process, int port, InetAddress address, Instant startedAt, long startedNanos,
                     long logMark, List<Thread> drainers) {
    /** How long to let the output threads finish reading a process that has exited. */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);

    /**
     * Starts the process a plan says, drains its output into {@code log} and records its pid; fails
     * with SERVER_START_FAILED when the binary cannot be run.
     */
    static ServerProcess spawn(String modelId, LaunchPlan plan, ServerLog log, ServerNotes notes, PidFile pids) {
        notes.say(Level.INFO, "starting: " + LlamaServerCommand.shown(plan.command()));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(plan.command());
            builder.environment().putAll(plan.environment());
            process = builder.start();
        } catch (IOException e) {
            throw LaunchPlan.startFailed(modelId, "Cannot run " + plan.command().get(0) + ": " + e.getMessage(),
                    null, List.of(), Map.of("path", plan.command().get(0)));
        }
        try {
            // llama-server reads nothing; an input at end-of-file says so.
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Nothing was written; nothing is lost.
        }
        notes.say(Level.INFO, "started pid " + process.pid() + " on port " + plan.port());
        long mark = log.total();
        List<Thread> drainers = List.of(
                log.drain(process.getInputStream(), LogLine.STDOUT, process.pid()),
                log.drain(process.getErrorStream(), LogLine.STDERR, process.pid()));
        pids.put(modelId, process, plan.command());
        return new ServerProcess(process, plan.port(), plan.address(), Instant.now(), System.nanoTime(), mark,
                drainers);
    }

    /** Waits, a little at most, until everything the process wrote is in the log. */
    void awaitDrained() {
        long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        for (Thread drainer : drainers) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return;
            }
            try {
                drainer.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The exit code once the JVM has reaped the process (a moment after it died), else null. */
    Integer exitCode() {
        try {
            if (process.waitFor(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}

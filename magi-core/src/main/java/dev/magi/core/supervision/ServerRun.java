package dev.magi.core.supervision;

import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchState;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * One launch of a model's server, as its owner keeps it: the launcher's handle, where its output
 * begins in the model's log, and since when it runs. The server's owner compares runs by identity, as
 * it does attempts.
 */
final class ServerRun {
    private final Launch launch;
    private final long logMark;
    private final RunListener listener;
    private Instant runningSince;
    private long runningNanos;
    private URI endpoint;

    /**
     * @param launch   the launcher's handle
     * @param logMark  the model's count of log lines before it started: what follows is its output
     * @param listener what hears it
     */
    ServerRun(Launch launch, long logMark, RunListener listener) {
        this.launch = launch;
        this.logMark = logMark;
        this.listener = listener;
    }

    Launch launch() {
        return launch;
    }

    long logMark() {
        return logMark;
    }

    RunListener listener() {
        return listener;
    }

    /**
     * Notes the moment it was first seen running, and where: the start's deadline and the uptime count
     * from there, and its endpoint stays known after it ends, for what is said about its end.
     */
    synchronized void markRunning() {
        if (runningSince == null) {
            runningSince = Instant.now();
            runningNanos = System.nanoTime();
            endpoint = launch.endpoint().orElse(null);
        }
    }

    /** When it was first seen running, null before. */
    synchronized Instant startedAt() {
        return runningSince;
    }

    /** The same moment by {@link System#nanoTime()}. */
    synchronized long startedNanos() {
        return runningNanos;
    }

    /** Its process runs (loading, ready or being stopped). */
    boolean isRunning() {
        return launch.state() instanceof LaunchState.Running;
    }

    /** Its end, once it has ended. */
    LaunchState.Ended end() {
        return launch.state() instanceof LaunchState.Ended ended ? ended : null;
    }

    /** Where it listens, or listened: null until it was seen running. */
    synchronized URI endpoint() {
        return endpoint;
    }

    /** The port of its endpoint, null without one. */
    Integer port() {
        URI endpoint = endpoint();
        return endpoint == null ? null : endpoint.getPort();
    }

    /** The pid its launch shows, null when it shows none (a job, a pod). */
    Long pid() {
        return launch.details().get("pid") instanceof Number pid ? pid.longValue() : null;
    }

    /** What MAGI's messages call it: {@code pid 42}, {@code job 7}. */
    String describe() {
        return launch.describe();
    }

    /** What the launch shows of itself besides the pid, for the server's record. */
    Map<String, Object> details() {
        return launch.details();
    }
}

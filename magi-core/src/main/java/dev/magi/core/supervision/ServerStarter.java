package dev.magi.core.supervision;

import dev.magi.core.launch.StartErrors;
import dev.magi.core.util.Subscription;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The slow part of starting one model's server, run on a worker thread: the launch, the wait while it
 * is pending, the wait for readiness once it runs, and what a server that dies or hangs while starting
 * means. It holds no state of the server: each outcome goes to the owner, which decides under its
 * lock whether the attempt still counts. Kept apart so that the owner is only its state and the
 * changes to it.
 */
final class ServerStarter {
    /** Under the name of the server's owner: one model's supervision logs in one category. */
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);
    /** Lines of output an error carries. */
    private static final int ERROR_TAIL_LINES = 20;
    /**
     * Starts again after a lost bind: another program can take an automatic port between the
     * launcher's check and llama-server's bind.
     */
    private static final int BIND_RETRIES = 3;

    private final SupervisedServer owner;
    private final String modelId;
    private final SupervisedServer.Shared shared;
    private final SupervisorOptions options;
    private final ServerLog log;
    private final ServerNotes notes;

    ServerStarter(SupervisedServer owner, SupervisedServer.Shared shared, ServerLog log) {
        this.owner = owner;
        this.modelId = owner.modelId();
        this.shared = shared;
        this.options = shared.options();
        this.log = log;
        this.notes = owner.notes();
    }

    /**
     * One attempt, from the checks to ready or failure. A server that lost its automatic port to
     * another program between the launcher's check and its bind is started again on the port the
     * launcher moved it to, up to {@link #BIND_RETRIES} times.
     */
    void run(StartAttempt first) {
        StartAttempt a = first;
        ServerRun r = null;
        try {
            for (int bindFailures = 0; ; bindFailures++) {
                LaunchSpec spec;
                try {
                    spec = LaunchSpecs.of(modelId, shared.registry(), options);
                } catch (RuntimeException e) {
                    owner.fail(a, e);
                    return;
                }
                if (a.cancelled) {
                    a.launched.complete(null);
                    return;
                }
                RunListener listener = new RunListener(log, notes);
                long mark = log.total();
                Launch launch;
                try {
                    launch = shared.launcher().start(spec, listener);
                } catch (RuntimeException e) {
                    owner.fail(a, e);
                    return;
                }
                r = new ServerRun(launch, mark, listener);
                owner.spawned(r, shared.registry().find(modelId).orElse(null));
                a.launched.complete(null);
                StartAttempt again = awaitReady(a, r, bindFailures < BIND_RETRIES);
                if (again == null) {
                    return;
                }
                a = again;
                r = null;
            }
        } catch (Throwable t) {
            // Whatever happens, no server may be left behind and nobody may wait forever on this attempt.
            LOG.error("Start of '{}' failed unexpectedly", modelId, t);
            if (r != null) {
                r.launch().stop(options.stopTimeout());
            }
            owner.fail(a, t);
            if (t instanceof Error error) {
                throw error;
            }
        }
    }

    /**
     * Takes over a server a previous MAGI left running: waits for it to be ready as for a start of
     * its own, without launching anything.
     */
    void adopt(StartAttempt a, ServerRun r) {
        try {
            if (awaitReady(a, r, false) != null) {
                // An adopted server that lost its port never bound one: nothing to start again here.
                owner.fail(a, new MagiException(ErrorCode.SERVER_START_FAILED, "The adopted server of '" + modelId
                        + "' ended"));
            }
        } catch (RuntimeException e) {
            LOG.error("Adopting the server of '{}' failed unexpectedly", modelId, e);
            r.launch().stop(options.stopTimeout());
            owner.fail(a, e);
        }
    }

    /**
     * Waits for the launch to run, then to become ready, probing as {@link ReadinessProbe} does; its
     * output and its changes of state bring the next probe forward. The start's deadline counts from
     * the moment it runs: a launch waiting for a place is not late. Answers null once the attempt is
     * decided (ready, failed or cancelled), or the attempt that goes on with another launch when this
     * one lost its port to another program.
     */
    private StartAttempt awaitReady(StartAttempt a, ServerRun r, boolean mayMovePort) {
        ReadinessProbe probe = null;
        Wake wake = new Wake();
        r.listener().onStateChange(wake::run);
        Subscription output = log.subscribe(0, line -> wake.run());
        r.launch().ended().thenRun(wake::run);
        try {
            if (!awaitRunning(a, r, wake)) {
                return a.cancelled ? null : exitedWhileStarting(a, r, mayMovePort);
            }
            probe = new ReadinessProbe(r.endpoint());
            wake.probe = probe;
            ReadinessProbe.Outcome outcome = probe.awaitReady(r.startedNanos(), options.maxStartupTime(),
                    options.readinessInterval(), () -> a.cancelled, r::isRunning);
            return switch (outcome) {
                case READY -> {
                    owner.becameReady(a, r);
                    yield null;
                }
                case EXITED -> exitedWhileStarting(a, r, mayMovePort);
                case TIMED_OUT -> {
                    timedOut(a, r);
                    yield null;
                }
                // The stop that cancelled the attempt deals with its server.
                case CANCELLED -> null;
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            owner.fail(a, new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor is closing"));
            return null;
        } finally {
            output.close();
        }
    }

    /**
     * Waits while the launch is pending, telling the owner its reason; answers true once it runs,
     * false when it ended first or the attempt was cancelled.
     */
    private boolean awaitRunning(StartAttempt a, ServerRun r, Wake wake) throws InterruptedException {
        while (true) {
            if (a.cancelled) {
                return false;
            }
            LaunchState state = r.launch().state();
            if (state instanceof LaunchState.Running) {
                r.markRunning();
                owner.running(a);
                return true;
            }
            if (state instanceof LaunchState.Ended) {
                return false;
            }
            owner.pending(a, ((LaunchState.Pending) state).reason());
            wake.pending.await(options.readinessInterval().toMillis());
        }
    }

    /**
     * Fails the attempt, or, when the server lost its port to another program and the launcher moved
     * it, answers the attempt that goes on with another port; answers null otherwise.
     */
    private StartAttempt exitedWhileStarting(StartAttempt a, ServerRun r, boolean mayMovePort) {
        LaunchState.Ended end = r.launch().ended().toCompletableFuture().join();
        Integer code = end.exitCode();
        List<String> tail = log.tailSince(r.logMark(), ERROR_TAIL_LINES);
        boolean lostPort = end.cause() == LaunchState.Cause.PORT_TAKEN;
        boolean pinned = shared.registry().find(modelId).map(DiscoveredModel::portPinned).orElse(false);
        Integer taken = r.port();
        Integer now = shared.registry().find(modelId).map(DiscoveredModel::port).orElse(null);
        if (lostPort && mayMovePort && !pinned && now != null && !now.equals(taken)) {
            StartAttempt again = owner.startAgain(a, r);
            if (again == null) {
                return null;
            }
            notes.say(Level.INFO, "port " + taken + " was taken by another program before llama-server could bind"
                    + " it; starting again on port " + now);
            return again;
        }
        String message = "llama-server for model '" + modelId + "' exited with code " + code + " while starting"
                + (end.reason() == null ? "" : " (" + end.reason() + ")")
                + (tail.isEmpty() ? "" : ": " + tail.get(tail.size() - 1));
        // At DEBUG in MAGI's log: the failure of the start follows there, with the server's last words.
        notes.say(Level.DEBUG, r.describe() + " exited with code " + code + " while starting");
        if (lostPort && pinned && taken != null) {
            // The user's port, taken after the check: the same answer as when the check finds it taken.
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("exitCode", code);
            extra.put("logTail", List.copyOf(tail));
            owner.ended(a, r, code, StartErrors.portInUse(modelId, taken, extra));
            return null;
        }
        owner.ended(a, r, code, StartErrors.startFailed(modelId, message, code, tail, Map.of()));
        return null;
    }

    private void timedOut(StartAttempt a, ServerRun r) {
        LOG.warn("llama-server for '{}' is not ready after {} s; stopping it", modelId,
                options.maxStartupTime().toSeconds());
        LaunchState.Ended end = r.launch().stop(options.stopTimeout());
        List<String> tail = log.tailSince(r.logMark(), ERROR_TAIL_LINES);
        String message = "llama-server for model '" + modelId + "' did not become ready within "
                + seconds(options.maxStartupTime()) + " s and was stopped";
        notes.say(Level.DEBUG, r.describe() + " not ready in time; stopped");
        Integer exitCode = end.exitCode();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.put("maxStartupSeconds", options.maxStartupTime().toMillis() / 1000.0);
        details.put("exitCode", exitCode);
        details.put("logTail", tail);
        owner.ended(a, r, exitCode, new MagiException(ErrorCode.SERVER_START_TIMEOUT, message, details));
    }

    static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? Long.toString(duration.toSeconds())
                : Double.toString(duration.toMillis() / 1000.0);
    }

    /** Wakes the start's wait, pending or probing, when the launch has news. */
    private static final class Wake {
        final Wakeup pending = new Wakeup();
        volatile ReadinessProbe probe;

        void run() {
            pending.signal();
            ReadinessProbe current = probe;
            if (current != null) {
                current.wake();
            }
        }
    }
}

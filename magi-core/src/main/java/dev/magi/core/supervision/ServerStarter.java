package dev.magi.core.supervision;

import dev.magi.core.util.Subscription;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The slow part of starting one model's server, run on a worker thread: the launch plan, the
 * process, the wait for readiness, and what a process that dies or hangs while starting means. It
 * holds no state of the server: each outcome goes to the owner, which decides under its lock whether
 * the attempt still counts. Kept apart so that the owner is only its state and the changes to it.
 */
final class ServerStarter {
    /** Under the name of the server's owner: one model's supervision logs in one category. */
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);
    /** Lines of output an error carries. */
    private static final int ERROR_TAIL_LINES = 20;
    /** What llama-server says when its port is taken: it exits 1 before loading anything. */
    private static final String BIND_FAILURE = "couldn't bind HTTP server socket";
    /**
     * Starts again on another port after a lost bind: another program can take an automatic port
     * between MAGI's check and llama-server's bind.
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
     * One attempt, from the checks to ready or failure. A process that lost its automatic port to
     * another program between the check and its bind is started again on the next free port, up to
     * {@link #BIND_RETRIES} times.
     */
    void run(StartAttempt first) {
        StartAttempt a = first;
        ServerProcess r = null;
        try {
            for (int bindFailures = 0; ; bindFailures++) {
                LaunchPlan plan;
                Integer portBefore = shared.registry().find(modelId).map(DiscoveredModel::port).orElse(null);
                try {
                    plan = LaunchPlan.prepare(modelId, shared.registry(), options);
                } catch (RuntimeException e) {
                    owner.fail(a, e);
                    return;
                }
                notePortMoved(portBefore, plan.port());
                if (a.cancelled) {
                    a.launched.complete(null);
                    return;
                }
                try {
                    r = ServerProcess.spawn(modelId, plan, log, notes, shared.pids());
                } catch (RuntimeException e) {
                    owner.fail(a, e);
                    return;
                }
                owner.spawned(r, plan.model());
                a.launched.complete(null);
                StartAttempt again = awaitReady(a, r, bindFailures < BIND_RETRIES && !plan.model().portPinned());
                if (again == null) {
                    return;
                }
                a = again;
                r = null;
            }
        } catch (Throwable t) {
            // Whatever happens, no process may be left behind and nobody may wait forever on this attempt.
            LOG.error("Start of '{}' failed unexpectedly", modelId, t);
            if (r != null) {
                ProcessTrees.terminate(List.of(r.process().toHandle()), options.stopTimeout());
            }
            owner.fail(a, t);
            if (t instanceof Error error) {
                throw error;
            }
        }
    }

    /** The plan moved an automatic port another program holds: MAGI's log said so at INFO already. */
    private void notePortMoved(Integer portBefore, int port) {
        if (portBefore != null && portBefore != port) {
            notes.say(Level.DEBUG, "port " + portBefore + " is in use by another program; moved to port " + port);
        }
    }

    /**
     * Waits for the process to become ready, probing as {@link ReadinessProbe} does; its output and
     * its exit bring the next probe forward. Answers null once the attempt is decided (ready, failed
     * or cancelled), or the attempt that goes on with another process when this one lost its port to
     * another program.
     */
    private StartAttempt awaitReady(StartAttempt a, ServerProcess r, boolean mayMovePort) {
        ReadinessProbe probe = new ReadinessProbe(options.llamaHost(), r.port());
        Subscription output = log.subscribe(0, line -> probe.wake());
        r.process().onExit().thenRun(probe::wake);
        try {
            ReadinessProbe.Outcome outcome = probe.awaitReady(r.startedNanos(), options.maxStartupTime(),
                    options.readinessInterval(), () -> a.cancelled, r.process()::isAlive);
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
                // The stop that cancelled the attempt deals with its process.
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
     * Fails the attempt, or, when the process lost its port to another program, answers the attempt
     * that goes on with another port; answers null otherwise.
     */
    private StartAttempt exitedWhileStarting(StartAttempt a, ServerProcess r, boolean mayMovePort) {
        r.awaitDrained();
        int code = r.process().exitValue();
        List<String> tail = log.tailSince(r.logMark(), ERROR_TAIL_LINES);
        boolean lostPort = code != 0 && tail.stream().anyMatch(line -> line.contains(BIND_FAILURE));
        if (lostPort && mayMovePort) {
            int taken = r.port();
            DiscoveredModel moved = null;
            try {
                moved = LaunchPlan.moveOff(shared.registry(), modelId, taken, r.address());
            } catch (MagiException e) {
                LOG.warn("'{}' lost port {} to another program and cannot move: {}", modelId, taken, e.getMessage());
            }
            if (moved != null) {
                StartAttempt again = owner.startAgain(a, r);
                if (again == null) {
                    return null;
                }
                String note = "port " + taken + " was taken by another program before llama-server could bind"
                        + " it; starting again on port " + moved.port();
                notes.say(Level.INFO, note);
                return again;
            }
        }
        String message = "llama-server for model '" + modelId + "' exited with code " + code + " while starting"
                + (tail.isEmpty() ? "" : ": " + tail.get(tail.size() - 1));
        // At DEBUG in MAGI's log: the failure of the start follows there, with the server's last words.
        notes.say(Level.DEBUG, "pid " + r.process().pid() + " exited with code " + code + " while starting");
        if (lostPort && shared.registry().find(modelId).map(DiscoveredModel::portPinned).orElse(false)) {
            // The user's port, taken after the check: the same answer as when the check finds it taken.
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("exitCode", code);
            extra.put("logTail", List.copyOf(tail));
            owner.ended(a, r, code, LaunchPlan.portInUse(modelId, r.port(), extra));
            return null;
        }
        owner.ended(a, r, code, LaunchPlan.startFailed(modelId, message, code, tail, Map.of()));
        return null;
    }

    private void timedOut(StartAttempt a, ServerProcess r) {
        LOG.warn("llama-server for '{}' is not ready after {} s; stopping it", modelId,
                options.maxStartupTime().toSeconds());
        ProcessTrees.terminate(List.of(r.process().toHandle()), options.stopTimeout());
        r.awaitDrained();
        List<String> tail = log.tailSince(r.logMark(), ERROR_TAIL_LINES);
        String message = "llama-server for model '" + modelId + "' did not become ready within "
                + seconds(options.maxStartupTime()) + " s and was stopped";
        notes.say(Level.DEBUG, "pid " + r.process().pid() + " not ready in time; stopped");
        Integer exitCode = r.exitCode();
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
}

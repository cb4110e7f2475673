package dev.magi.core.supervision;

import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one owner of one model's server process and of its state. Every change of state happens under
 * this object's lock; the slow parts (spawning, probing, waiting for a process to end) happen outside
 * it, those of a start in {@link ServerStarter}, and each finds out afterwards, under the lock,
 * whether it still speaks for the current attempt or process ({@link StartAttempt} and
 * {@link ServerProcess} are compared by identity). When to restart after a crash is the
 * {@link RestartPolicy}'s to say.
 */
final class SupervisedServer {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);

    /** What every server of a supervisor shares. */
    record Shared(ModelRegistry registry, SupervisorOptions options, ExecutorService workers,
                  ScheduledExecutorService scheduler, PidFile pids, Consumer<ServerStatus> publisher) {
    }

    private final String modelId;
    private final Shared shared;
    private final SupervisorOptions options;
    private final ServerLog log;
    private final ServerNotes notes;
    /** Guarded by this, like the state: it holds the crash history. */
    private final RestartPolicy restarts;
    private final ServerStarter starter;

    // Guarded by this.
    private ServerState state = ServerState.STOPPED;
    private boolean everStarted;
    private DiscoveredModel lastModel;
    private StartAttempt attempt;
    private ServerProcess running;
    private int restartCount;
    private Integer lastExitCode;
    private String lastError;
    private ScheduledFuture<?> pendingRestart;
    /** When the pending restart is due; null without one. */
    private Instant restartDue;
    private long restartSequence;
    private CompletableFuture<ServerStatus> stopping;
    /** What the periodic health probes say of the current process. */
    private final HealthRule health = new HealthRule();
    /** A probe of the current process is under way: a slow one is not overtaken by the next. */
    private boolean probing;
    /** The process stopped because it hung, so that its exit is told as such. */
    private ServerProcess hung;

    SupervisedServer(String modelId, Shared shared) {
        this.modelId = modelId;
        this.shared = shared;
        this.options = shared.options();
        this.log = new ServerLog(modelId, options.logFile(modelId), options.logFileMaxBytes(), options.logFilesKept());
        this.notes = new ServerNotes(modelId, log);
        this.restarts = new RestartPolicy(options);
        this.starter = new ServerStarter(this, shared, log);
    }

    String modelId() {
        return modelId;
    }

    ServerLog log() {
        return log;
    }

    /** Where what MAGI says about this server goes: MAGI's log and the server's. */
    ServerNotes notes() {
        return notes;
    }

    synchronized boolean everStarted() {
        return everStarted;
    }

    synchronized ServerState state() {
        return state;
    }

    // ---------------------------------------------------------------- start

    /**
     * Starts the server unless it runs or is starting; concurrent callers share one start.
     *
     * @param wait wait until ready (or failed); otherwise return once the process is spawned
     */
    ServerStatus start(boolean wait) {
        while (true) {
            StartAttempt joined;
            boolean fresh = false;
            CompletableFuture<ServerStatus> stopInProgress = null;
            synchronized (this) {
                switch (state) {
                    case READY:
                        return statusLocked();
                    case STOPPING:
                        stopInProgress = stopping;
                        joined = null;
                        break;
                    case STARTING:
                    case RESTARTING:
                        if (attempt != null) {
                            joined = attempt;
                            break;
                        }
                        // A restart waiting out its back-off: the caller wants the server now.
                        cancelPendingRestartLocked();
                        joined = beginLocked(true);
                        fresh = true;
                        break;
                    default:
                        // A start asked for by a user begins a new history.
                        restartCount = 0;
                        restarts.forget();
                        lastExitCode = null;
                        lastError = null;
                        everStarted = true;
                        joined = beginLocked(false);
                        fresh = true;
                }
            }
            if (stopInProgress != null) {
                stopInProgress.exceptionally(e -> null).join();
                continue;
            }
            if (fresh) {
                launch(joined);
            }
            if (wait) {
                return joined.awaitReady();
            }
            joined.awaitLaunched();
            return status();
        }
    }

    private StartAttempt beginLocked(boolean restart) {
        attempt = new StartAttempt(restart);
        state = restart ? ServerState.RESTARTING : ServerState.STARTING;
        publishLocked();
        return attempt;
    }

    private void launch(StartAttempt a) {
        try {
            shared.workers().execute(() -> starter.run(a));
        } catch (RejectedExecutionException e) {
            fail(a, new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor is closed"));
        }
    }

    // ---------------------------------------------------------------- what a start reports

    /** The attempt's process was spawned: it is the server's process from now on. */
    void spawned(ServerProcess r, DiscoveredModel model) {
        synchronized (this) {
            running = r;
            lastModel = model;
            publishLocked();
        }
        // Registered only now, so that the handler finds the process it is about.
        try {
            r.process().onExit().thenRunAsync(() -> onExit(r), shared.workers());
        } catch (RejectedExecutionException e) {
            LOG.debug("Supervisor closing; exit of pid {} not watched", r.process().pid());
        }
    }

    /** The attempt's process answered its readiness probe. */
    void becameReady(StartAttempt a, ServerProcess r) {
        ServerStatus ready;
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return;
            }
            attempt = null;
            state = ServerState.READY;
            health.reset();
            ready = publishLocked();
            LOG.info("llama-server for '{}' is ready on port {} (pid {})", modelId, r.port(), r.process().pid());
            // An exit just after the probe would otherwise go unnoticed: its handler saw a start in progress.
            if (!r.process().isAlive()) {
                crashedLocked(r);
                publishLocked();
            }
        }
        a.ready.complete(ready);
    }

    /**
     * The attempt's process lost its port to another program and the model has moved: answers the
     * attempt that goes on with a process of its own, or null when the attempt no longer counts.
     */
    StartAttempt startAgain(StartAttempt a, ServerProcess r) {
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return null;
            }
            if (running == r) {
                running = null;
            }
            shared.pids().remove(modelId, r.process().pid());
            attempt = new StartAttempt(a.restart, a.ready);
            return attempt;
        }
    }

    /** An attempt whose process ended before it was ready. */
    void ended(StartAttempt a, ServerProcess r, Integer exitCode, MagiException error) {
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return;
            }
            attempt = null;
            if (running == r) {
                running = null;
            }
            shared.pids().remove(modelId, r.process().pid());
            lastExitCode = exitCode;
            if (a.restart) {
                crashLocked(error.getMessage());
            } else {
                state = ServerState.FAILED;
                lastError = error.getMessage();
            }
            publishLocked();
        }
        LOG.warn("{}", error.getMessage());
        a.ready.completeExceptionally(error);
    }

    /** An attempt that failed before or without a process of its own. */
    void fail(StartAttempt a, Throwable error) {
        synchronized (this) {
            if (attempt == a && !a.cancelled) {
                attempt = null;
                if (running != null) {
                    // Only this attempt's process can be here, and it was stopped.
                    shared.pids().remove(modelId, running.process().pid());
                    running = null;
                }
                if (a.restart) {
                    crashLocked(String.valueOf(error.getMessage()));
                } else {
                    state = ServerState.FAILED;
                    lastError = error.getMessage();
                }
                LOG.warn("Start of '{}' failed: {}", modelId, error.getMessage());
                publishLocked();
            }
        }
        a.launched.completeExceptionally(error);
        a.ready.completeExceptionally(error);
    }

    // ---------------------------------------------------------------- crashes and restarts

    /** Runs once per process when it exits, whatever the reason; only an exit while ready is a crash. */
    private void onExit(ServerProcess r) {
        r.awaitDrained();
        synchronized (this) {
            if (running != r || state != ServerState.READY) {
                return;
            }
            crashedLocked(r);
            publishLocked();
        }
    }

    private void crashedLocked(ServerProcess r) {
        running = null;
        shared.pids().remove(modelId, r.process().pid());
        int code = r.process().exitValue();
        lastExitCode = code;
        if (hung == r) {
            hung = null;
            crashLocked("llama-server for model '" + modelId + "' hung: GET /health did not answer for "
                    + HealthRule.UNHEALTHY_INTERVALS_TO_HUNG + " intervals after it turned unhealthy; pid "
                    + r.process().pid() + " was stopped (exit code " + code + ")");
            return;
        }
        List<String> tail = log.tailSince(r.logMark(), 1);
        String lastWords = tail.isEmpty() ? "" : ": " + tail.get(0);
        notes.say(Level.WARN, "pid " + r.process().pid() + " exited with code " + code + " while ready" + lastWords);
        crashLocked("llama-server for model '" + modelId + "' exited with code " + code + " while ready" + lastWords);
    }

    /** Counts a crash: restart after a back-off, or give up after too many within the window. */
    private void crashLocked(String message) {
        Optional<Duration> delay = restarts.crashed(Instant.now());
        if (delay.isEmpty()) {
            state = ServerState.FAILED;
            lastError = message + " (" + restarts.crashesInWindow() + " crashes within "
                    + restarts.window().toMinutes() + " minutes; not restarted again)";
            notes.say(Level.ERROR, "gave up after " + restarts.crashesInWindow() + " crashes within "
                    + restarts.window().toMinutes() + " minutes; not restarted again. Last error: " + message);
            return;
        }
        state = ServerState.RESTARTING;
        lastError = message;
        restartCount++;
        long sequence = ++restartSequence;
        notes.say(Level.INFO, "restarting in " + ServerStarter.seconds(delay.get()) + " s (attempt " + restartCount
                + ")");
        try {
            restartDue = Instant.now().plus(delay.get());
            pendingRestart = shared.scheduler().schedule(() -> restartNow(sequence), delay.get().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            state = ServerState.FAILED;
        }
    }

    /** When the restart of a crashed server that waits out its back-off is due; empty when none waits. */
    synchronized Optional<Instant> restartDue() {
        return state == ServerState.RESTARTING && attempt == null ? Optional.ofNullable(restartDue)
                : Optional.empty();
    }

    /** The back-off of this server's restart policy after that many crashes in the window. */
    Duration backOff(int crashesInWindow) {
        return restarts.backOff(crashesInWindow);
    }

    private void restartNow(long sequence) {
        StartAttempt a;
        synchronized (this) {
            if (sequence != restartSequence || pendingRestart == null || state != ServerState.RESTARTING
                    || attempt != null) {
                return;
            }
            pendingRestart = null;
            restartDue = null;
            a = beginLocked(true);
        }
        launch(a);
    }

    private void cancelPendingRestartLocked() {
        restartDue = null;
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
        }
        restartSequence++;
    }

    // ---------------------------------------------------------------- health of a ready server

    /**
     * Probes the ready server's {@code GET /health} once (2 s at most) and applies the
     * {@link HealthRule}: tells when it turns unhealthy or healthy, and stops a hung process (SIGTERM
     * to its tree, then SIGKILL), whose exit is then taken as a crash: restarted after the same
     * back-off, or left failed at the same limit.
     */
    void probeHealth() {
        ServerProcess r;
        synchronized (this) {
            if (state != ServerState.READY || running == null || probing) {
                return;
            }
            r = running;
            probing = true;
        }
        boolean answered = Network.isReady(options.llamaHost(), r.port());
        synchronized (this) {
            probing = false;
            if (running != r || state != ServerState.READY) {
                return;
            }
            switch (health.probed(answered)) {
                case TURNED_UNHEALTHY -> {
                    notes.say(Level.WARN, "unhealthy: GET /health failed " + HealthRule.FAILURES_TO_UNHEALTHY
                            + " times in a row; no new request is sent to it");
                    publishLocked();
                    return;
                }
                case TURNED_HEALTHY -> {
                    notes.say(Level.INFO, "healthy again: GET /health answered");
                    publishLocked();
                    return;
                }
                case HUNG -> {
                    if (!r.process().isAlive()) {
                        return;
                    }
                    hung = r;
                    notes.say(Level.WARN, "hung: unhealthy for " + HealthRule.UNHEALTHY_INTERVALS_TO_HUNG
                            + " intervals while pid " + r.process().pid() + " lives; stopping it to restart it");
                }
                default -> {
                    return;
                }
            }
        }
        // Outside the lock: the stop may wait for the stop timeout. The exit is seen by onExit.
        ProcessTrees.terminate(List.of(r.process().toHandle()), options.stopTimeout());
    }

    // ---------------------------------------------------------------- stop

    /** Stops the server: SIGTERM to the process and its descendants, the stop timeout, then SIGKILL. */
    ServerStatus stop() {
        StartAttempt cancelled = null;
        CompletableFuture<ServerStatus> inProgress = null;
        synchronized (this) {
            if (state == ServerState.STOPPED) {
                return statusLocked();
            }
            if (state == ServerState.STOPPING) {
                inProgress = stopping;
            } else if (state == ServerState.FAILED || (state == ServerState.RESTARTING && attempt == null)) {
                // No process: only a pending restart, if any, to call off.
                cancelPendingRestartLocked();
                state = ServerState.STOPPED;
                return publishLocked();
            } else {
                // Starting, ready, or restarting with a process loading.
                cancelled = attempt;
                if (cancelled != null) {
                    cancelled.cancelled = true;
                    attempt = null;
                }
                cancelPendingRestartLocked();
                state = ServerState.STOPPING;
                stopping = new CompletableFuture<>();
                publishLocked();
            }
        }
        if (inProgress != null) {
            // Joined outside the lock: the stop in progress needs it to finish.
            return inProgress.join();
        }
        return terminate(cancelled);
    }

    private ServerStatus terminate(StartAttempt cancelled) {
        if (cancelled != null) {
            // An expected outcome the caller asked for, not a failure: a conflict with the stop, no trace.
            cancelled.ready.completeExceptionally(new MagiException(ErrorCode.START_CANCELLED,
                    "The start of model '" + modelId + "' was cancelled by a stop", Map.of("modelId", modelId)));
            // The attempt may be spawning right now; its process is known once it is launched.
            cancelled.launched.exceptionally(e -> null).join();
        }
        ServerProcess r;
        synchronized (this) {
            r = running;
        }
        Integer exitCode = null;
        if (r != null) {
            boolean killed = ProcessTrees.terminate(List.of(r.process().toHandle()), options.stopTimeout());
            r.awaitDrained();
            exitCode = r.exitCode();
            shared.pids().remove(modelId, r.process().pid());
            notes.say(Level.INFO, "stopped pid " + r.process().pid()
                    + (killed ? " with SIGKILL after it ignored SIGTERM" : "")
                    + (exitCode != null ? ", exit code " + exitCode : ""));
        }
        ServerStatus stopped;
        CompletableFuture<ServerStatus> done;
        synchronized (this) {
            if (running == r) {
                running = null;
            }
            if (exitCode != null) {
                lastExitCode = exitCode;
            }
            state = ServerState.STOPPED;
            done = stopping;
            stopping = null;
            stopped = publishLocked();
        }
        done.complete(stopped);
        return stopped;
    }

    // ---------------------------------------------------------------- status

    synchronized ServerStatus status() {
        return statusLocked();
    }

    private ServerStatus statusLocked() {
        DiscoveredModel model = shared.registry().find(modelId).orElse(lastModel);
        if (model != null) {
            lastModel = model;
        }
        ServerProcess r = running;
        boolean alive = r != null && r.process().isAlive();
        Integer port = r != null ? Integer.valueOf(r.port()) : model != null ? model.port() : null;
        return new ServerStatus(
                modelId,
                model != null ? model.displayName() : modelId,
                port,
                r != null ? r.process().pid() : null,
                state,
                state == ServerState.READY,
                alive,
                alive ? Duration.between(r.startedAt(), Instant.now()).getSeconds() : null,
                model != null ? model.effectiveTier() : null,
                model != null && model.effectiveThinking(),
                restartCount,
                lastExitCode,
                lastError,
                r != null ? r.startedAt() : null,
                state != ServerState.READY || health.healthy(), ServerTraffic.NONE, ServerRetention.NONE);
    }

    /**
     * Tells the listeners of the state as it is now. Called under the lock, so that they hear the
     * changes of one server in the order they happened; the publisher only queues.
     */
    private ServerStatus publishLocked() {
        ServerStatus status = statusLocked();
        shared.publisher().accept(status);
        return status;
    }
}

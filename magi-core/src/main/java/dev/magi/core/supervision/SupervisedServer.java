package dev.magi.core.supervision;

import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LeftRunning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one owner of one model's server and of its state. Every change of state happens under this
 * object's lock; the slow parts (launching, probing, waiting for a server to end) happen outside it,
 * those of a start in {@link ServerStarter}, and each finds out afterwards, under the lock, whether
 * it still speaks for the current attempt or launch ({@link StartAttempt} and {@link ServerRun} are
 * compared by identity). Where the server runs is the {@link Launcher}'s business; when to restart
 * after a crash is the {@link RestartPolicy}'s to say.
 */
final class SupervisedServer {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);

    /** What every server of a supervisor shares. */
    record Shared(ModelRegistry registry, SupervisorOptions options, ExecutorService workers,
                  ScheduledExecutorService scheduler, Launcher launcher, Consumer<ServerStatus> publisher) {
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
    private ServerRun running;
    private int restartCount;
    private Integer lastExitCode;
    private String lastError;
    /** Why the launch waits for a place, while it does; shown as the last error meanwhile. */
    private String pendingReason;
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
    private ServerRun hung;

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
                    case PENDING:
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

    /**
     * Takes over a server a previous MAGI left running, as a start of its own would have started it:
     * starting until {@code /health} answers, then ready. Called before anything else could start this
     * server.
     */
    void adopt(LeftRunning left) {
        StartAttempt a;
        synchronized (this) {
            everStarted = true;
            a = beginLocked(false);
        }
        RunListener listener = new RunListener(log, notes);
        long mark = log.total();
        Launch launch = left.adopt(listener);
        notes.say(Level.INFO, "adopted " + launch.describe() + ", left running by a previous MAGI");
        ServerRun r = new ServerRun(launch, mark, listener);
        spawned(r, shared.registry().find(modelId).orElse(null));
        a.launched.complete(null);
        try {
            shared.workers().execute(() -> starter.adopt(a, r));
        } catch (RejectedExecutionException e) {
            fail(a, new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor is closed"));
        }
    }

    // ---------------------------------------------------------------- what a start reports

    /** The attempt's server was launched: it is the server's launch from now on. */
    void spawned(ServerRun r, DiscoveredModel model) {
        synchronized (this) {
            running = r;
            if (model != null) {
                lastModel = model;
            }
            if (r.launch().state() instanceof LaunchState.Running) {
                r.markRunning();
            }
            publishLocked();
        }
        // Registered only now, so that the handler finds the launch it is about.
        try {
            r.launch().ended().thenRunAsync(() -> onExit(r), shared.workers());
        } catch (RejectedExecutionException e) {
            LOG.debug("Supervisor closing; end of {} not watched", r.describe());
        }
    }

    /** The attempt's launch waits for a place, for {@code reason}. */
    void pending(StartAttempt a, String reason) {
        synchronized (this) {
            if (attempt != a || a.cancelled || (state == ServerState.PENDING && Objects.equals(reason, pendingReason))) {
                return;
            }
            boolean first = state != ServerState.PENDING;
            state = ServerState.PENDING;
            pendingReason = reason;
            if (first || reason != null) {
                notes.say(Level.INFO, "waiting for a place" + (reason == null ? "" : ": " + reason));
            }
            publishLocked();
        }
    }

    /** The attempt's launch runs: it loads now, and the start's deadline counts from here. */
    void running(StartAttempt a) {
        synchronized (this) {
            if (attempt != a || a.cancelled || state != ServerState.PENDING) {
                return;
            }
            state = a.restart ? ServerState.RESTARTING : ServerState.STARTING;
            pendingReason = null;
            publishLocked();
        }
    }

    /** The attempt's server answered its readiness probe. */
    void becameReady(StartAttempt a, ServerRun r) {
        ServerStatus ready;
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return;
            }
            attempt = null;
            state = ServerState.READY;
            health.reset();
            ready = publishLocked();
            LOG.info("llama-server for '{}' is ready at {} ({})", modelId, r.endpoint(), r.describe());
            // An end just after the probe would otherwise go unnoticed: its handler saw a start in progress.
            if (r.end() != null) {
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
    StartAttempt startAgain(StartAttempt a, ServerRun r) {
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return null;
            }
            if (running == r) {
                running = null;
            }
            attempt = new StartAttempt(a.restart, a.ready);
            return attempt;
        }
    }

    /** An attempt whose process ended before it was ready. */
    void ended(StartAttempt a, ServerRun r, Integer exitCode, MagiException error) {
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return;
            }
            attempt = null;
            pendingReason = null;
            if (running == r) {
                running = null;
            }
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
                pendingReason = null;
                // Only this attempt's launch can be here, and it was stopped.
                running = null;
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

    /** Runs once per launch when it ends, whatever the reason; only an end while ready is a crash. */
    private void onExit(ServerRun r) {
        synchronized (this) {
            if (running != r || state != ServerState.READY) {
                return;
            }
            crashedLocked(r);
            publishLocked();
        }
    }

    private void crashedLocked(ServerRun r) {
        running = null;
        LaunchState.Ended end = r.end();
        Integer code = end == null ? null : end.exitCode();
        lastExitCode = code;
        if (hung == r) {
            hung = null;
            crashLocked("llama-server for model '" + modelId + "' hung: GET /health did not answer for "
                    + HealthRule.UNHEALTHY_INTERVALS_TO_HUNG + " intervals after it turned unhealthy; "
                    + r.describe() + " was stopped (exit code " + code + ")");
            return;
        }
        List<String> tail = log.tailSince(r.logMark(), 1);
        String lastWords = tail.isEmpty() ? "" : ": " + tail.get(0);
        String why = end != null && end.reason() != null ? " (" + end.reason() + ")" : "";
        notes.say(Level.WARN, r.describe() + " exited with code " + code + " while ready" + why + lastWords);
        crashLocked("llama-server for model '" + modelId + "' exited with code " + code + " while ready" + why
                + lastWords);
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
        ServerRun r;
        synchronized (this) {
            if (state != ServerState.READY || running == null || probing) {
                return;
            }
            r = running;
            probing = true;
        }
        boolean answered = r.endpoint() != null && Network.isReady(r.endpoint());
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
                    if (r.end() != null) {
                        return;
                    }
                    hung = r;
                    notes.say(Level.WARN, "hung: unhealthy for " + HealthRule.UNHEALTHY_INTERVALS_TO_HUNG
                            + " intervals while " + r.describe() + " lives; stopping it to restart it");
                }
                default -> {
                    return;
                }
            }
        }
        // Outside the lock: the stop may wait for the stop timeout. The end is seen by onExit.
        r.launch().stop(options.stopTimeout());
    }

    // ---------------------------------------------------------------- stop

    /** Stops the server through its launch: asked to stop, the stop timeout, then forced. */
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
        ServerRun r;
        synchronized (this) {
            r = running;
        }
        Integer exitCode = null;
        if (r != null) {
            LaunchState.Ended end = r.launch().stop(options.stopTimeout());
            exitCode = end.exitCode();
            notes.say(Level.INFO, "stopped " + r.describe()
                    + (end.reason() != null ? " with " + end.reason() : "")
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
            pendingReason = null;
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
        ServerRun r = running;
        boolean alive = r != null && r.isRunning();
        Instant startedAt = r != null ? r.startedAt() : null;
        Integer port = r != null && r.port() != null ? r.port() : model != null ? model.port() : null;
        return new ServerStatus(
                modelId,
                model != null ? model.displayName() : modelId,
                port,
                r != null ? r.pid() : null,
                state,
                state == ServerState.READY,
                alive,
                alive && startedAt != null ? Duration.between(startedAt, Instant.now()).getSeconds() : null,
                model != null ? model.effectiveTier() : null,
                model != null && model.effectiveThinking(),
                restartCount,
                lastExitCode,
                state == ServerState.PENDING && pendingReason != null ? pendingReason : lastError,
                startedAt,
                state != ServerState.READY || health.healthy(), ServerTraffic.NONE, ServerRetention.NONE,
                shared.launcher().name(),
                r != null ? r.endpoint() : null,
                r != null ? launchDetails(r) : Map.of());
    }

    /** What the launch shows of itself besides the pid, which has a field of its own. */
    private static Map<String, Object> launchDetails(ServerRun r) {
        Map<String, Object> details = new LinkedHashMap<>(r.details());
        details.remove("pid");
        return details;
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

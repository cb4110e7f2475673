package dev.magi.core.supervision;

import dev.magi.core.events.Subscription;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The one owner of one model's server process and of its state. Every change of state happens under
 * this object's lock; the slow parts (spawning, probing, waiting for a process to end) happen outside
 * it, and each finds out afterwards, under the lock, whether it still speaks for the current attempt
 * or process ({@link Attempt} and {@link Running} are compared by identity).
 */
final class SupervisedServer {
    private static final Logger LOG = LoggerFactory.getLogger(SupervisedServer.class);
    /** Lines of output an error carries. */
    static final int ERROR_TAIL_LINES = 20;
    /** The shortest gap between two readiness probes, and the first one's delay. */
    private static final long FIRST_PROBE_DELAY_MS = 10;
    /**
     * The gap between probes grows with the time the server has been loading, as this fraction of it
     * (up to the readiness interval): a server that logs nothing is seen ready within about a tenth
     * of its load time, a few probes a second at most.
     */
    private static final long PROBE_GAP_DIVISOR = 10;
    /** How long to let the output threads finish reading a process that has exited. */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);
    /** What llama-server says when its port is taken: it exits 1 before loading anything. */
    private static final String BIND_FAILURE = "couldn't bind HTTP server socket";
    /**
     * Starts again on another port after a lost bind: another program can take an automatic port
     * between MAGI's check and llama-server's bind.
     */
    private static final int BIND_RETRIES = 3;

    /** What every server of a supervisor shares. */
    record Shared(ModelRegistry registry, SupervisorOptions options, ExecutorService workers,
                  ScheduledExecutorService scheduler, PidFile pids, Consumer<ServerStatus> publisher) {
    }

    /** One start of a process, from the request to ready (or failure); shared by concurrent callers. */
    private static final class Attempt {
        final boolean restart;
        /** Completes once the process is spawned, or exceptionally when it could not be. */
        final CompletableFuture<Void> launched = new CompletableFuture<>();
        /** Completes with the ready status, or exceptionally with why the start failed. */
        final CompletableFuture<ServerStatus> ready;
        volatile boolean cancelled;

        Attempt(boolean restart) {
            this(restart, new CompletableFuture<>());
        }

        /** The same start with a process of its own: a stop waits for its launch as for the first. */
        Attempt(boolean restart, CompletableFuture<ServerStatus> ready) {
            this.restart = restart;
            this.ready = ready;
        }
    }

    /** A spawned process and what belongs to it. */
    private record Running(Process process, int port, InetAddress address, Instant startedAt, long startedNanos,
                           long logMark, List<Thread> drainers) {
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

    private record Launch(List<String> command, int port, InetAddress address, DiscoveredModel model) {
    }

    private final String modelId;
    private final Shared shared;
    private final SupervisorOptions options;
    private final ServerLog log;

    // Guarded by this.
    private ServerState state = ServerState.STOPPED;
    private boolean everStarted;
    private DiscoveredModel lastModel;
    private Attempt attempt;
    private Running running;
    private int restartCount;
    private Integer lastExitCode;
    private String lastError;
    private final Deque<Instant> crashes = new ArrayDeque<>();
    private ScheduledFuture<?> pendingRestart;
    private long restartSequence;
    private CompletableFuture<ServerStatus> stopping;

    SupervisedServer(String modelId, Shared shared) {
        this.modelId = modelId;
        this.shared = shared;
        this.options = shared.options();
        this.log = new ServerLog(modelId, options.logFile(modelId), options.logFileMaxBytes(), options.logFilesKept());
    }

    String modelId() {
        return modelId;
    }

    ServerLog log() {
        return log;
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
            Attempt joined;
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
                        crashes.clear();
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
                return await(joined.ready);
            }
            await(joined.launched);
            return status();
        }
    }

    private Attempt beginLocked(boolean restart) {
        attempt = new Attempt(restart);
        state = restart ? ServerState.RESTARTING : ServerState.STARTING;
        publishLocked();
        return attempt;
    }

    private void launch(Attempt a) {
        try {
            shared.workers().execute(() -> run(a));
        } catch (RejectedExecutionException e) {
            fail(a, new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor is closed"));
        }
    }

    /**
     * One attempt, from the checks to ready or failure; runs on a worker thread. A process that lost
     * its automatic port to another program between the check and its bind is started again on the
     * next free port, up to {@link #BIND_RETRIES} times.
     */
    private void run(Attempt first) {
        Attempt a = first;
        Running r = null;
        try {
            for (int bindFailures = 0; ; bindFailures++) {
                Launch launch;
                try {
                    launch = prepare();
                } catch (RuntimeException e) {
                    fail(a, e);
                    return;
                }
                if (a.cancelled) {
                    a.launched.complete(null);
                    return;
                }
                try {
                    r = spawn(launch);
                } catch (RuntimeException e) {
                    fail(a, e);
                    return;
                }
                Running spawned = r;
                synchronized (this) {
                    running = spawned;
                    lastModel = launch.model();
                    publishLocked();
                }
                // Registered only now, so that the handler finds the process it is about.
                try {
                    r.process().onExit().thenRunAsync(() -> onExit(spawned), shared.workers());
                } catch (RejectedExecutionException e) {
                    LOG.debug("Supervisor closing; exit of pid {} not watched", r.process().pid());
                }
                a.launched.complete(null);
                Attempt again = awaitReady(a, r, bindFailures < BIND_RETRIES && !launch.model().portPinned());
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
            fail(a, t);
            if (t instanceof Error error) {
                throw error;
            }
        }
    }

    /** The checks of SPEC section 7 that come before a process: model, binary, port. */
    private Launch prepare() {
        ModelRegistry registry = shared.registry();
        DiscoveredModel model = requireRunnable(registry.require(modelId));
        checkBinary(options.llamaServerPath());
        InetAddress address = resolve(options.llamaHost());
        model = registry.ensurePort(modelId);
        int port = model.port();
        if (!Network.isFree(address, port)) {
            if (model.portPinned()) {
                throw portInUse(port, Map.of());
            }
            int taken = port;
            model = moveOff(taken, address);
            port = model.port();
            LOG.info("Port {} is in use by another program; model '{}' moves to port {}", taken, modelId, port);
        }
        return new Launch(LlamaServerCommand.of(options, model, port), port, address, model);
    }

    /** The model moved to the next port of the range that no model holds and nothing listens on. */
    private DiscoveredModel moveOff(int taken, InetAddress address) {
        return shared.registry().moveToFreePort(modelId, p -> p != taken && Network.isFree(address, p));
    }

    /** The user's port of this model is held by another program. */
    private MagiException portInUse(int port, Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.put("port", port);
        details.putAll(extra);
        return new MagiException(ErrorCode.PORT_IN_USE,
                "Port " + port + " of model '" + modelId + "' is in use by another program", details);
    }

    /** @throws MagiException {@link ErrorCode#MODEL_NOT_RUNNABLE} when a problem prevents running the model */
    static DiscoveredModel requireRunnable(DiscoveredModel model) {
        if (!model.isRunnable()) {
            throw new MagiException(ErrorCode.MODEL_NOT_RUNNABLE,
                    "Model '" + model.modelId() + "' cannot be started: " + String.join("; ", model.problemMessages()),
                    Map.of("modelId", model.modelId(), "problems", model.problemMessages()));
        }
        return model;
    }

    private void checkBinary(Path binary) {
        String problem = null;
        if (!Files.exists(binary)) {
            problem = "llama-server not found at " + binary;
        } else if (Files.isDirectory(binary) || !Files.isExecutable(binary)) {
            problem = "llama-server at " + binary + " is not an executable file";
        }
        if (problem != null) {
            throw startFailed(problem + " (set LLAMA_SERVER_PATH or --llama-server)", null, List.of(),
                    Map.of("path", binary.toString()));
        }
    }

    private InetAddress resolve(String host) {
        try {
            return InetAddress.getByName(host.trim());
        } catch (UnknownHostException e) {
            throw startFailed("LLAMA_SERVER_HOST '" + host + "' is not a known address", null, List.of(),
                    Map.of("host", host));
        }
    }

    private Running spawn(Launch launch) {
        Process process;
        try {
            process = new ProcessBuilder(launch.command()).start();
        } catch (IOException e) {
            throw startFailed("Cannot run " + launch.command().get(0) + ": " + e.getMessage(), null, List.of(),
                    Map.of("path", launch.command().get(0)));
        }
        try {
            // llama-server reads nothing; an input at end-of-file says so.
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Nothing was written; nothing is lost.
        }
        long mark = log.total();
        log.note("started pid " + process.pid() + ": " + String.join(" ", launch.command()));
        List<Thread> drainers = List.of(
                log.drain(process.getInputStream(), LogLine.STDOUT, process.pid()),
                log.drain(process.getErrorStream(), LogLine.STDERR, process.pid()));
        shared.pids().put(modelId, process, launch.command());
        LOG.info("Started llama-server for '{}' on port {} (pid {})", modelId, launch.port(), process.pid());
        return new Running(process, launch.port(), launch.address(), Instant.now(), System.nanoTime(), mark,
                drainers);
    }

    /**
     * Probes {@code /health} fast at first, backing off to the readiness interval, until ready or
     * failed: the gap is a tenth of the time the server has been loading, between 10 ms and the
     * interval. Output from the server brings the next probe forward: llama-server logs as it turns
     * ready ("model loaded", "server is listening", "all slots are idle"), so readiness is seen
     * within milliseconds however far the back-off has grown; a server that logs nothing is still
     * found by the back-off. The process exiting wakes the loop at once too.
     */
    /**
     * Answers null once the attempt is decided (ready, failed or cancelled), or the attempt that goes
     * on with another process when this one lost its port to another program.
     */
    private Attempt awaitReady(Attempt a, Running r, boolean mayMovePort) {
        long deadline = r.startedNanos() + options.maxStartupTime().toNanos();
        long longest = Math.max(FIRST_PROBE_DELAY_MS, options.readinessInterval().toMillis());
        Wakeup wakeup = new Wakeup();
        Subscription output = log.subscribe(0, line -> wakeup.signal());
        r.process().onExit().thenRun(wakeup::signal);
        try {
            while (true) {
                if (a.cancelled) {
                    return null;
                }
                if (!r.process().isAlive()) {
                    return exitedWhileStarting(a, r, mayMovePort);
                }
                long probed = System.nanoTime();
                if (Network.isReady(options.llamaHost(), r.port())) {
                    becameReady(a, r);
                    return null;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    timedOut(a, r);
                    return null;
                }
                long loading = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - r.startedNanos());
                long gap = Math.max(FIRST_PROBE_DELAY_MS, Math.min(loading / PROBE_GAP_DIVISOR, longest));
                if (wakeup.await(Math.min(gap, TimeUnit.NANOSECONDS.toMillis(left) + 1))) {
                    // Output comes in bursts while a model loads: probe at most every FIRST_PROBE_DELAY_MS.
                    long since = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probed);
                    if (since < FIRST_PROBE_DELAY_MS && r.process().isAlive()) {
                        Thread.sleep(FIRST_PROBE_DELAY_MS - since);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(a, new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "The supervisor is closing"));
            return null;
        } finally {
            output.close();
        }
    }

    /** Wakes the readiness loop early; signals that come while nobody waits are kept for the next wait. */
    private static final class Wakeup {
        private boolean signalled;

        synchronized void signal() {
            signalled = true;
            notifyAll();
        }

        /** Waits until signalled or {@code millis} pass; answers whether it was signalled, and clears it. */
        synchronized boolean await(long millis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (!signalled) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            signalled = false;
            return true;
        }
    }

    private void becameReady(Attempt a, Running r) {
        ServerStatus ready;
        synchronized (this) {
            if (attempt != a || a.cancelled) {
                return;
            }
            attempt = null;
            state = ServerState.READY;
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
     * Fails the attempt, or, when the process lost its port to another program, answers the attempt
     * that goes on with another port; answers null otherwise.
     */
    private Attempt exitedWhileStarting(Attempt a, Running r, boolean mayMovePort) {
        r.awaitDrained();
        int code = r.process().exitValue();
        List<String> tail = log.tailSince(r.logMark(), ERROR_TAIL_LINES);
        boolean lostPort = code != 0 && tail.stream().anyMatch(line -> line.contains(BIND_FAILURE));
        if (lostPort && mayMovePort) {
            int taken = r.port();
            DiscoveredModel moved = null;
            try {
                moved = moveOff(taken, r.address());
            } catch (MagiException e) {
                LOG.warn("'{}' lost port {} to another program and cannot move: {}", modelId, taken, e.getMessage());
            }
            if (moved != null) {
                Attempt again;
                synchronized (this) {
                    if (attempt != a || a.cancelled) {
                        return null;
                    }
                    if (running == r) {
                        running = null;
                    }
                    shared.pids().remove(modelId, r.process().pid());
                    again = new Attempt(a.restart, a.ready);
                    attempt = again;
                }
                String note = "port " + taken + " was taken by another program before llama-server could bind"
                        + " it; starting again on port " + moved.port();
                log.note(note);
                LOG.info("'{}': {}", modelId, note);
                return again;
            }
        }
        String message = "llama-server for model '" + modelId + "' exited with code " + code + " while starting"
                + (tail.isEmpty() ? "" : ": " + tail.get(tail.size() - 1));
        log.note("pid " + r.process().pid() + " exited with code " + code + " while starting");
        if (lostPort && shared.registry().find(modelId).map(DiscoveredModel::portPinned).orElse(false)) {
            // The user's port, taken after the check: the same answer as when the check finds it taken.
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("exitCode", code);
            extra.put("logTail", List.copyOf(tail));
            ended(a, r, code, portInUse(r.port(), extra));
            return null;
        }
        ended(a, r, code, startFailed(message, code, tail, Map.of()));
        return null;
    }

    private void timedOut(Attempt a, Running r) {
        LOG.warn("llama-server for '{}' is not ready after {} s; stopping it", modelId,
                options.maxStartupTime().toSeconds());
        ProcessTrees.terminate(List.of(r.process().toHandle()), options.stopTimeout());
        r.awaitDrained();
        List<String> tail = log.tailSince(r.logMark(), ERROR_TAIL_LINES);
        String message = "llama-server for model '" + modelId + "' did not become ready within "
                + seconds(options.maxStartupTime()) + " s and was stopped";
        log.note("pid " + r.process().pid() + " not ready in time; stopped");
        Integer exitCode = r.exitCode();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.put("maxStartupSeconds", options.maxStartupTime().toMillis() / 1000.0);
        details.put("exitCode", exitCode);
        details.put("logTail", tail);
        ended(a, r, exitCode, new MagiException(ErrorCode.SERVER_START_TIMEOUT, message, details));
    }

    /** An attempt whose process ended before it was ready. */
    private void ended(Attempt a, Running r, Integer exitCode, MagiException error) {
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
    private void fail(Attempt a, Throwable error) {
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
    private void onExit(Running r) {
        r.awaitDrained();
        synchronized (this) {
            if (running != r || state != ServerState.READY) {
                return;
            }
            crashedLocked(r);
            publishLocked();
        }
    }

    private void crashedLocked(Running r) {
        running = null;
        shared.pids().remove(modelId, r.process().pid());
        int code = r.process().exitValue();
        lastExitCode = code;
        List<String> tail = log.tailSince(r.logMark(), 1);
        String message = "llama-server for model '" + modelId + "' exited with code " + code + " while ready"
                + (tail.isEmpty() ? "" : ": " + tail.get(0));
        log.note("pid " + r.process().pid() + " exited with code " + code + " while ready");
        LOG.warn("{}", message);
        crashLocked(message);
    }

    /** Counts a crash: restart after a back-off, or give up after too many within the window. */
    private void crashLocked(String message) {
        Instant now = Instant.now();
        crashes.addLast(now);
        while (!crashes.isEmpty() && crashes.peekFirst().isBefore(now.minus(options.crashWindow()))) {
            crashes.removeFirst();
        }
        if (crashes.size() >= options.crashLimit()) {
            state = ServerState.FAILED;
            lastError = message + " (" + crashes.size() + " crashes within "
                    + options.crashWindow().toMinutes() + " minutes; not restarted again)";
            LOG.error("Giving up on '{}': {}", modelId, lastError);
            return;
        }
        state = ServerState.RESTARTING;
        lastError = message;
        restartCount++;
        Duration delay = backOff(crashes.size());
        long sequence = ++restartSequence;
        LOG.info("Restarting '{}' in {} ms (restart {})", modelId, delay.toMillis(), restartCount);
        try {
            pendingRestart = shared.scheduler().schedule(() -> restartNow(sequence), delay.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            state = ServerState.FAILED;
        }
    }

    /** 1 s, 2 s, 4 s ... at most the maximum, for the first, second, third ... crash in the window. */
    Duration backOff(int crashesInWindow) {
        Duration delay = options.firstRestartDelay();
        for (int i = 1; i < crashesInWindow && delay.compareTo(options.maxRestartDelay()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(options.maxRestartDelay()) > 0 ? options.maxRestartDelay() : delay;
    }

    private void restartNow(long sequence) {
        Attempt a;
        synchronized (this) {
            if (sequence != restartSequence || pendingRestart == null || state != ServerState.RESTARTING
                    || attempt != null) {
                return;
            }
            pendingRestart = null;
            a = beginLocked(true);
        }
        launch(a);
    }

    private void cancelPendingRestartLocked() {
        if (pendingRestart != null) {
            pendingRestart.cancel(false);
            pendingRestart = null;
        }
        restartSequence++;
    }

    // ---------------------------------------------------------------- stop

    /** Stops the server: SIGTERM to the process and its descendants, the stop timeout, then SIGKILL. */
    ServerStatus stop() {
        Attempt cancelled = null;
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

    private ServerStatus terminate(Attempt cancelled) {
        if (cancelled != null) {
            cancelled.ready.completeExceptionally(new MagiException(ErrorCode.SERVER_START_FAILED,
                    "The start of model '" + modelId + "' was cancelled by a stop", Map.of("modelId", modelId)));
            // The attempt may be spawning right now; its process is known once it is launched.
            cancelled.launched.exceptionally(e -> null).join();
        }
        Running r;
        synchronized (this) {
            r = running;
        }
        Integer exitCode = null;
        if (r != null) {
            boolean killed = ProcessTrees.terminate(List.of(r.process().toHandle()), options.stopTimeout());
            r.awaitDrained();
            exitCode = r.exitCode();
            shared.pids().remove(modelId, r.process().pid());
            log.note("pid " + r.process().pid() + " stopped" + (killed ? " with SIGKILL" : "")
                    + (exitCode != null ? ", exit code " + exitCode : ""));
            LOG.info("Stopped llama-server for '{}' (pid {}{})", modelId, r.process().pid(),
                    killed ? ", killed after ignoring SIGTERM" : "");
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
        Running r = running;
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
                r != null ? r.startedAt() : null);
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

    // ---------------------------------------------------------------- helpers

    private MagiException startFailed(String message, Integer exitCode, List<String> logTail,
                                      Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.putAll(extra);
        details.put("exitCode", exitCode);
        details.put("logTail", List.copyOf(logTail));
        return new MagiException(ErrorCode.SERVER_START_FAILED, message, details);
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? Long.toString(duration.toSeconds())
                : Double.toString(duration.toMillis() / 1000.0);
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}

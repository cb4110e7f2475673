package dev.magi.core.supervision;

import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.util.Subscription;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LeftRunning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one {@code llama-server} per model (docs/supervision.md) through a {@link Launcher}
 * (docs/launchers.md) and answers what they are doing.
 *
 * <p>Starting is shared: callers starting one model at the same time get the same server. A stop
 * cancels a start in progress. A server that exits on its own while ready is restarted with
 * back-off, and left {@link ServerState#FAILED failed} after too many crashes. Creating a supervisor
 * deals with what a previous MAGI left running, as its launcher finds it: it adopts the servers that
 * can be adopted whose model can run, and stops the others; a JVM shutdown hook and {@link #close()}
 * stop every server, so no server outlives MAGI.
 *
 * <p>Errors are {@link MagiException}s: {@link ErrorCode#MODEL_NOT_FOUND},
 * {@link ErrorCode#MODEL_NOT_RUNNABLE}, {@link ErrorCode#PORT_IN_USE},
 * {@link ErrorCode#PORT_RANGE_EXHAUSTED}, {@link ErrorCode#SERVER_START_FAILED} (with details
 * {@code exitCode} and {@code logTail}; also for a missing or non-executable binary, with its
 * {@code path}), {@link ErrorCode#SERVER_START_TIMEOUT}, and {@link ErrorCode#START_CANCELLED} for a start
 * a stop called off.
 */
public final class ServerSupervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerSupervisor.class);

    private final ModelRegistry registry;
    private final SupervisorOptions options;
    private final ConcurrentHashMap<String, SupervisedServer> servers = new ConcurrentHashMap<>();
    private final List<Consumer<ServerStatus>> listeners = new CopyOnWriteArrayList<>();
    private final ExecutorService workers;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService events;
    private final Launcher launcher;
    private final SupervisedServer.Shared shared;
    private final Thread shutdownHook;
    /** Set by whichever comes first: {@link #close()} or the JVM's shutdown hook. */
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completes once that first one has stopped every server. */
    private final CompletableFuture<Void> allStopped = new CompletableFuture<>();

    /**
     * Creates the supervisor, which owns {@code launcher} from now on (closing the supervisor closes
     * it), and deals with what a previous MAGI of this installation left running.
     */
    public ServerSupervisor(ModelRegistry registry, SupervisorOptions options, Launcher launcher) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.options = Objects.requireNonNull(options, "options");
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.workers = Executors.newCachedThreadPool(daemonThreads("magi-supervisor"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("magi-restarts"));
        this.events = Executors.newSingleThreadExecutor(daemonThreads("magi-server-events"));
        this.shared = new SupervisedServer.Shared(registry, options, workers, scheduler, launcher, this::publish);
        settleLeftovers();
        this.shutdownHook = new Thread(this::stopAllAtExit, "magi-supervisor-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    public SupervisorOptions options() {
        return options;
    }

    /** The name of the launcher that runs the servers. */
    public String launcherName() {
        return launcher.name();
    }

    /**
     * When the restart of the model's crashed server is due, while it waits out its back-off; empty
     * when it does not wait (running, starting, stopped, failed, or never started).
     */
    public Optional<Instant> restartDue(String modelId) {
        SupervisedServer server = servers.get(modelId);
        return server == null ? Optional.empty() : server.restartDue();
    }

    /**
     * Probes every ready server's {@code GET /health} each {@code interval} (asked again before each
     * round) from now until {@link #close()}: a server that fails twice in a row is unhealthy, one
     * that stays unhealthy three more intervals while its process lives is stopped and restarted like
     * a crashed one. Call once.
     */
    public void checkHealthEvery(Supplier<Duration> interval) {
        ensureOpen();
        new HealthChecks(servers::values, interval, scheduler, workers).start();
    }

    /**
     * Starts the server of a model, or joins the start in progress, or answers the ready server.
     *
     * @param waitUntilReady true: return once the server is ready (or throw why it is not); false:
     *                       return once the process is spawned, in state {@code starting}, having
     *                       thrown at once what the checks before the process found
     * @throws MagiException see the class comment
     */
    public ServerStatus start(String modelId, boolean waitUntilReady) {
        ensureOpen();
        LaunchSpecs.requireRunnable(registry.require(modelId));
        return server(modelId, true).start(waitUntilReady);
    }

    /**
     * Stops the server of a model (SIGTERM to it and its descendants, {@code STOP_TIMEOUT}, then
     * SIGKILL), cancelling a start in progress. Stopping a stopped server answers its status.
     *
     * @throws MagiException {@link ErrorCode#MODEL_NOT_FOUND} for an id neither the registry nor this
     *                       supervisor knows
     */
    public ServerStatus stop(String modelId) {
        SupervisedServer server = servers.get(modelId);
        if (server == null) {
            registry.require(modelId);
            return server(modelId, true).status();
        }
        return server.stop();
    }

    /**
     * Starts several servers at once and waits until each is ready or failed.
     * Unknown and unrunnable models are reported as failures, like any other.
     */
    public StartAllResult startAll(Collection<String> modelIds) {
        ensureOpen();
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(modelIds));
        List<CompletableFuture<Object>> outcomes = new ArrayList<>();
        for (String id : ids) {
            outcomes.add(CompletableFuture.supplyAsync(() -> startOne(id), workers));
        }
        List<String> started = new ArrayList<>();
        List<String> alreadyRunning = new ArrayList<>();
        List<StartAllResult.Failure> failed = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            Object outcome = outcomes.get(i).join();
            if (outcome instanceof StartAllResult.Failure failure) {
                failed.add(failure);
            } else if (Boolean.TRUE.equals(outcome)) {
                started.add(ids.get(i));
            } else {
                alreadyRunning.add(ids.get(i));
            }
        }
        return new StartAllResult(started, alreadyRunning, failed);
    }

    /** True when started, false when it was ready already, else the failure. */
    private Object startOne(String id) {
        try {
            SupervisedServer existing = servers.get(id);
            if (existing != null && existing.state() == ServerState.READY) {
                return Boolean.FALSE;
            }
            start(id, true);
            return Boolean.TRUE;
        } catch (MagiException e) {
            return new StartAllResult.Failure(id, e.code().wireName(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Starting '{}' failed unexpectedly", id, e);
            return new StartAllResult.Failure(id, ErrorCode.INTERNAL_ERROR.wireName(), "Unexpected error: " + e);
        }
    }

    /** Stops every server at once; answers how many were running or starting. */
    public int stopAll() {
        List<CompletableFuture<ServerStatus>> stops = new ArrayList<>();
        for (SupervisedServer server : servers.values()) {
            ServerState state = server.state();
            if (state != ServerState.STOPPED && state != ServerState.FAILED) {
                try {
                    stops.add(CompletableFuture.supplyAsync(server::stop, workers));
                } catch (RejectedExecutionException e) {
                    stops.add(CompletableFuture.completedFuture(server.stop()));
                }
            }
        }
        for (CompletableFuture<ServerStatus> stop : stops) {
            try {
                stop.join();
            } catch (RuntimeException e) {
                LOG.error("Stopping a server failed", e);
            }
        }
        return stops.size();
    }

    /**
     * Stops, in the background, every running or starting server whose model is no longer in the
     * registry: its file is gone, and a server left running would hold memory and a port that the
     * registry has released. Answers the ids of the servers being stopped; their state changes reach
     * the listeners as any other stop does.
     */
    public List<String> stopServersOfRemovedModels() {
        List<String> removed = new ArrayList<>();
        for (SupervisedServer server : servers.values()) {
            ServerState state = server.state();
            if (state == ServerState.STOPPED || state == ServerState.FAILED
                    || registry.find(server.modelId()).isPresent()) {
                continue;
            }
            removed.add(server.modelId());
            LOG.info("The file of '{}' is gone: stopping its server", server.modelId());
            try {
                CompletableFuture.runAsync(server::stop, workers).exceptionally(e -> {
                    LOG.error("Stopping the server of '{}' failed", server.modelId(), e);
                    return null;
                });
            } catch (RejectedExecutionException e) {
                // Closing: close() stops every server anyway.
            }
        }
        removed.sort(Comparator.naturalOrder());
        return removed;
    }

    /** Every server started since this supervisor was created, whatever its state, by model id. */
    public List<ServerStatus> servers() {
        List<ServerStatus> all = new ArrayList<>();
        for (SupervisedServer server : servers.values()) {
            if (server.everStarted()) {
                all.add(server.status());
            }
        }
        all.sort(Comparator.comparing(ServerStatus::modelId));
        return all;
    }

    /**
     * The server of a model: {@code stopped} for a model that was never started, empty for an id
     * neither the registry nor this supervisor knows.
     */
    public Optional<ServerStatus> server(String modelId) {
        SupervisedServer server = servers.get(modelId);
        if (server != null) {
            return Optional.of(server.status());
        }
        Optional<DiscoveredModel> model = registry.find(modelId);
        return model.map(m -> server(modelId, true).status());
    }

    /**
     * The last {@code tail} lines (at most 1,000) a model's server wrote, oldest first.
     *
     * @throws MagiException {@link ErrorCode#MODEL_NOT_FOUND}
     */
    public List<LogLine> logs(String modelId, int tail) {
        return known(modelId).log().tail(tail);
    }

    /** Follows a model's server output: every new line, as it is read. See {@link #subscribeLogs(String, int, Consumer)}. */
    public Subscription subscribeLogs(String modelId, Consumer<LogLine> subscriber) {
        return subscribeLogs(modelId, 0, subscriber);
    }

    /**
     * Hands {@code subscriber} the last {@code tail} lines, then every new line, in order, with none
     * lost or repeated in between. The subscriber runs on the thread that drains the server's output,
     * so it must not block, nor do much work per line; one that throws is unsubscribed. Whoever sends
     * the lines on (over a network) uses {@link #followLogs} instead, whose buffer the server never waits
     * for.
     *
     * @throws MagiException {@link ErrorCode#MODEL_NOT_FOUND}
     */
    public Subscription subscribeLogs(String modelId, int tail, Consumer<LogLine> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        return known(modelId).log().subscribe(tail, subscriber);
    }

    /**
     * Follows a model's server output through a buffer of {@value LogFollower#CAPACITY} lines: the last
     * {@code tail} lines, then every new line, taken with {@link LogFollower#take()}. The server never
     * waits for the follower: one that falls behind loses lines and is told how many. {@code onLines}
     * runs on the thread that drains the server's output when lines arrive for a follower that had
     * none waiting; it must not block (it schedules the follower's next send, say).
     *
     * @throws MagiException {@link ErrorCode#MODEL_NOT_FOUND}
     */
    public LogFollower followLogs(String modelId, int tail, Runnable onLines) {
        Objects.requireNonNull(onLines, "onLines");
        return known(modelId).log().follow(tail, LogFollower.CAPACITY, onLines);
    }

    /**
     * Calls {@code listener} with a server's status after each change of its state, in the order of
     * the changes, on one thread of the supervisor's own (a slow listener delays the ones after it,
     * never a server).
     */
    public Subscription addListener(Consumer<ServerStatus> listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * Stops every server and releases the supervisor's threads; closing twice is harmless. Returns
     * only once every server is stopped, also when the JVM's shutdown hook began stopping them first
     * (a host that halts the JVM after closing must not cut that stop short).
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            allStopped.exceptionally(e -> null).join();
            return;
        }
        try {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running or has run.
            }
            int stopped = stopAll();
            workers.shutdownNow();
            scheduler.shutdownNow();
            events.shutdown();
            for (SupervisedServer server : servers.values()) {
                server.log().close();
            }
            try {
                launcher.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the launcher '{}' failed: {}", launcher.name(), e.toString());
            }
            LOG.info("Supervisor closed; {} server(s) stopped", stopped);
        } finally {
            allStopped.complete(null);
        }
    }

    // ---------------------------------------------------------------- internals

    private SupervisedServer server(String modelId, boolean create) {
        SupervisedServer server = servers.get(modelId);
        if (server == null && create) {
            server = servers.computeIfAbsent(modelId, id -> new SupervisedServer(id, shared));
        }
        return server;
    }

    private SupervisedServer known(String modelId) {
        SupervisedServer server = servers.get(modelId);
        if (server != null) {
            return server;
        }
        registry.require(modelId);
        return server(modelId, true);
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new MagiException(ErrorCode.SERVICE_UNAVAILABLE, "The server supervisor is closed");
        }
    }

    private void publish(ServerStatus status) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            events.execute(() -> {
                for (Consumer<ServerStatus> listener : listeners) {
                    try {
                        listener.accept(status);
                    } catch (RuntimeException e) {
                        LOG.warn("A server state listener failed: {}", e.toString());
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed: nobody is listening any more.
        }
    }

    private void stopAllAtExit() {
        if (closed.compareAndSet(false, true)) {
            try {
                LOG.info("JVM shutting down: stopping every llama-server");
                stopAll();
            } finally {
                allStopped.complete(null);
            }
        }
    }

    /**
     * Adopts what a previous MAGI left running when it can be adopted and its model is in the registry
     * and can run; stops everything else, all at once, and waits for those stops.
     */
    private void settleLeftovers() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (LeftRunning left : launcher.leftRunning()) {
            boolean runnable = registry.find(left.modelId()).map(DiscoveredModel::isRunnable).orElse(false);
            if (left.adoptable() && runnable && !servers.containsKey(left.modelId())) {
                LOG.info("Adopting llama-server of model '{}' ({}) left running by a previous MAGI", left.modelId(),
                        left.describe());
                server(left.modelId(), true).adopt(left);
                continue;
            }
            LOG.warn("Stopping llama-server of model '{}' ({}) left running by a previous MAGI", left.modelId(),
                    left.describe());
            stops.add(CompletableFuture.runAsync(() -> left.stop(options.stopTimeout()), workers));
        }
        for (CompletableFuture<Void> stop : stops) {
            try {
                stop.join();
            } catch (RuntimeException e) {
                LOG.error("Stopping a server left by a previous MAGI failed", e);
            }
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** For tests: the servers by id, including those never started. */
    Map<String, SupervisedServer> serversById() {
        return servers;
    }
}

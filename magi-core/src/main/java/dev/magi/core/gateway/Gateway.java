package dev.magi.core.gateway;

import dev.magi.core.config.MagiConfig;
import dev.magi.core.events.EventHub;
import dev.magi.core.gateway.auto.TierForScore;
import dev.magi.core.memory.EvictionPlan;
import dev.magi.core.memory.LoadedServer;
import dev.magi.core.memory.ModelMemory;
import dev.magi.core.profile.ProfileService;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.supervision.ServerRetention;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.core.supervision.ServerTraffic;
import dev.magi.core.util.Subscription;
import dev.magi.spi.ComplexityScorer;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.LoadBalancing;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's one owner of queues and in-flight counts: it admits a request (resolves its
 * {@code model}, chooses a server, starts it on demand) and hands back, once that server is ready and
 * has a free slot, a {@link Lease} on the slot. Waiting costs a future, not a thread: one thread per
 * model being started does the start, and a release hands the slot to the next waiter.
 *
 * <p>Requests that arrive while a model starts share that one start: {@link ServerSupervisor#start}
 * joins a start in progress. Limits: {@code --queue-limit} waiters per model and
 * {@value #TOTAL_QUEUE_LIMIT} in all ({@code queue_full}), {@code --queue-timeout} per wait
 * ({@code queue_timeout}). A start that fails answers every waiter {@code model_load_failed} with the
 * exit code and the last log lines.
 */
public final class Gateway implements AutoCloseable {
    /** Requests that may wait in all, whatever each model's limit. */
    public static final int TOTAL_QUEUE_LIMIT = MagiConfig.MAX_QUEUE_LIMIT;
    /** Sessions remembered for stickiness; the least recently seen are forgotten beyond it. */
    static final int SESSIONS = 10_000;
    /** What a client refused for a full queue is told to wait before asking again. */
    static final int QUEUE_FULL_RETRY_SECONDS = 5;
    private static final int LOG_LINES_IN_ERRORS = 5;
    private static final Set<ServerState> RUNNING = EnumSet.of(ServerState.STARTING, ServerState.READY,
            ServerState.RESTARTING, ServerState.PENDING);
    private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

    private final ModelRegistry registry;
    private final ProfileService profiles;
    private final ServerSupervisor supervisor;
    private final ComplexityScorer scorer;
    private final int queueLimit;
    private final Duration queueTimeout;
    private final Balancer balancer = new Balancer(new Random());
    private final SessionMemory sessions = new SessionMemory(SESSIONS, SessionMemory.DEFAULT_TIER_HOLD,
            Clock.systemUTC());
    private final SlotProbe slotProbe = new SlotProbe();
    private final IdleUnload idleUnload;
    private final MemoryAdmission memory;
    private final ServerOrigins origins = new ServerOrigins();
    private final StartBackOff startBackOff;
    private final ExecutorService starters;
    private final ScheduledExecutorService timers;
    private final Subscription serverListener;
    private final RequestLog requests = new RequestLog();
    private final List<GatewayObserver> observers = new CopyOnWriteArrayList<>(List.of(requests));
    private volatile GatewayEvents queueEvents;

    private final Object lock = new Object();
    private final Map<String, ModelLane> lanes = new HashMap<>();
    private int queuedTotal;
    private boolean closed;
    /** Counts the moments room may have been made (a server idle or stopped), so a plan can tell it missed one. */
    private final AtomicLong roomChanges = new AtomicLong();

    public Gateway(ModelRegistry registry, ProfileService profiles, ServerSupervisor supervisor,
                   ComplexityScorer scorer, MagiConfig config) {
        this.registry = registry;
        this.profiles = profiles;
        this.supervisor = supervisor;
        this.scorer = scorer;
        this.queueLimit = config.queueLimit();
        this.queueTimeout = config.queueTimeout();
        this.starters = Executors.newCachedThreadPool(daemonThreads("magi-gateway-start"));
        this.timers = Executors.newSingleThreadScheduledExecutor(daemonThreads("magi-gateway-timer"));
        this.idleUnload = new IdleUnload(config.idleTtl());
        this.memory = new MemoryAdmission(config.memoryBudget(), config.maxLoadedModels());
        this.startBackOff = new StartBackOff(supervisor.options().firstRestartDelay(),
                supervisor.options().maxRestartDelay());
        timers.scheduleWithFixedDelay(this::unloadIdle, 1, 1, TimeUnit.SECONDS);
        this.serverListener = supervisor.addListener(status -> {
            // A server that stopped, whoever stopped it, was started by nobody as far as unloading goes.
            if (status.state() == ServerState.STOPPED || status.state() == ServerState.FAILED) {
                origins.stopped(status.modelId());
                roomMayHaveChanged();
            }
            if (status.state() == ServerState.READY) {
                startBackOff.ready(status.modelId());
            }
            followRun(status.modelId());
        });
    }

    /**
     * Admits a request: the future completes with a lease once a server can take it, or fails with a
     * {@link GatewayException} saying why not. Cancelling the future takes the request out of its
     * queue; a lease handed out must be closed when the request ends.
     */
    public CompletableFuture<Lease> admit(Admission request) {
        try {
            return enqueue(route(request));
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * How {@code auto} scores a request, with the active profile's two-stage settings; empty when its
     * {@code model} is not {@code auto}, or names nothing (admitting it then says so).
     */
    public Optional<AutoScore> scoreAuto(Admission request) {
        Map<String, DiscoveredModel> models = registry.snapshot().models();
        Target target;
        try {
            target = ModelResolver.resolve(request.model(), models, aliases(models));
        } catch (GatewayException e) {
            return Optional.empty();
        }
        if (!(target instanceof Target.Auto)) {
            return Optional.empty();
        }
        ModelProfile profile = activeProfile();
        double score = scorer.score(request.text() == null ? "" : request.text());
        Tier scored = TierForScore.choose(score, profile == null ? List.of() : profile.tierConfig());
        Optional<Tier> floor = sessions.tierFloor(request.session());
        if (floor.isPresent() && floor.get().ordinal() > scored.ordinal()) {
            scored = floor.get();
        }
        return Optional.of(new AutoScore(score, scored, profile == null ? TwoStage.DEFAULT : profile.twoStage()));
    }

    /**
     * A lease on a model's ready server that holds none of its slots, for reading its own pages
     * ({@code GET /upstream/ID/props}, {@code /slots}, its web page): a read should not wait behind
     * generations, nor start a server. Closing it frees nothing.
     *
     * @throws GatewayException {@code model_not_found} when no runnable model has this id,
     *                          {@code model_not_running} when its server is not ready
     */
    public Lease readingLease(String modelId) {
        DiscoveredModel model = registry.snapshot().models().get(modelId);
        if (model == null || !model.isRunnable()) {
            throw new GatewayException(GatewayError.MODEL_NOT_FOUND, "No runnable model has the id '"
                    + modelId.replaceAll("\\p{Cntrl}", "?") + "'", "model", null);
        }
        ServerStatus status = supervisor.server(modelId).orElse(null);
        if (status == null || !status.isReady()) {
            throw new GatewayException(GatewayError.MODEL_NOT_RUNNING, "The server of '" + modelId + "' is "
                    + (status == null ? ServerState.STOPPED : status.state()).name().toLowerCase(Locale.ROOT)
                    + ": GET and HEAD do not start it; start it with POST /api/models/servers/" + modelId
                    + "/start, or send any other method to /upstream/" + modelId + "/...", "model", null);
        }
        return new Lease(modelId, baseUri(status), model.effectiveTier(), Route.MODEL, null, 0, 0, () -> {
        });
    }

    /** Who started a model's running server, when someone said: the gateway, the API or a profile. */
    public Optional<StartedBy> startedBy(String modelId) {
        return origins.of(modelId);
    }

    /**
     * Notes that {@code modelId}'s server was started, or found running, through the API or a profile
     * activation: it is pinned from now on (never unloaded for idleness), even if the gateway started it.
     */
    public void startedThrough(String modelId, StartedBy by) {
        origins.startedThrough(modelId, by);
    }

    /** Who started {@code modelId}'s server and when idle unload stops it, for its record in {@code GET /servers}. */
    public ServerRetention retention(String modelId) {
        Integer ttl = Optional.ofNullable(registry.snapshot().models().get(modelId))
                .map(DiscoveredModel::ttlSeconds).orElse(null);
        Instant expires = null;
        Instant lastRequest;
        synchronized (lock) {
            ModelLane lane = lanes.get(modelId);
            lastRequest = lane == null ? null : lane.lastRequestAt;
            if (lane != null && unloadableLocked(lane)) {
                expires = idleUnload.expiresAt(new IdleUnload.Server(modelId, false, lane.busy(), lane.lastUsed, ttl))
                        .orElse(null);
            }
        }
        Optional<StartedBy> by = origins.of(modelId);
        return new ServerRetention(by.map(StartedBy::wireName).orElse(null), origins.pinned(modelId), lastRequest,
                expires);
    }

    /** Adds a watcher of requests, starts and unloads; it is told from now on. */
    public void addObserver(GatewayObserver observer) {
        observers.add(Objects.requireNonNull(observer, "observer"));
    }

    /** Sends the gateway's starts, unloads and (coalesced) queue changes to the {@code /events} stream. */
    public void publishTo(EventHub events) {
        GatewayEvents gatewayEvents = new GatewayEvents(events, timers);
        addObserver(gatewayEvents);
        queueEvents = gatewayEvents;
    }

    /** Tells every watcher that a request ended: the HTTP layer calls it once per request. */
    public void requestEnded(RequestRecord request) {
        observers.forEach(observer -> observer.requestEnded(request));
    }

    /** Tells every watcher that a server was unloaded, and why ({@code idle}, {@code evicted}, {@code hung}). */
    public void unloaded(String modelId, String reason) {
        observers.forEach(observer -> observer.unloaded(modelId, reason));
    }

    /** The last requests, for {@code GET /api/gateway/requests}. */
    public RequestLog requests() {
        return requests;
    }

    /** What the gateway sends {@code modelId}'s server now, for its record in {@code GET /servers}. */
    public ServerTraffic traffic(String modelId) {
        synchronized (lock) {
            ModelLane lane = lanes.get(modelId);
            return lane == null ? ServerTraffic.NONE : new ServerTraffic(lane.inFlight, lane.waiters.size(),
                    lane.ready && lane.slotsRead ? lane.slots : 0, lane.requestsTotal);
        }
    }

    /** Requests waiting for a slot of any server now. */
    public int queuedTotal() {
        synchronized (lock) {
            return queuedTotal;
        }
    }

    /** Requests waiting for a slot of {@code modelId}'s server now. */
    public int queued(String modelId) {
        synchronized (lock) {
            ModelLane lane = lanes.get(modelId);
            return lane == null ? 0 : lane.waiters.size();
        }
    }

    /** Requests {@code modelId}'s server is serving through the gateway now. */
    public int inFlight(String modelId) {
        synchronized (lock) {
            ModelLane lane = lanes.get(modelId);
            return lane == null ? 0 : lane.inFlight;
        }
    }

    /** The memory budget and what the running servers hold of it now. */
    public MemoryUse memory() {
        List<LoadedServer> loaded = loaded(supervisor.servers());
        return new MemoryUse(memory.budgetBytes(), MemoryAdmission.reservedBytes(loaded), memory.maxLoadedModels());
    }

    /**
     * What {@code GET /v1/models} lists: every runnable model by id, then the tiers that have
     * candidates, then {@code auto}.
     */
    public List<ListedModel> models() {
        Collection<DiscoveredModel> models = registry.snapshot().models().values();
        List<ListedModel> listed = new ArrayList<>();
        models.stream().filter(DiscoveredModel::isRunnable).sorted(Comparator.comparing(DiscoveredModel::modelId))
                .forEach(model -> listed.add(new ListedModel(model.modelId(), false, created(model),
                        model.effectiveTier(), supervisor.server(model.modelId()).map(ServerStatus::state)
                        .orElse(ServerState.STOPPED), model.enabled(), model.contextLength(),
                        ModelMemory.estimate(model))));
        for (Tier tier : Tier.values()) {
            if (!Candidates.of(tier, models, List.of()).isEmpty()) {
                listed.add(new ListedModel(tier.wireName(), true, 0, tier, null, true, null, null));
            }
        }
        listed.add(new ListedModel(ModelResolver.AUTO, true, 0, null, null, true, null, null));
        return listed;
    }

    /** Fails every waiter with {@code shutting_down} and stops the gateway's threads. */
    @Override
    public void close() {
        List<Waiter> dropped;
        synchronized (lock) {
            closed = true;
            dropped = drainLocked(lanes.values());
        }
        GatewayException shuttingDown = new GatewayException(GatewayError.SHUTTING_DOWN,
                "MAGI is shutting down", null, null);
        dropped.forEach(waiter -> waiter.future.completeExceptionally(shuttingDown));
        serverListener.close();
        starters.shutdownNow();
        timers.shutdownNow();
    }

    // ---------------------------------------------------------------- choosing a server

    /** Each alias with the id of the model that has it (the registry keeps them unique). */
    private static Map<String, String> aliases(Map<String, DiscoveredModel> models) {
        Map<String, String> aliases = new HashMap<>();
        for (DiscoveredModel model : models.values()) {
            for (String alias : model.aliases()) {
                aliases.put(alias, model.modelId());
            }
        }
        return aliases;
    }

    private Routed route(Admission request) {
        Map<String, DiscoveredModel> models = registry.snapshot().models();
        Target target = ModelResolver.resolve(request.model(), models, aliases(models));
        if (!(target instanceof Target.Model) && !request.virtualAllowed()) {
            throw new GatewayException(GatewayError.VIRTUAL_MODEL_NOT_SUPPORTED, "'" + request.model()
                    + "' chooses a model per request, but this endpoint's answer belongs to one model: name a"
                    + " model id", "model", null);
        }
        if (target instanceof Target.Model named) {
            DiscoveredModel model = models.get(named.modelId());
            if (!model.isRunnable()) {
                throw new GatewayException(GatewayError.MODEL_LOAD_FAILED, "The model '" + model.modelId()
                        + "' cannot run: " + String.join("; ", model.problemMessages()), "model", null);
            }
            return new Routed(model.modelId(), model.effectiveTier(), named.route(), null);
        }
        ModelProfile profile = activeProfile();
        List<String> order = profile == null ? List.of() : profile.enabledModels();
        LoadBalancing balancing = profile == null ? LoadBalancing.DEFAULT : profile.loadBalancing();
        Map<String, ServerLoad> running = running();
        String sessionModel = sessions.lastModel(request.session()).orElse(null);
        Tier asked;
        Route route;
        Double score = null;
        if (target instanceof Target.OfTier ofTier) {
            asked = ofTier.tier();
            route = Route.TIER;
        } else {
            score = scorer.score(request.text() == null ? "" : request.text());
            Tier scored = TierForScore.choose(score, profile == null ? List.of() : profile.tierConfig());
            Optional<Tier> floor = sessions.tierFloor(request.session());
            if (floor.isPresent() && floor.get().ordinal() > scored.ordinal()) {
                scored = floor.get();
            }
            asked = SpillUp.tier(scored, tier -> Candidates.of(tier, models.values(), order), running);
            route = Route.AUTO;
        }
        Candidates.TierCandidates candidates = Candidates.forTier(asked, models.values(), order);
        Instant now = Instant.now();
        List<String> servable = BackOffAvoidance.servable(candidates.modelIds(),
                id -> inBackOff(id, running.containsKey(id), now));
        Decision decision = balancer.choose(candidates.tier().wireName(), servable, running,
                balancing, sessionModel, this::startsNow);
        sessions.served(request.session(), decision.modelId(), candidates.tier());
        return new Routed(decision.modelId(), candidates.tier(), route, score);
    }

    /** A crashed server waiting for its restart, or a model that does not run whose start failed not long ago. */
    private boolean inBackOff(String modelId, boolean running, Instant now) {
        return supervisor.restartDue(modelId).isPresent()
                || !running && startBackOff.until(modelId, now).isPresent();
    }

    private ModelProfile activeProfile() {
        Optional<String> name = profiles.active();
        if (name.isEmpty()) {
            return null;
        }
        try {
            return profiles.get(name.get());
        } catch (MagiException e) {
            LOG.warn("The active profile '{}' cannot be read ({}); choosing as without a profile", name.get(),
                    e.getMessage());
            return null;
        }
    }

    /** Every running or starting server, with the gateway's counts for it. */
    private Map<String, ServerLoad> running() {
        Map<String, ServerLoad> running = new HashMap<>();
        List<ServerStatus> servers = supervisor.servers();
        synchronized (lock) {
            for (ServerStatus server : servers) {
                if (RUNNING.contains(server.state())) {
                    running.put(server.modelId(), loadLocked(server.modelId(),
                            server.state() == ServerState.READY, server.healthy()));
                }
            }
            for (ModelLane lane : lanes.values()) {
                if (lane.warming && !running.containsKey(lane.modelId)) {
                    running.put(lane.modelId, loadLocked(lane.modelId, false, true));
                }
            }
        }
        return running;
    }

    private ServerLoad loadLocked(String modelId, boolean ready, boolean healthy) {
        ModelLane lane = lanes.get(modelId);
        return lane == null ? new ServerLoad(modelId, ready, healthy, 0, 0, 1)
                : new ServerLoad(modelId, ready, healthy, lane.inFlight, lane.waiters.size(), lane.slots);
    }

    // ---------------------------------------------------------------- idle unload

    /**
     * Stops the servers the gateway started that have been unused for their TTL. Runs on the timer
     * thread every second; the stops themselves run on a start thread, since one may take the whole
     * {@code --stop-timeout}.
     */
    private void unloadIdle() {
        // Read before taking the lock: a model's own ttlSeconds overrides --idle-ttl.
        Map<String, DiscoveredModel> models = registry.snapshot().models();
        List<String> due;
        synchronized (lock) {
            List<IdleUnload.Server> idle = new ArrayList<>();
            for (ModelLane lane : lanes.values()) {
                if (unloadableLocked(lane)) {
                    DiscoveredModel model = models.get(lane.modelId);
                    idle.add(new IdleUnload.Server(lane.modelId, false, lane.busy(), lane.lastUsed,
                            model == null ? null : model.ttlSeconds()));
                }
            }
            due = idleUnload.due(idle, Instant.now());
            for (String id : due) {
                // From here new requests for it wait, and start it again once it has stopped.
                ModelLane lane = lanes.get(id);
                lane.ready = false;
                lane.unloading = true;
            }
        }
        for (String id : due) {
            try {
                starters.execute(() -> unload(id, "idle", "unused for its idle TTL (--idle-ttl)"));
            } catch (RejectedExecutionException e) {
                return;
            }
        }
    }

    /** A ready server the gateway started that nobody pinned since: idle unload may stop it. */
    private boolean unloadableLocked(ModelLane lane) {
        return lane.ready && !lane.unloading && lane.lastUsed != null && origins.unpinnedGatewayStart(lane.modelId);
    }

    private void unload(String id, String reason, String why) {
        try {
            LOG.info("Stopping '{}': {}", id, why);
            supervisor.stop(id);
            unloaded(id, reason);
        } catch (RuntimeException e) {
            LOG.warn("Stopping '{}' ({}) failed: {}", id, reason, e.toString());
        }
        boolean warmUp;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            lane.unloading = false;
            warmUp = !lane.waiters.isEmpty() && !lane.warming && !closed;
            lane.warming |= warmUp;
        }
        if (warmUp) {
            try {
                starters.execute(() -> warmUp(id));
            } catch (RejectedExecutionException e) {
                fail(id, new GatewayException(GatewayError.SHUTTING_DOWN, "MAGI is shutting down", null, null));
            }
        }
    }

    // ---------------------------------------------------------------- memory

    /**
     * Makes room for {@code id} within the memory budget: stops the idle servers the plan names and
     * answers true, or leaves the lane's waiters queued and answers false when a busy server holds the
     * room (they are planned again once a server is idle or stopped).
     *
     * @throws GatewayException {@code insufficient_memory} when it can never fit
     */
    private boolean makeRoom(String id) {
        Long needed = Optional.ofNullable(registry.snapshot().models().get(id)).map(ModelMemory::estimate)
                .orElse(null);
        EvictionPlan.Start start = null;
        while (true) {
            long seen = roomChanges.get();
            // Asked outside the lock, as everywhere: the supervisor has locks of its own.
            List<ServerStatus> servers = supervisor.servers();
            synchronized (lock) {
                EvictionPlan plan = memory.plan(id, needed, loadedLocked(servers));
                if (plan instanceof EvictionPlan.Start planned) {
                    start = planned;
                    lanes.get(id).admitted = true;
                    for (String evicted : start.evict()) {
                        ModelLane lane = lanes.get(evicted);
                        lane.ready = false;
                        lane.unloading = true;
                    }
                    break;
                }
                if (roomChanges.get() == seen) {
                    lanes.get(id).warming = false;
                    break;
                }
            }
        }
        if (start == null) {
            LOG.info("Starting '{}' waits for memory: busy servers hold the room it needs", id);
            observers.forEach(observer -> observer.waitingForMemory(id));
            return false;
        }
        for (String evicted : start.evict()) {
            unload(evicted, "evicted", "idle, and its memory is needed to start '" + id + "'");
        }
        return true;
    }

    /** Whether {@code id} may start now without waiting for a busy server: the balancer's question. */
    private boolean startsNow(String id) {
        Long needed = Optional.ofNullable(registry.snapshot().models().get(id)).map(ModelMemory::estimate)
                .orElse(null);
        List<ServerStatus> servers = supervisor.servers();
        synchronized (lock) {
            return memory.startsNow(id, needed, loadedLocked(servers));
        }
    }

    private List<LoadedServer> loaded(List<ServerStatus> servers) {
        synchronized (lock) {
            return loadedLocked(servers);
        }
    }

    /**
     * What the memory rules know of the servers that hold memory: those running or stopping, and those
     * admitted to start. A server is pinned unless the gateway started it, and busy while it serves,
     * has waiters, starts or is being stopped.
     */
    private List<LoadedServer> loadedLocked(List<ServerStatus> servers) {
        Map<String, DiscoveredModel> models = registry.snapshot().models();
        Map<String, LoadedServer> loaded = new HashMap<>();
        for (ServerStatus server : servers) {
            if (RUNNING.contains(server.state()) || server.state() == ServerState.STOPPING) {
                loaded.put(server.modelId(), loadedServerLocked(server.modelId(), models));
            }
        }
        for (ModelLane lane : lanes.values()) {
            if (lane.admitted || lane.unloading) {
                loaded.putIfAbsent(lane.modelId, loadedServerLocked(lane.modelId, models));
            }
        }
        return List.copyOf(loaded.values());
    }

    private LoadedServer loadedServerLocked(String id, Map<String, DiscoveredModel> models) {
        ModelLane lane = lanes.get(id);
        DiscoveredModel model = models.get(id);
        long bytes = model == null ? 0 : ModelMemory.estimateOrZero(model);
        boolean pinned = !origins.unpinnedGatewayStart(id);
        boolean busy = lane != null && (lane.busy() || lane.unloading || lane.admitted);
        Instant lastUsed = lane == null || lane.lastUsed == null ? Instant.EPOCH : lane.lastUsed;
        return new LoadedServer(id, bytes, pinned, busy, lastUsed);
    }

    /**
     * A server became idle or stopped: the starts that wait for memory are planned again, on the timer
     * thread, so that no caller (a supervisor listener among them) takes the gateway's lock for it.
     */
    private void roomMayHaveChanged() {
        roomChanges.incrementAndGet();
        try {
            timers.execute(this::retryStartsWaitingForRoom);
        } catch (RejectedExecutionException e) {
            // Shutting down: nothing waits any more.
        }
    }

    private void retryStartsWaitingForRoom() {
        List<String> retry = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            for (ModelLane lane : lanes.values()) {
                if (!lane.ready && !lane.warming && !lane.unloading && !lane.waiters.isEmpty()) {
                    lane.warming = true;
                    retry.add(lane.modelId);
                }
            }
        }
        for (String id : retry) {
            try {
                starters.execute(() -> warmUp(id));
            } catch (RejectedExecutionException e) {
                fail(id, new GatewayException(GatewayError.SHUTTING_DOWN, "MAGI is shutting down", null, null));
            }
        }
    }

    // ---------------------------------------------------------------- queues and slots

    private CompletableFuture<Lease> enqueue(Routed routed) {
        String id = routed.modelId();
        // Asked before taking the lock: the supervisor has locks of its own.
        ServerStatus server = supervisor.server(id).orElse(null);
        ServerState state = server == null ? ServerState.STOPPED : server.state();
        Instant arrived = Instant.now();
        // Only a server that does not run waits out a failed start: one started since (by the API) serves.
        boolean notRunning = state == ServerState.STOPPED || state == ServerState.FAILED;
        Optional<GatewayException> backOff = BackOffRefusal.of(id, supervisor.restartDue(id), arrived)
                .or(() -> BackOffRefusal.afterFailure(id, notRunning ? startBackOff.until(id, arrived)
                        : Optional.empty(), arrived));
        if (backOff.isPresent()) {
            throw backOff.get();
        }
        long now = System.nanoTime();
        Waiter waiter;
        boolean warmUp = false;
        synchronized (lock) {
            if (closed) {
                throw new GatewayException(GatewayError.SHUTTING_DOWN, "MAGI is shutting down", null, null);
            }
            ModelLane lane = lanes.computeIfAbsent(id, ModelLane::new);
            lane.lastRequestAt = arrived;
            if (lane.ready && (server == null || !lane.follows(server))) {
                // Stopped, crashed or restarted since, maybe on another port or with other slots (its change
                // of state may not have reached followRun yet): start it again, or find it ready, and read
                // its address and slots again.
                lane.ready = false;
            }
            if (lane.hasFreeSlot() && lane.waiters.isEmpty()) {
                lane.inFlight++;
                return CompletableFuture.completedFuture(leaseLocked(lane, routed, now, false));
            }
            if (lane.waiters.size() >= queueLimit || queuedTotal >= TOTAL_QUEUE_LIMIT) {
                throw new GatewayException(GatewayError.QUEUE_FULL, lane.waiters.size() >= queueLimit
                        ? "Too many requests wait for '" + id + "' (" + queueLimit + "): try again shortly"
                        : "Too many requests wait for models (" + TOTAL_QUEUE_LIMIT + "): try again shortly",
                        null, QUEUE_FULL_RETRY_SECONDS);
            }
            waiter = new Waiter(routed, now, !lane.ready);
            lane.waiters.add(waiter);
            queuedTotal++;
            queueChangedLocked(lane);
            if (!lane.ready && !lane.warming && !lane.unloading) {
                lane.warming = true;
                warmUp = true;
            }
        }
        waiter.timeout = timers.schedule(() -> timeOut(waiter), queueTimeout.toMillis(), TimeUnit.MILLISECONDS);
        waiter.future.whenComplete((lease, failure) -> {
            waiter.timeout.cancel(false);
            if (waiter.future.isCancelled()) {
                leave(waiter);
            }
        });
        if (warmUp) {
            try {
                starters.execute(() -> warmUp(id));
            } catch (RejectedExecutionException e) {
                fail(id, new GatewayException(GatewayError.SHUTTING_DOWN, "MAGI is shutting down", null, null));
            }
        }
        return waiter.future;
    }

    /**
     * Starts the model's server, or joins its start, or finds it ready; then {@linkplain #learn learns}
     * its run and hands out its slots. Runs on a thread of its own: one per model being started.
     */
    private void warmUp(String id) {
        try {
            long changesBefore = changesReported(id);
            boolean running = supervisor.server(id).map(s -> RUNNING.contains(s.state())).orElse(false);
            if (!running && !makeRoom(id)) {
                return;
            }
            if (!running) {
                origins.startedByGateway(id);
                LOG.info("Starting '{}' on demand for a request", id);
                observers.forEach(observer -> observer.startedOnDemand(id));
            }
            learn(id, supervisor.start(id, true), changesBefore);
        } catch (GatewayException e) {
            fail(id, e);
        } catch (MagiException e) {
            if (e.code() == ErrorCode.SERVER_START_FAILED || e.code() == ErrorCode.SERVER_START_TIMEOUT) {
                // Before the waiters hear of it: whoever asks next is told to wait out the back-off.
                startBackOff.failed(id, Instant.now());
            }
            fail(id, loadFailure(id, e));
        } catch (RuntimeException e) {
            LOG.error("Starting '{}' for the gateway failed unexpectedly", id, e);
            fail(id, new GatewayException(GatewayError.MODEL_LOAD_FAILED, "The server of '" + id
                    + "' could not start: " + e, "model", null));
        }
    }

    /** How many changes of the server's state its lane was told of: taken before reading the server. */
    private long changesReported(String id) {
        synchronized (lock) {
            return lanes.get(id).changesReported;
        }
    }

    /**
     * Takes the address of the server's ready run {@code ready}, hands the first waiter its one slot at
     * once, then reads the run's slots and hands the others theirs. The first request does not wait for
     * {@code /props}: one slot is never wrong, and the read (a new connection, a few milliseconds) would
     * otherwise come between a ready server and the request that waited for it. A server left with
     * nothing to do may be the room a start waits for: that start is planned again, or it would wait for
     * a change that has already happened. A run read before a change of the server was reported (its
     * end, maybe) is not taken: the server is read again (see {@link ModelLane#adopt}).
     *
     * @param changesBefore the changes the lane was told of before {@code ready} was read
     */
    private void learn(String id, ServerStatus ready, long changesBefore) {
        URI base = baseUri(ready);
        List<Grant> grants;
        long readyAt;
        boolean idle;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            readyAt = System.nanoTime();
            if (!lane.adopt(base, ready.startedAt(), changesBefore, readyAt, Instant.now())) {
                grants = null;
                idle = false;
            } else {
                grants = dispatchLocked(lane);
                idle = !lane.busy();
            }
        }
        if (grants == null) {
            // Still warming: no other thread reads the server meanwhile.
            relearn(id);
            return;
        }
        hand(grants);
        if (idle) {
            roomMayHaveChanged();
        }
        readSlots(id, base, readyAt);
    }

    /**
     * A server changed state, whoever changed it (the gateway, the API, a profile, a crash restart): its
     * lane forgets a run that is over, and learns a new ready one at once, so that neither requests nor
     * {@code GET /servers} go by the address and slots of a run that ended. Reads the state as it is now,
     * not the change reported, since reports arrive late and a lane may already know a newer run.
     */
    private void followRun(String id) {
        ServerStatus now = supervisor.server(id).orElse(null);
        boolean relearn;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            if (lane == null || closed) {
                return;
            }
            // A run read before this report, being learned now on another thread, may be the one that ended.
            lane.changeReported();
            if (lane.ready && (now == null || !lane.follows(now))) {
                lane.ready = false;
            }
            // A start or a stop by the gateway under way ends by setting the lane itself.
            relearn = !lane.ready && !lane.warming && !lane.unloading && now != null && now.isReady();
            lane.warming |= relearn;
        }
        if (relearn) {
            try {
                starters.execute(() -> relearn(id));
            } catch (RejectedExecutionException e) {
                fail(id, new GatewayException(GatewayError.SHUTTING_DOWN, "MAGI is shutting down", null, null));
            }
        }
    }

    /** Reads a ready server's new run for its lane; starts nothing unless requests wait for it. */
    private void relearn(String id) {
        long changesBefore = changesReported(id);
        ServerStatus now = supervisor.server(id).orElse(null);
        if (now != null && now.isReady()) {
            try {
                learn(id, now, changesBefore);
            } catch (RuntimeException e) {
                LOG.error("Reading the new run of '{}' for the gateway failed unexpectedly", id, e);
                fail(id, new GatewayException(GatewayError.MODEL_LOAD_FAILED, "The server of '" + id
                        + "' could not be read: " + e, "model", null));
            }
            return;
        }
        boolean waited;
        boolean roomFreed;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            // Not ready any more: requests that came meanwhile left its start to this thread.
            waited = !lane.waiters.isEmpty() && !closed;
            lane.warming = waited;
            // A start admitted by the memory rules whose run ended with nobody waiting holds no memory any
            // more: kept admitted, it would count as loaded and busy, and hold its room, until its next request.
            roomFreed = !waited && lane.admitted;
            if (roomFreed) {
                lane.admitted = false;
            }
        }
        if (roomFreed) {
            roomMayHaveChanged();
        }
        if (waited) {
            warmUp(id);
        }
    }

    /**
     * Reads the slots of the server that turned ready at {@code readyAt} and hands the waiters the
     * ones it has beyond the first; a server that stopped or started again meanwhile keeps its lane as it is.
     */
    private void readSlots(String id, URI base, long readyAt) {
        int slots = slotProbe.totalSlots(base);
        List<Grant> grants;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            if (!lane.ready || lane.readyAtNanos != readyAt) {
                return;
            }
            lane.slots = slots;
            lane.slotsRead = true;
            grants = dispatchLocked(lane);
        }
        hand(grants);
    }

    private void fail(String id, GatewayException failure) {
        List<Waiter> failed;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            lane.warming = false;
            lane.admitted = false;
            failed = drainLocked(List.of(lane));
        }
        failed.forEach(waiter -> waiter.future.completeExceptionally(failure));
    }

    private static GatewayException loadFailure(String id, MagiException e) {
        Object tail = e.details().get("logTail");
        StringBuilder message = new StringBuilder("The server of '").append(id).append("' could not start: ")
                .append(e.getMessage());
        Object exitCode = e.details().get("exitCode");
        if (exitCode != null && !e.getMessage().contains("exit code")) {
            message.append(" (exit code ").append(exitCode).append(')');
        }
        if (tail instanceof List<?> lines && !lines.isEmpty()) {
            List<?> last = lines.subList(Math.max(0, lines.size() - LOG_LINES_IN_ERRORS), lines.size());
            message.append("; last log lines: ");
            for (int i = 0; i < last.size(); i++) {
                message.append(i == 0 ? "" : " | ").append(last.get(i));
            }
        }
        GatewayError error = e.code() == ErrorCode.SERVER_START_TIMEOUT ? GatewayError.MODEL_LOAD_TIMEOUT
                : GatewayError.MODEL_LOAD_FAILED;
        return new GatewayException(error, message.toString(), "model", null);
    }

    private void release(String id) {
        List<Grant> grants;
        synchronized (lock) {
            ModelLane lane = lanes.get(id);
            lane.inFlight--;
            lane.lastUsed = Instant.now();
            grants = dispatchLocked(lane);
            if (!lane.busy()) {
                roomMayHaveChanged();
            }
        }
        hand(grants);
    }

    private void timeOut(Waiter waiter) {
        if (leave(waiter)) {
            waiter.future.completeExceptionally(new GatewayException(GatewayError.QUEUE_TIMEOUT, "Waited "
                    + queueTimeout.toSeconds() + " s for '" + waiter.routed.modelId()
                    + "' to start or free a slot (--queue-timeout)", null, null));
        }
    }

    /** Takes a waiter out of its queue; false when it had left it already (served, failed, timed out). */
    private boolean leave(Waiter waiter) {
        synchronized (lock) {
            ModelLane lane = lanes.get(waiter.routed.modelId());
            if (lane != null && lane.waiters.remove(waiter)) {
                queuedTotal--;
                queueChangedLocked(lane);
                return true;
            }
            return false;
        }
    }

    private record Grant(Waiter waiter, Lease lease) {
    }

    /** Hands free slots to waiters, first come first served; the futures complete outside the lock. */
    private List<Grant> dispatchLocked(ModelLane lane) {
        List<Grant> grants = new ArrayList<>();
        while (lane.hasFreeSlot() && !lane.waiters.isEmpty()) {
            Waiter waiter = lane.waiters.poll();
            queuedTotal--;
            if (waiter.future.isDone()) {
                continue;
            }
            lane.inFlight++;
            grants.add(new Grant(waiter, leaseLocked(lane, waiter.routed, waiter.arrivedNanos, waiter.cold)));
        }
        if (!grants.isEmpty()) {
            queueChangedLocked(lane);
        }
        return grants;
    }

    private void queueChangedLocked(ModelLane lane) {
        GatewayEvents to = queueEvents;
        if (to != null) {
            to.queueChanged(lane.modelId, lane.waiters.size());
        }
    }

    private static void hand(List<Grant> grants) {
        for (Grant grant : grants) {
            if (!grant.waiter().future.complete(grant.lease())) {
                // Cancelled or timed out in between: the slot goes to the next one.
                grant.lease().close();
            }
        }
    }

    private List<Waiter> drainLocked(Collection<ModelLane> of) {
        List<Waiter> drained = new ArrayList<>();
        for (ModelLane lane : of) {
            drained.addAll(lane.waiters);
            queuedTotal -= lane.waiters.size();
            lane.waiters.clear();
            queueChangedLocked(lane);
        }
        return drained;
    }

    private Lease leaseLocked(ModelLane lane, Routed routed, long arrivedNanos, boolean cold) {
        long now = System.nanoTime();
        long queueMs = TimeUnit.NANOSECONDS.toMillis(now - arrivedNanos);
        long loadMs = cold ? Math.max(0, TimeUnit.NANOSECONDS.toMillis(lane.readyAtNanos - arrivedNanos)) : 0;
        String id = lane.modelId;
        lane.requestsTotal++;
        return new Lease(id, lane.baseUri, routed.tier(), routed.route(), routed.score(), queueMs, loadMs,
                () -> release(id));
    }

    /** Where the ready server listens, as its launch said. */
    private static URI baseUri(ServerStatus ready) {
        if (ready.endpoint() == null) {
            throw new MagiException(ErrorCode.INTERNAL_ERROR, "A ready server has no endpoint");
        }
        return ready.endpoint();
    }

    private static long created(DiscoveredModel model) {
        try {
            return Files.getLastModifiedTime(Path.of(model.filePath())).toMillis() / 1000;
        } catch (IOException | RuntimeException e) {
            return 0;
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
}

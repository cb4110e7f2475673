package dev.magi.core.engine;

import dev.magi.core.binary.LlamaServerBinary;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.config.MagiConfig;
import dev.magi.core.discovery.ModelScanner;
import dev.magi.core.discovery.ScanPathWatcher;
import dev.magi.core.events.EventHub;
import dev.magi.core.events.RegistryChanged;
import dev.magi.core.events.ServerChanged;
import dev.magi.core.gateway.Gateway;
import dev.magi.core.gateway.StartedBy;
import dev.magi.core.launch.InstallId;
import dev.magi.core.plugin.PluginLoader;
import dev.magi.core.profile.ProfileActivator;
import dev.magi.core.profile.ProfileService;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.registry.RescanSummary;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.core.supervision.StartAllResult;
import dev.magi.core.supervision.SupervisorOptions;
import dev.magi.spi.ComplexityScorer;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.spi.TierClassifier;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LauncherProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * One MAGI: configuration, plugins, store, registry and discovery wired together. Hosts build it
 * with {@link #builder()}, use its parts, and {@link #close()} it when they stop.
 */
public final class MagiEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MagiEngine.class);

    /** How often a node looks for changes that other nodes sharing its store saved. */
    static final Duration REFRESH_INTERVAL = Duration.ofSeconds(1);

    private final MagiConfig config;
    private final RegistryStore store;
    private final TierClassifier classifier;
    private final ComplexityScorer scorer;
    private final ModelRegistry registry;
    private final ProfileService profiles;
    private final EventHub events = new EventHub();
    private final ProfileActivator activator;
    private final ModelScanner scanner = new ModelScanner();
    private final Object scanLock = new Object();
    private final ScanPathWatcher watcher;
    private final ServerSupervisor supervisor;
    private final LlamaServerBinary llamaServer;
    private final Gateway gateway;
    private final CompletableFuture<RescanSummary> initialScan;
    private final ScheduledExecutorService refresher;

    private MagiEngine(MagiConfig config, ClassLoader parentLoader,
                       UnaryOperator<SupervisorOptions> supervision) {
        this.config = config;
        PluginLoader plugins = PluginLoader.create(parentLoader, config.pluginsDir());
        this.classifier = plugins.choose(TierClassifier.class, TierClassifier::name, config.tierClassifier(),
                ConfigKey.TIER_CLASSIFIER.variable());
        this.scorer = plugins.choose(ComplexityScorer.class, ComplexityScorer::name, config.complexityScorer(),
                ConfigKey.COMPLEXITY_SCORER.variable());
        StoreProvider provider = plugins.choose(StoreProvider.class, StoreProvider::name, config.store(),
                ConfigKey.STORE.variable());
        LauncherProvider launchers = plugins.choose(LauncherProvider.class, LauncherProvider::name, config.launcher(),
                ConfigKey.LAUNCHER.variable());
        this.store = provider.open(config.source());
        boolean started = false;
        ServerSupervisor startedSupervisor = null;
        LlamaServerBinary startedBinary = null;
        try {
            // The version first: a save by another node in between only makes the first change load again.
            OptionalLong version = store.registryVersion();
            RegistrySnapshot initial = store.loadRegistry().orElse(null);
            boolean stored = initial != null;
            if (initial == null) {
                initial = new RegistrySnapshot(Map.of(), config.scanPath().toString(), null, config.portRange(), null);
            }
            this.registry = new ModelRegistry(store, classifier, initial, version);
            this.profiles = new ProfileService(store, registry, events);
            registry.addListener(snapshot -> events.publish(new RegistryChanged(snapshot.models().size(),
                    snapshot.lastScan())));
            if (stored && config.source().get(ConfigKey.PORT_RANGE.variable()) != null
                    && !config.portRange().equals(initial.portRange())) {
                LOG.info("Port range {} from the configuration replaces {} of the registry", config.portRange(),
                        initial.portRange());
                registry.setPortRange(config.portRange());
            }
            // Files may have come and gone while MAGI was not running. A returning user's registry is
            // served at once while the scan catches up in the background; a first start scans first.
            if (stored) {
                CompletableFuture<RescanSummary> scan = new CompletableFuture<>();
                Thread scanner = new Thread(() -> {
                    try {
                        scan.complete(rescan());
                    } catch (RuntimeException e) {
                        LOG.error("The scan at start failed: {}", e.getMessage());
                        scan.completeExceptionally(e);
                    }
                }, "magi-initial-scan");
                scanner.setDaemon(true);
                scanner.start();
                this.initialScan = scan;
            } else {
                this.initialScan = CompletableFuture.completedFuture(rescan());
            }
            SupervisorOptions options = supervision.apply(SupervisorOptions.from(config));
            // Asked in the background: a binary that hangs must not hold up the start.
            this.llamaServer = new LlamaServerBinary(options.llamaServerPath(), LlamaServerBinary.TIMEOUT);
            startedBinary = llamaServer;
            Launcher launcher = launchers.open(new LauncherContext(config.source(), options.dataDir(),
                    InstallId.of(options.dataDir()), options.stopTimeout()));
            // Creating it adopts or stops the servers a previous MAGI of this installation left running.
            try {
                this.supervisor = new ServerSupervisor(registry, options, launcher);
            } catch (RuntimeException e) {
                launcher.close();
                throw e;
            }
            startedSupervisor = supervisor;
            supervisor.addListener(status -> events.publish(new ServerChanged(status)));
            supervisor.checkHealthEvery(this::healthCheckInterval);
            this.gateway = new Gateway(registry, profiles, supervisor, scorer, config);
            this.activator = new ProfileActivator(profiles, registry, supervisor,
                    ids -> ids.forEach(id -> gateway.startedThrough(id, StartedBy.PROFILE)));
            gateway.publishTo(events);
            restoreActiveProfile();
            this.watcher = config.watch() ? startWatcher() : null;
            this.refresher = startRefresher();
            started = true;
        } finally {
            if (!started) {
                if (startedBinary != null) {
                    startedBinary.close();
                }
                if (startedSupervisor != null) {
                    startedSupervisor.close();
                }
                store.close();
            }
        }
        LOG.info("MAGI engine started: {} models from {}, store '{}', classifier '{}', launcher '{}'",
                registry.snapshot().models().size(), config.scanPath(), provider.name(), classifier.name(),
                launchers.name());
    }

    /**
     * {@code ACTIVE_PROFILE}, else the profile that was active when MAGI stopped, is activated again,
     * in the background so the API answers while its servers load.
     */
    private void restoreActiveProfile() {
        String configured = config.activeProfile();
        String name = configured != null ? configured : profiles.active().orElse(null);
        if (name == null) {
            return;
        }
        if (!ModelProfile.isValidName(name) || !profiles.names().contains(name)) {
            if (configured != null) {
                throw new MagiException(ErrorCode.INVALID_CONFIGURATION, "Profile '" + name
                        + "' given by --active-profile / ACTIVE_PROFILE does not exist; profiles: "
                        + String.join(", ", profiles.names()), Map.of("setting", ConfigKey.ACTIVE_PROFILE.variable()));
            }
            LOG.warn("The active profile '{}' no longer exists; no profile is active", name);
            profiles.setActive(null);
            return;
        }
        // After the scan at start, so that the profile's models are known; on a thread of its own so
        // that the API answers while their servers load.
        initialScan.handle((summary, failure) -> null).thenRunAsync(() -> {
            try {
                activator.activate(name);
            } catch (RuntimeException e) {
                LOG.error("Activating profile '{}' at start failed: {}", name, e.getMessage());
            }
        }, task -> {
            Thread restore = new Thread(task, "magi-profile-restore");
            restore.setDaemon(true);
            restore.start();
        });
    }

    /**
     * {@code --health-check-interval} when set, else the active profile's
     * {@code loadBalancing.healthCheckInterval}, else its default (30 s); asked before each round of
     * probes, so activating a profile changes it.
     */
    private Duration healthCheckInterval() {
        if (config.healthCheckInterval() != null) {
            return config.healthCheckInterval();
        }
        int seconds = ModelProfile.LoadBalancing.DEFAULT.healthCheckInterval();
        try {
            seconds = profiles.active().map(profiles::get).map(p -> p.loadBalancing().healthCheckInterval())
                    .orElse(seconds);
        } catch (MagiException e) {
            LOG.warn("The active profile cannot be read ({}); health checks every {} s", e.getMessage(), seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /**
     * Several MAGI nodes can share one store (h2 through an H2 server): about once a second each asks
     * the store whether another saved the registry, and loads it again if so. Null for a store
     * without versions, which one MAGI has to itself.
     */
    private ScheduledExecutorService startRefresher() {
        if (store.registryVersion().isEmpty()) {
            // A store without versions is this MAGI's alone: nobody else changes it.
            return null;
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "magi-registry-refresh");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(() -> {
            try {
                registry.refreshFromStore();
            } catch (RuntimeException e) {
                LOG.warn("Cannot check the store for changes by other MAGI nodes: {}", e.getMessage());
            }
        }, REFRESH_INTERVAL.toMillis(), REFRESH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return executor;
    }

    private ScanPathWatcher startWatcher() {
        try {
            return new ScanPathWatcher(config.scanPath(), () -> {
                RescanSummary summary = rescan();
                LOG.info("Files changed under {}: {}", config.scanPath(), summary.message());
            }, Duration.ofMillis(750), Duration.ofSeconds(5));
        } catch (IOException e) {
            LOG.warn("Cannot watch {} for changes ({}); use POST /rescan", config.scanPath(), e.getMessage());
            return null;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public MagiConfig config() {
        return config;
    }

    public ModelRegistry registry() {
        return registry;
    }

    /**
     * The scan at start: already done when there was no saved registry, else running in the
     * background while the saved registry is served.
     */
    public CompletableFuture<RescanSummary> initialScan() {
        return initialScan;
    }

    public ProfileActivator activator() {
        return activator;
    }

    public EventHub events() {
        return events;
    }

    public ProfileService profiles() {
        return profiles;
    }

    public RegistryStore store() {
        return store;
    }

    public TierClassifier classifier() {
        return classifier;
    }

    /** The scorer that the gateway's {@code auto} model uses to pick a tier for a question. */
    public ComplexityScorer complexityScorer() {
        return scorer;
    }

    /** The llama-server processes: one per started model. */
    public ServerSupervisor supervisor() {
        return supervisor;
    }

    /** The llama-server binary the servers run, and its version. */
    public LlamaServerBinary llamaServer() {
        return llamaServer;
    }

    /**
     * The OpenAI-compatible gateway's rules and queues: admits a request and leases it a slot of the
     * right server, starting it on demand. There whether or not {@code --gateway} serves it over HTTP.
     */
    public Gateway gateway() {
        return gateway;
    }

    /**
     * Scans the scan path and merges what it finds into the registry. Scans run one at a time.
     *
     * @throws MagiException {@link ErrorCode#RESCAN_FAILED} when the result cannot be saved
     */
    public RescanSummary rescan() {
        synchronized (scanLock) {
            try {
                RescanSummary summary = registry.applyScan(scanner.scan(config.scanPath()));
                return summary.modelsRemoved() > 0 ? stopServersOfRemovedModels(summary) : summary;
            } catch (MagiException e) {
                throw new MagiException(ErrorCode.RESCAN_FAILED, "Rescan failed: " + e.getMessage(),
                        e.details(), e);
            }
        }
    }

    /**
     * Starts the server of every model the registry holds enabled, and waits until each is ready or
     * failed. Which models count as enabled is the registry's business, not the caller's.
     */
    public StartAllResult startAllEnabled() {
        List<String> enabled = new ArrayList<>();
        for (DiscoveredModel model : registry.snapshot().models().values()) {
            if (model.enabled()) {
                enabled.add(model.modelId());
            }
        }
        StartAllResult result = supervisor.startAll(enabled);
        result.started().forEach(id -> gateway.startedThrough(id, StartedBy.API));
        result.alreadyRunning().forEach(id -> gateway.startedThrough(id, StartedBy.API));
        return result;
    }

    /**
     * Starts one model's server for the API ({@code POST /servers/{id}/start}), or finds it running,
     * and pins it: a server someone asked for runs until someone stops it, even one the gateway had
     * started on demand.
     *
     * @see ServerSupervisor#start(String, boolean)
     */
    public ServerStatus startServer(String modelId, boolean waitUntilReady) {
        ServerStatus status = supervisor.start(modelId, waitUntilReady);
        gateway.startedThrough(modelId, StartedBy.API);
        return status;
    }

    /** A model whose file is gone keeps no server running; the summary's message says which stop. */
    private RescanSummary stopServersOfRemovedModels(RescanSummary summary) {
        // Null only during the scan at start, before the supervisor exists and so before any server.
        ServerSupervisor servers = this.supervisor;
        if (servers == null) {
            return summary;
        }
        List<String> stopping = servers.stopServersOfRemovedModels();
        if (stopping.isEmpty()) {
            return summary;
        }
        String message = summary.message() + "; stopping the server" + (stopping.size() == 1 ? "" : "s")
                + " of removed model" + (stopping.size() == 1 ? "" : "s") + " " + String.join(", ", stopping);
        return new RescanSummary(message, summary.modelsFound(), summary.modelsAdded(), summary.modelsRemoved(),
                summary.skipped(), summary.durationMs(), summary.scanPathExists());
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdownNow();
        }
        events.close();
        // Before the supervisor: waiters are told MAGI is shutting down, not that their start failed.
        gateway.close();
        llamaServer.close();
        supervisor.close();
        if (watcher != null) {
            watcher.close();
        }
        try {
            // The store must not close under the scan at start's save.
            initialScan.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("The scan at start did not finish cleanly: {}", e.toString());
        }
        store.close();
        LOG.info("MAGI engine stopped");
    }

    /** Configures an engine; every setting not given falls back to the environment, then the default. */
    public static final class Builder {
        private final Map<String, String> values = new HashMap<>();
        private Settings fallback = MagiConfig.environment();
        private ClassLoader classLoader = MagiEngine.class.getClassLoader();
        private UnaryOperator<SupervisorOptions> supervision = UnaryOperator.identity();

        private Builder() {
        }

        /** Sets one setting. */
        public Builder set(ConfigKey key, String value) {
            return set(key.variable(), value);
        }

        /** Sets a setting by its variable name (plugins may define their own keys). */
        public Builder set(String variable, String value) {
            if (value == null) {
                values.remove(variable);
            } else {
                values.put(variable, value);
            }
            return this;
        }

        /** Where settings not given here come from; the process environment by default. */
        public Builder fallback(Settings settings) {
            this.fallback = settings;
            return this;
        }

        /** Ignore the process environment: only what is set here, and the defaults. */
        public Builder withoutEnvironment() {
            return fallback(key -> null);
        }

        /** The class loader plugins are found with (the plugins directory's jars are added to it). */
        public Builder classLoader(ClassLoader loader) {
            this.classLoader = loader;
            return this;
        }

        /**
         * Adjusts what the configuration does not set: the restart and log-rotation policies, fixed
         * for users (docs/supervision.md); tests shorten the restart back-off, for instance.
         */
        public Builder supervision(UnaryOperator<SupervisorOptions> adjust) {
            this.supervision = Objects.requireNonNull(adjust, "adjust");
            return this;
        }

        public MagiEngine build() {
            Settings settings = Settings.of(values).orElse(fallback);
            return new MagiEngine(MagiConfig.from(settings), classLoader, supervision);
        }
    }
}

package dev.magi.benchmarks.supervision;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.events.ServerChanged;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.core.util.Subscription;
import dev.magi.testkit.FreePorts;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * How long after the real {@code llama-server} first answers 200 on {@code /health} MAGI reports it
 * ready, beside fixed-interval pollers, in one run. For each start: a {@link HealthObserver} asks
 * {@code /health} every millisecond from before the spawn (the reference instant of the first 200);
 * MAGI starts the server through {@link ServerSupervisor#start} with its default settings, and its
 * {@code ready} {@link ServerChanged} event is timestamped on arrival; the pollers' instants follow from
 * the spawn instant (the status's {@code startedAt}) and the first 200 ({@link FixedIntervalPoller}).
 * All on the machine's wall clock, in microseconds.
 */
public final class RealReadinessBenchmark {
    static final String MAGI_EVENT = "MAGI, ready event";
    static final String MAGI_RETURN = "MAGI, start(wait) returns";
    static final List<FixedIntervalPoller> POLLERS = List.of(
            FixedIntervalPoller.every("every 250 ms", 250),
            FixedIntervalPoller.every("every 1 s", 1_000),
            FixedIntervalPoller.every("every 2 s (original design)", 2_000),
            // llama-swap's proxy/process.go: waits 250 ms after the spawn, then probes every 5 s.
            new FixedIntervalPoller("llama-swap (250 ms, then every 5 s)", 250_000, 5_000_000));
    private static final String MODEL_ID = "stories260k";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /**
     * The figures of a run: every lag in microseconds, per observer, in the order of the runs.
     *
     * @param lags          from the first 200 to seen ready, by MAGI's event, MAGI's start and each poller
     * @param firstOkAfterSpawn from the spawn to the first 200 (the server's loading time, as seen)
     * @param resolution    from the reference observer's last answer before the first 200 to that 200: the
     *                      server turned ready in between
     * @param probes        the reference observer's requests, over all runs
     * @param connections   the connections it opened for them, over all runs
     */
    record Result(Map<String, List<Long>> lags, List<Long> firstOkAfterSpawn, List<Long> resolution, long probes,
                  long connections) {
    }

    private RealReadinessBenchmark() {
    }

    public static void main(List<String> args) throws Exception {
        execute(args, System.out);
    }

    /** Runs the benchmark, or prints why it is skipped and answers empty (the process then exits with 0). */
    static Optional<Result> execute(List<String> args, PrintStream out) throws Exception {
        Map<String, String> options = SupervisionBenchmark.options(args.toArray(String[]::new));
        List<String> known = List.of("runs", "llama-server", "model", "observer-gap-us", "dir");
        for (String name : options.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (options: --"
                        + String.join(", --", known) + ", each followed by its value)");
            }
        }
        RealServerFiles files = RealServerFiles.locate(path(options, "llama-server"), path(options, "model"));
        Optional<String> why = files.whyUnavailable();
        if (why.isPresent()) {
            out.println("Skipped: " + why.get());
            return Optional.empty();
        }
        int runs = SupervisionBenchmark.integer(options, "runs", 20);
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        Duration gap = Duration.ofNanos(SupervisionBenchmark.integer(options, "observer-gap-us", 1_000) * 1_000L);
        return Optional.of(run(files, runs, gap, path(options, "dir"), out));
    }

    private static Path path(Map<String, String> options, String name) {
        String value = options.get(name);
        return value == null ? null : Path.of(value);
    }

    static Result run(RealServerFiles files, int runs, Duration observerGap, Path parent, PrintStream out)
            throws Exception {
        Path dir = parent == null ? Files.createTempDirectory("magi-bench-real-readiness")
                : Files.createTempDirectory(parent, "magi-bench-real-readiness");
        String loadBefore = load();
        out.printf(Locale.ROOT, "Machine: %d CPUs, %s %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), loadBefore);
        out.printf(Locale.ROOT, "llama-server %s, model %s (%,d bytes), %d starts, reference probe every %d us%n",
                files.binary(), files.model(), Files.size(files.model()), runs, observerGap.toNanos() / 1_000);
        Map<String, List<Long>> lags = new LinkedHashMap<>();
        lags.put(MAGI_EVENT, new ArrayList<>());
        lags.put(MAGI_RETURN, new ArrayList<>());
        POLLERS.forEach(poller -> lags.put(poller.name(), new ArrayList<>()));
        List<Long> loading = new ArrayList<>();
        List<Long> resolution = new ArrayList<>();
        long probes = 0;
        long connections = 0;
        AtomicReference<CompletableFuture<Long>> readyEvent = new AtomicReference<>(new CompletableFuture<>());
        try (MagiEngine engine = engine(dir, files);
             Subscription subscription = engine.events().subscribe(event -> {
                 if (event instanceof ServerChanged changed && changed.status().modelId().equals(MODEL_ID)
                         && changed.status().state() == ServerState.READY) {
                     readyEvent.get().complete(HealthObserver.epochMicros());
                 }
             })) {
            ServerSupervisor supervisor = engine.supervisor();
            // One start first: it gives the model its port, which the observer must know before the spawn,
            // and warms the page cache and MAGI's code, as on any start after MAGI's first.
            ServerStatus first = supervisor.start(MODEL_ID, true);
            int port = first.port();
            stop(supervisor, first);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            for (int run = 0; run < runs; run++) {
                Start start = measureStart(supervisor, address, observerGap, readyEvent);
                probes += start.probes();
                connections += start.connections();
                resolution.add(start.resolution());
                loading.add(start.firstOk() - start.spawned());
                lags.get(MAGI_EVENT).add(start.event() - start.firstOk());
                lags.get(MAGI_RETURN).add(start.returned() - start.firstOk());
                for (FixedIntervalPoller poller : POLLERS) {
                    lags.get(poller.name()).add(poller.lagMicros(start.spawned(), start.firstOk()));
                }
                int last = run;
                out.printf(Locale.ROOT, "  run %d/%d: first 200 %.1f ms after the spawn; seen after (ms): %s%n",
                        run + 1, runs, loading.get(last) / 1000.0, String.join(", ", lags.entrySet().stream()
                                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(),
                                        e.getValue().get(last) / 1000.0)).toList()));
            }
        } finally {
            delete(dir);
        }
        Result result = new Result(lags, loading, resolution, probes, connections);
        print(result, runs, loadBefore, out);
        return result;
    }

    private static void print(Result result, int runs, String loadBefore, PrintStream out) {
        out.printf(Locale.ROOT, "%nFrom the real server's first 200 on /health to seen ready, %d starts (%s at the"
                + " start, %s at the end)%n", runs, loadBefore, load());
        List<Long> loading = sorted(result.firstOkAfterSpawn());
        out.printf(Locale.ROOT, "first 200 after the spawn: median %.1f ms, p90 %.1f ms, min %.1f ms, max %.1f ms%n",
                percentileMillis(loading, 50), percentileMillis(loading, 90), millis(loading.get(0)),
                millis(loading.get(loading.size() - 1)));
        List<Long> resolution = sorted(result.resolution());
        out.printf(Locale.ROOT, "reference: the last answer before the first 200 came a median %.1f ms (p90 %.1f ms,"
                + " max %.1f ms) before it; %,d requests on %,d connections%n",
                percentileMillis(resolution, 50), percentileMillis(resolution, 90),
                millis(resolution.get(resolution.size() - 1)), result.probes(), result.connections());
        List<Long> magi = sorted(result.lags().get(MAGI_EVENT));
        double magiMedian = SupervisionBenchmark.percentile(magi, 50);
        double magiP90 = SupervisionBenchmark.percentile(magi, 90);
        out.printf(Locale.ROOT, "%-38s %10s %10s %10s %10s %12s %12s%n", "seen by", "median", "p90", "min", "max",
                "median/MAGI", "p90/MAGI");
        result.lags().forEach((name, values) -> {
            List<Long> lags = sorted(values);
            long median = SupervisionBenchmark.percentile(lags, 50);
            long p90 = SupervisionBenchmark.percentile(lags, 90);
            out.printf(Locale.ROOT, "%-38s %8.1fms %8.1fms %8.1fms %8.1fms %11.1fx %11.1fx%n", name, millis(median),
                    millis(p90), millis(lags.get(0)), millis(lags.get(lags.size() - 1)), median / magiMedian,
                    p90 / magiP90);
        });
    }

    /**
     * One start, its instants in microseconds of the wall clock.
     *
     * @param spawned     the process was spawned (the status's {@code startedAt})
     * @param firstOk     the reference observer got the first 200
     * @param event       MAGI's {@code ready} event arrived
     * @param returned    {@code start(id, wait=true)} returned
     * @param resolution  from the observer's last answer before the first 200 to that 200, 0 when none
     * @param probes      the observer's requests
     * @param connections the observer's connections
     */
    private record Start(long spawned, long firstOk, long event, long returned, long resolution, int probes,
                         int connections) {
    }

    private static Start measureStart(ServerSupervisor supervisor, InetSocketAddress address, Duration observerGap,
                                      AtomicReference<CompletableFuture<Long>> readyEvent) throws Exception {
        readyEvent.set(new CompletableFuture<>());
        try (HealthObserver observer = HealthObserver.start(address, observerGap)) {
            ServerStatus ready = supervisor.start(MODEL_ID, true);
            long returned = HealthObserver.epochMicros();
            try {
                if (ready.port() != address.getPort()) {
                    throw new IllegalStateException("the server moved to port " + ready.port() + " from "
                            + address.getPort() + ": something else took the port; run again");
                }
                long firstOk = observer.awaitFirstOkMicros(PATIENCE);
                long event = readyEvent.get().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                long lastNotOk = observer.lastNotOkMicros();
                return new Start(HealthObserver.micros(ready.startedAt()), firstOk, event, returned,
                        lastNotOk == 0 ? 0 : firstOk - lastNotOk, observer.probes(), observer.connections());
            } finally {
                stop(supervisor, ready);
            }
        }
    }

    /**
     * Stops the server and waits for its process to be gone: the next run's observer asks the same port
     * from before the spawn, and must not hear this process answer.
     */
    private static void stop(ServerSupervisor supervisor, ServerStatus running) throws Exception {
        supervisor.stop(MODEL_ID);
        Optional<ProcessHandle> process = ProcessHandle.of(running.pid());
        if (process.isPresent()) {
            process.get().onExit().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static MagiEngine engine(Path dir, RealServerFiles files) throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.copy(files.model(), models.resolve(MODEL_ID + ".gguf"));
        int firstPort = FreePorts.rangeStart(4);
        // MAGI's defaults otherwise (READINESS_CHECK_INTERVAL 2 s): the figure is what a user gets.
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, models.toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, files.binary().toAbsolutePath().toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, firstPort + "-" + (firstPort + 3))
                .build();
    }

    /** The one-minute load average: on a shared machine it says whose a slow figure is. */
    private static String load() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "load average unknown" : String.format(Locale.ROOT, "load average (1 min) %.2f", load);
    }

    private static List<Long> sorted(List<Long> values) {
        return values.stream().sorted().toList();
    }

    private static double percentileMillis(List<Long> sorted, int percent) {
        return millis(SupervisionBenchmark.percentile(sorted, percent));
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

package dev.magi.benchmarks.supervision;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerSupervisor;
import dev.magi.core.supervision.StartAllResult;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The two supervision figures of BENCHMARKS.md, measured against real child processes (the fake
 * {@code llama-server} of the tests, one JVM per server):
 * <ul>
 *   <li>{@code readiness}: how long after a server turns ready it is seen ready, by MAGI's supervisor
 *       ({@code start(id, wait=true)} returning) and by a poller that probes every 2 s as the original
 *       design did, against the same fake with the same load times, in the same run. The fake writes
 *       the instant it turns ready to a file; both clocks are the machine's wall clock.</li>
 *   <li>{@code start-all}: the wall time of starting N models with load times spread from
 *       {@code --min-load} to {@code --max-load} through {@code startAll}, against the slowest of
 *       them started alone and the sum of all of them started one by one.</li>
 * </ul>
 * {@code java -cp ... dev.magi.benchmarks.supervision.SupervisionBenchmark readiness|start-all [options]}
 */
public final class SupervisionBenchmark {
    /** The original design's fixed READINESS_CHECK_INTERVAL. */
    static final long BASELINE_INTERVAL_MS = 2_000;

    private SupervisionBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            usage();
            return;
        }
        Map<String, String> options = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "readiness" -> readiness(
                    integer(options, "runs", 20), integer(options, "min-load", 300), integer(options, "max-load", 1_500),
                    integer(options, "seed", 1));
            case "start-all" -> startAll(
                    integer(options, "models", 10), integer(options, "rounds", 3), integer(options, "min-load", 200),
                    integer(options, "max-load", 2_000));
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: SupervisionBenchmark readiness [--runs 20] [--min-load 300] [--max-load 1500] [--seed 1]");
        System.err.println("       SupervisionBenchmark start-all [--models 10] [--rounds 3] [--min-load 200] [--max-load 2000]");
        System.exit(2);
    }

    // ---------------------------------------------------------------- readiness

    static void readiness(int runs, int minLoad, int maxLoad, int seed) throws Exception {
        Path dir = Files.createTempDirectory("magi-bench-readiness");
        try {
            Setup setup = new Setup(dir, 1);
            String id = setup.models.get(0);
            Path readyFile = dir.resolve("ready.txt");
            Map<String, List<Long>> latencies = new LinkedHashMap<>();
            latencies.put("MAGI (server logs as it turns ready)", new ArrayList<>());
            latencies.put("MAGI (server logs nothing, --log-disable)", new ArrayList<>());
            latencies.put("fixed 2 s polling (original design)", new ArrayList<>());
            List<String> variants = List.copyOf(latencies.keySet());
            Random random = new Random(seed);
            try (MagiEngine engine = setup.engine()) {
                ServerSupervisor supervisor = engine.supervisor();
                int baselinePort = FreePorts.rangeStart(1);
                for (int run = 0; run < runs; run++) {
                    long load = minLoad + random.nextInt(maxLoad - minLoad + 1);
                    // Rotate the order so that none always goes first on a machine still busy with the last.
                    for (int k = 0; k < variants.size(); k++) {
                        int variant = (run + k) % variants.size();
                        Files.deleteIfExists(readyFile);
                        FakeLlamaServer.Launcher fake = FakeLlamaServer.launcher().loadMillis(load).readyFile(readyFile);
                        if (variant == 1) {
                            fake.quiet();
                        }
                        fake.writeTo(setup.launcher);
                        long seen;
                        if (variant < 2) {
                            supervisor.start(id, true);
                            seen = FakeLlamaServer.epochMicros();
                            supervisor.stop(id);
                        } else {
                            seen = fixedIntervalPoller(setup, id, baselinePort);
                        }
                        latencies.get(variants.get(variant)).add(seen - readyMicros(readyFile));
                    }
                    int last = run;
                    System.err.printf(Locale.ROOT, "run %d/%d, load %d ms, seen after (ms): %s%n", run + 1, runs, load,
                            variants.stream().map(v -> String.format(Locale.ROOT, "%.1f",
                                    latencies.get(v).get(last) / 1000.0)).toList());
                }
            }
            System.out.printf(Locale.ROOT, "Readiness seen after the server turned ready, %d starts each, load %d-%d ms%n",
                    runs, minLoad, maxLoad);
            System.out.printf(Locale.ROOT, "%-45s %9s %9s %9s %9s%n", "", "median", "p90", "min", "max");
            latencies.forEach((name, values) -> {
                List<Long> sorted = values.stream().sorted().toList();
                System.out.printf(Locale.ROOT, "%-45s %7.1fms %7.1fms %7.1fms %7.1fms%n", name,
                        percentile(sorted, 50) / 1000.0, percentile(sorted, 90) / 1000.0,
                        sorted.get(0) / 1000.0, sorted.get(sorted.size() - 1) / 1000.0);
            });
        } finally {
            delete(dir);
        }
    }

    /**
     * The original design's readiness check: spawn the server, then probe {@code /health} and sleep
     * the fixed interval until it answers 200. Answers when it was seen ready.
     */
    private static long fixedIntervalPoller(Setup setup, String id, int port) throws Exception {
        Process process = new ProcessBuilder(setup.launcher.toString(), "--model", setup.modelFile(id).toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--alias", id)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            while (true) {
                if (isReady(port)) {
                    return FakeLlamaServer.epochMicros();
                }
                if (!process.isAlive()) {
                    throw new IllegalStateException("the fake exited with " + process.exitValue());
                }
                Thread.sleep(BASELINE_INTERVAL_MS);
            }
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static boolean isReady(int port) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/health").toURL()
                    .openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(1_000);
            connection.setReadTimeout(2_000);
            int status = connection.getResponseCode();
            InputStream body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
            if (body != null) {
                body.readAllBytes();
                body.close();
            }
            return status == 200;
        } catch (IOException e) {
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static long readyMicros(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (Files.exists(file)) {
                String text = Files.readString(file, StandardCharsets.UTF_8).trim();
                if (!text.isEmpty()) {
                    return Long.parseLong(text);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the fake wrote no ready instant to " + file);
            }
            Thread.sleep(1);
        }
    }

    // ---------------------------------------------------------------- start-all

    static void startAll(int count, int rounds, int minLoad, int maxLoad) throws Exception {
        Path dir = Files.createTempDirectory("magi-bench-start-all");
        try {
            Setup setup = new Setup(dir, count);
            FakeLlamaServer.Launcher fake = FakeLlamaServer.launcher();
            Map<String, Long> loads = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                long load = count == 1 ? maxLoad : minLoad + (long) (maxLoad - minLoad) * i / (count - 1);
                loads.put(setup.models.get(i), load);
                fake.loadMillis(setup.models.get(i), load);
            }
            fake.writeTo(setup.launcher);
            List<Long> all = new ArrayList<>();
            List<Long> slowest = new ArrayList<>();
            List<Long> sums = new ArrayList<>();
            try (MagiEngine engine = setup.engine()) {
                ServerSupervisor supervisor = engine.supervisor();
                for (int round = 0; round < rounds; round++) {
                    long sum = 0;
                    long max = 0;
                    for (String id : setup.models) {
                        long t0 = System.nanoTime();
                        supervisor.start(id, true);
                        long took = System.nanoTime() - t0;
                        supervisor.stop(id);
                        sum += took;
                        max = Math.max(max, took);
                    }
                    long t0 = System.nanoTime();
                    StartAllResult result = supervisor.startAll(setup.models);
                    long took = System.nanoTime() - t0;
                    supervisor.stopAll();
                    if (!result.failed().isEmpty() || result.started().size() != count) {
                        throw new IllegalStateException("start-all did not start every model: " + result);
                    }
                    all.add(took);
                    slowest.add(max);
                    sums.add(sum);
                    System.err.printf(Locale.ROOT, "round %d/%d: start-all %d ms, slowest alone %d ms, sum %d ms%n",
                            round + 1, rounds, took / 1_000_000, max / 1_000_000, sum / 1_000_000);
                }
            }
            System.out.printf(Locale.ROOT, "%d models, load times %d-%d ms (sum of loads %d ms), %d rounds, median:%n",
                    count, minLoad, maxLoad, loads.values().stream().mapToLong(Long::longValue).sum(), rounds);
            System.out.printf(Locale.ROOT, "  start-all (concurrent)        %8.0f ms%n", median(all) / 1e6);
            System.out.printf(Locale.ROOT, "  slowest model started alone   %8.0f ms%n", median(slowest) / 1e6);
            System.out.printf(Locale.ROOT, "  all started one after another %8.0f ms%n", median(sums) / 1e6);
        } finally {
            delete(dir);
        }
    }

    // ---------------------------------------------------------------- shared

    /** Models under a temporary directory, the fake as LLAMA_SERVER_PATH, MAGI's default readiness interval. */
    private static final class Setup {
        final Path dir;
        final Path launcher;
        final List<String> models = new ArrayList<>();
        final int firstPort;
        final int ports;

        Setup(Path dir, int count) throws IOException {
            this.dir = dir;
            this.launcher = dir.resolve("bin/llama-server");
            Files.createDirectories(dir.resolve("models"));
            for (int i = 0; i < count; i++) {
                String id = String.format(Locale.ROOT, "model%02d-1b-q4_0", i);
                GgufWriter.typicalModel().writeTo(modelFile(id));
                models.add(id);
            }
            this.ports = count + 5;
            this.firstPort = FreePorts.rangeStart(ports);
            FakeLlamaServer.launcher().writeTo(launcher);
        }

        Path modelFile(String id) {
            return dir.resolve("models").resolve(id + ".gguf");
        }

        MagiEngine engine() {
            return MagiEngine.builder().withoutEnvironment()
                    .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                    .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                    .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                    .set(ConfigKey.WATCH, "false")
                    .set(ConfigKey.LLAMA_SERVER, launcher.toString())
                    .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                    .set(ConfigKey.PORT_RANGE, firstPort + "-" + (firstPort + ports - 1))
                    .build();
        }
    }

    static long percentile(List<Long> sorted, int percent) {
        int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    static double median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }

    static int integer(Map<String, String> options, String name, int fallback) {
        String value = options.get(name);
        return value == null ? fallback : Integer.parseInt(value);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}

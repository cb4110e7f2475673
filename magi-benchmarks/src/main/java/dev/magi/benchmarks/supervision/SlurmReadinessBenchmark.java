package dev.magi.benchmarks.supervision;

import dev.magi.spi.Settings;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LauncherProvider;
import dev.magi.spi.launch.PortAssignment;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.function.IntPredicate;

/**
 * The real llama-server with the real model, from the call that starts it to its first 200 on
 * {@code /health}: through the {@code slurm} launcher (a job submitted, queued, run, its endpoint
 * published) beside the {@code local} launcher (a child process), alternating, in one run. Both
 * launchers are found by name as MAGI finds them; the benchmark asks {@code /health} itself every
 * 2 ms, so the figures are the launchers' and not MAGI's readiness polling.
 */
public final class SlurmReadinessBenchmark {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final String MODEL_ID = "stories260k";

    private SlurmReadinessBenchmark() {
    }

    public static void main(List<String> args) throws Exception {
        Map<String, String> options = SupervisionBenchmark.options(args.toArray(String[]::new));
        List<String> known = List.of("runs", "llama-server", "model", "dir");
        for (String name : options.keySet()) {
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + " (options: --"
                        + String.join(", --", known) + ", each followed by its value)");
            }
        }
        RealServerFiles files = RealServerFiles.locate(path(options.get("llama-server")), path(options.get("model")));
        Optional<String> why = files.whyUnavailable();
        if (why.isPresent()) {
            System.out.println("Skipped: " + why.get());
            return;
        }
        int runs = SupervisionBenchmark.integer(options, "runs", 10);
        String parent = options.get("dir");
        Path dir = parent == null ? Files.createTempDirectory("magi-bench-slurm-ready")
                : Files.createTempDirectory(Path.of(parent), "magi-bench-slurm-ready");
        run(files, runs, dir, System.out);
    }

    private static Path path(String value) {
        return value == null ? null : Path.of(value);
    }

    static void run(RealServerFiles files, int runs, Path dir, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "Machine: %d CPUs, %s %s, load %.2f%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        out.printf(Locale.ROOT, "llama-server %s, model %s, %d starts per launcher, alternating%n",
                files.binary(), files.model(), runs);
        Settings settings = Settings.of(Map.of("MAGI_SLURM_LOG_DIR", dir.resolve("slurm-logs").toString()));
        LauncherContext context = new LauncherContext(settings, dir.resolve("data"), "bench-" + UUID.randomUUID(),
                GRACE);
        Map<String, List<Double>> ready = new LinkedHashMap<>();
        List<Double> slurmRunning = new ArrayList<>();
        try (Launcher local = open("local", context); Launcher slurm = open("slurm", context)) {
            // One start of each first: the page cache, the JIT and Slurm's first job are not the figures.
            measure(local, files, null);
            measure(slurm, files, null);
            ready.put("local", new ArrayList<>());
            ready.put("slurm", new ArrayList<>());
            for (int run = 0; run < runs; run++) {
                ready.get("local").add(measure(local, files, null));
                ready.get("slurm").add(measure(slurm, files, slurmRunning));
            }
        }
        out.printf(Locale.ROOT, "%n| launcher | start to first 200 on /health, median (min - max), ms |%n|---|---|%n");
        for (Map.Entry<String, List<Double>> entry : ready.entrySet()) {
            out.printf(Locale.ROOT, "| %s | %s |%n", entry.getKey(), summary(entry.getValue()));
        }
        out.printf(Locale.ROOT, "slurm, start to the job running with its endpoint: %s ms%n", summary(slurmRunning));
        double ratio = median(ready.get("slurm")) / median(ready.get("local"));
        out.printf(Locale.ROOT, "ratio slurm / local (medians): %.2fx%n", ratio);
    }

    private static Launcher open(String name, LauncherContext context) {
        for (LauncherProvider provider : ServiceLoader.load(LauncherProvider.class)) {
            if (provider.name().equals(name)) {
                return provider.open(context);
            }
        }
        throw new IllegalStateException("no launcher named '" + name + "' on the class path");
    }

    /** Milliseconds from start() to the first 200; the time to Running is added to {@code running}. */
    private static double measure(Launcher launcher, RealServerFiles files, List<Double> running) throws Exception {
        int port = freePort();
        LaunchSpec spec = new LaunchSpec(MODEL_ID, files.binary().toString(),
                List.of("--model", files.model().toString(), "--alias", MODEL_ID), Map.of(),
                new LaunchSpec.Resources(0, 1, null), List.of(files.model()), new FixedPort(port));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        long start = System.nanoTime();
        Launch launch = launcher.start(spec, new Quiet());
        try {
            long deadline = start + PATIENCE.toNanos();
            URI endpoint = null;
            while (endpoint == null) {
                if (launch.state() instanceof LaunchState.Ended ended) {
                    throw new IllegalStateException(launcher.name() + " launch ended: " + ended);
                }
                endpoint = launch.endpoint().orElse(null);
                pause(deadline);
            }
            if (running != null) {
                running.add((System.nanoTime() - start) / 1e6);
            }
            HttpRequest health = HttpRequest.newBuilder(endpoint.resolve("/health")).timeout(Duration.ofSeconds(5))
                    .build();
            while (status(client, health) != 200) {
                pause(deadline);
            }
            return (System.nanoTime() - start) / 1e6;
        } finally {
            launch.stop(GRACE);
        }
    }

    private static int status(HttpClient client, HttpRequest request) throws InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void pause(long deadline) throws InterruptedException {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("not ready after " + PATIENCE.toSeconds() + " s");
        }
        Thread.sleep(2);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        }
    }

    private static String summary(List<Double> values) {
        if (values.isEmpty()) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.0f (%.0f - %.0f)", median(values),
                values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The benchmark does not read the server's output. */
    private static final class Quiet implements LaunchListener {
        @Override
        public void output(Stream stream, List<String> lines) {
        }

        @Override
        public void stateChanged(LaunchState state) {
        }
    }

    /** A port that was free a moment ago, for the local launcher; a job picks its own. */
    private record FixedPort(int port) implements PortAssignment {
        @Override
        public boolean pinned() {
            return false;
        }

        @Override
        public int moveOff(IntPredicate usable) {
            throw new IllegalStateException("port " + port + " was taken during the benchmark");
        }
    }
}

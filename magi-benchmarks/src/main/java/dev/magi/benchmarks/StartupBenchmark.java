package dev.magi.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How long the standalone takes from {@code java -jar magi.jar} to its first answer, for a returning
 * user: the models and the registry file are already on disk from a previous run.
 *
 * <p>The harness writes N models, starts MAGI once and stops it (that first run writes the registry),
 * then starts it again {@code runs} times, each on a free port, with a clock started just before the
 * process is spawned. It polls {@code GET /health} (a refused connection is retried 5 ms later) until
 * the first 200, then asks {@code GET /api/models/registry} and times its first 200 too, checks that
 * it lists the N models, and stops the process with SIGTERM. Each run alternates with a run of
 * {@code java -jar magi.jar --version}, which starts the same JVM on the same jar and exits: the
 * floor that no server start can go under. With {@code --cds 1}, each run also starts MAGI with a
 * class data sharing archive of the JVM written by the previous run, taking turns with the plain start.
 */
final class StartupBenchmark {
    static final double TARGET_MILLIS = 2_000;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    /** The {@code cds} samples are empty unless the class data sharing archive was measured too. */
    record Result(int models, Samples health, Samples registry, Samples version, Samples cdsHealth,
                  Samples cdsRegistry) {
        boolean met() {
            return health.medianMillis() < TARGET_MILLIS;
        }
    }

    private StartupBenchmark() {
    }

    static void main(List<String> args) throws Exception {
        Options options = new Options(args, List.of("models", "runs", "jar", "dir", "java-options", "print-log",
                "cds"));
        Path jar = options.path("jar") == null ? Path.of("magi-standalone", "target", "magi.jar") : options.path("jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar.toAbsolutePath() + " does not exist: build it first"
                    + " (./mvnw -q install -DskipTests) or give --jar");
        }
        List<String> launch = new ArrayList<>(List.of(java()));
        String javaOptions = options.text("java-options");
        if (javaOptions != null && !javaOptions.isBlank()) {
            launch.addAll(List.of(javaOptions.trim().split("\\s+")));
        }
        launch.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        run(launch, options.integer("models", 1_000), options.integer("runs", 7), options.path("dir"),
                options.integer("cds", 0) != 0, options.integer("print-log", 0) != 0, System.out);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * @param launch   the command that starts MAGI, without its options: {@code java -jar magi.jar}, or
     *                 {@code java -cp CLASSPATH dev.magi.standalone.MagiMain}
     * @param cds      whether the previous run also dumps the classes it loaded into a class data
     *                 sharing archive ({@code -XX:ArchiveClassesAtExit}), and every run also starts MAGI
     *                 with it mapped ({@code -XX:SharedArchiveFile}): options of the JVM, no change to
     *                 MAGI, measured beside the plain start
     * @param printLog whether to print what MAGI logged in each run
     */
    static Result run(List<String> launch, int models, int runs, Path parent, boolean cds, boolean printLog,
                      PrintStream out) throws Exception {
        out.println("Machine: " + Machine.describe());
        out.println("Launch: " + String.join(" ", launch));
        try (ModelTree tree = ModelTree.create(parent, models)) {
            Path data = tree.directory().resolve("data");
            Samples health = new Samples("spawn -> first 200 of GET /health");
            Samples registry = new Samples("spawn -> first 200 of GET /api/models/registry");
            Samples version = new Samples("spawn -> exit of --version (JVM floor)");

            Samples cdsHealth = new Samples("with the CDS archive: spawn -> first 200 of GET /health");
            Samples cdsRegistry = new Samples("with the CDS archive: spawn -> first 200 of the registry");

            Path archive = tree.directory().resolve("magi.jsa");
            List<String> training = cds ? withJavaOption(launch, "-XX:ArchiveClassesAtExit=" + archive) : launch;
            List<String> shared = withJavaOption(launch, "-XX:SharedArchiveFile=" + archive);
            out.println("Previous run (writes the registry" + (cds ? " and the class data sharing archive" : "")
                    + "):");
            startOnce(training, tree, data, models, "previous", out);
            if (cds) {
                if (!Files.isRegularFile(archive)) {
                    throw new IllegalStateException("the previous run wrote no archive " + archive + ":\n"
                            + Files.readString(tree.directory().resolve("previous.log"), StandardCharsets.UTF_8));
                }
                out.printf(Locale.ROOT, "  class data sharing archive %,d bytes; every run also starts %s%n",
                        Files.size(archive), String.join(" ", shared));
            }
            long registryBytes = Files.size(ApiServer.registryFile(data));
            out.printf(Locale.ROOT, "  registry file %,d bytes, %,d models under %s%n", registryBytes, models,
                    tree.root());

            for (int run = 1; run <= runs; run++) {
                // With the archive, the two starts of a run take turns going first.
                boolean cdsFirst = cds && run % 2 == 0;
                long[] withArchive = cdsFirst ? startOnce(shared, tree, data, models, "run-" + run + "-cds", out) : null;
                long[] times = startOnce(launch, tree, data, models, "run-" + run, out);
                if (cds && !cdsFirst) {
                    withArchive = startOnce(shared, tree, data, models, "run-" + run + "-cds", out);
                }
                if (printLog) {
                    Files.readAllLines(tree.directory().resolve("run-" + run + ".log"))
                            .forEach(line -> out.println("    | " + line));
                }
                health.add(times[0]);
                registry.add(times[1]);
                version.add(versionOnce(launch, tree.directory().resolve("version-" + run + ".log")));
                String cdsText = "";
                if (withArchive != null) {
                    cdsHealth.add(withArchive[0]);
                    cdsRegistry.add(withArchive[1]);
                    cdsText = String.format(Locale.ROOT, "   with CDS: /health %5.0f ms   registry %5.0f ms",
                            withArchive[0] / 1e6, withArchive[1] / 1e6);
                }
                out.printf(Locale.ROOT, "  run %d: /health %5.0f ms   /api/models/registry %5.0f ms   --version %5.0f ms"
                                + "%s   (%s)%n", run, times[0] / 1e6, times[1] / 1e6,
                        version.nanos(version.size() - 1) / 1e6, cdsText, Machine.load());
            }
            Result result = new Result(models, health, registry, version, cdsHealth, cdsRegistry);
            report(result, out);
            return result;
        }
    }

    /** {@code launch} with {@code option} given to the JVM, before its main class or jar. */
    private static List<String> withJavaOption(List<String> launch, String option) {
        List<String> command = new ArrayList<>(launch);
        command.add(1, option);
        return command;
    }

    /** Starts MAGI, times its first answers, stops it; answers the nanoseconds to /health and to the registry. */
    private static long[] startOnce(List<String> launch, ModelTree tree, Path data, int models, String name,
                                    PrintStream out) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(launch);
        command.addAll(List.of(
                ConfigKey.HOST.flag(), ApiServer.HOST,
                ConfigKey.PORT.flag(), Integer.toString(port),
                ConfigKey.SCAN_PATH.flag(), tree.root().toString(),
                ConfigKey.REGISTRY_PATH.flag(), ApiServer.registryFile(data).toString(),
                ConfigKey.PROFILES_PATH.flag(), data.resolve("profiles").toString()));
        Path log = tree.directory().resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        for (ConfigKey key : ConfigKey.values()) {
            builder.environment().remove(key.variable());
        }
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            long healthAt = firstOk(process, port, "/health", started, log) - started;
            long registryAt = firstOk(process, port, RegistryGetBenchmark.PATH, started, log) - started;
            checkRegistry(port, models);
            return new long[] {healthAt, registryAt};
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                out.println("  (" + name + " did not stop within 30 s of SIGTERM and was killed)");
            }
        }
    }

    /** Polls {@code path} until the first 200; answers {@link System#nanoTime()} when it came. */
    private static long firstOk(Process process, int port, String path, long started, Path log) throws Exception {
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("MAGI exited with " + process.exitValue() + " before answering "
                        + path + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            if (System.nanoTime() - started > TIMEOUT_NANOS) {
                throw new IllegalStateException("no 200 from " + path + " within 60 s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            try (HttpConnection connection = new HttpConnection(ApiServer.HOST, port)) {
                if (connection.get(path, port).status() == 200) {
                    return System.nanoTime();
                }
            } catch (ConnectException e) {
                // Not listening yet.
            } catch (IOException e) {
                // Listening, but not answering yet (a connection closed during the start).
            }
            Thread.sleep(5);
        }
    }

    private static void checkRegistry(int port, int models) throws IOException {
        try (HttpConnection connection = new HttpConnection(ApiServer.HOST, port)) {
            int listed = new ObjectMapper().readTree(connection.get(RegistryGetBenchmark.PATH, port).body())
                    .path("models").size();
            if (listed != models) {
                throw new IllegalStateException("the registry lists " + listed + " models, not " + models);
            }
        }
    }

    private static long versionOnce(List<String> launch, Path log) throws Exception {
        List<String> command = new ArrayList<>(launch);
        command.add("--version");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException("--version failed:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return System.nanoTime() - started;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(ApiServer.HOST))) {
            return socket.getLocalPort();
        }
    }

    private static void report(Result result, PrintStream out) {
        out.println();
        out.println("  at the end: " + Machine.load());
        for (Samples samples : List.of(result.health(), result.registry(), result.version(), result.cdsHealth(),
                result.cdsRegistry())) {
            if (samples.size() == 0) {
                continue;
            }
            out.println("  " + samples.row());
            out.println("      each: " + samples.each());
        }
        out.printf(Locale.ROOT, "  first answer (/health) within %.0f ms of the spawn, %,d models: median %.0f ms: %s%n",
                TARGET_MILLIS, result.models(), result.health().medianMillis(), result.met() ? "MET" : "NOT MET");
        if (result.cdsHealth().size() > 0) {
            out.printf(Locale.ROOT, "  with the CDS archive: median %.0f ms (%s); with / without: %.2f (median of"
                            + " per-run ratios)%n", result.cdsHealth().medianMillis(),
                    result.cdsHealth().medianMillis() < TARGET_MILLIS ? "under the target" : "over the target",
                    result.cdsHealth().medianRatioTo(result.health()));
        }
    }
}

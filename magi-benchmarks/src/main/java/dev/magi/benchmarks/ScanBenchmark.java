package dev.magi.benchmarks;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.discovery.ModelScanner;
import dev.magi.core.discovery.ScanResult;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.registry.RescanSummary;
import dev.magi.spi.RegistrySnapshot;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * Cold scans and rescans of a tree of small GGUF files, beside a bare walk of the same tree.
 *
 * <p>Not JMH: a cold scan of 10,000 files takes a second or more, so a run has room for a dozen
 * repetitions, not for JMH's iterations and forks. Instead every round runs each operation once, in
 * an order that rotates from round to round (so that none always runs right after the one that
 * left the most garbage), after a {@code System.gc()} (so that none pays for another's garbage).
 * The report gives medians and, for the rescan target, the median of the per-round ratios.
 *
 * <p>What "cold" means here: a new {@link ModelScanner}, so no header is cached in MAGI. The
 * operating system's page cache and directory entry cache are warm (the tree was just written and
 * every round reads it), and nothing is done to drop them: that needs root, and a long-running MAGI
 * rescans warm trees anyway.
 *
 * <p>All of that runs in one JVM whose JIT has compiled the scanner after the warm-up rounds. A
 * real first start is also a first run of that code, so the harness also starts fresh JVMs (the
 * same java, the same jar) that each time one operation as the first thing they do: a walk + stat,
 * a cold scan, or a whole engine start (cold scan, merge, JSON write), in rotating order.
 *
 * <p>The operations:
 * <ul>
 *   <li><b>walk + stat</b> (baseline): {@code Files.walk} following links, as the scanner must, and
 *       {@code Files.readAttributes(BasicFileAttributes)} of every path;</li>
 *   <li><b>cold scan</b>: {@code new ModelScanner().scan(root)}, every header read;</li>
 *   <li><b>cold scan + merge</b>: the same, merged into an empty {@link ModelRegistry} (with an
 *       in-memory store), which is what a first start costs before the JSON write;</li>
 *   <li><b>rescan (scanner)</b>: a warm scanner's {@code scan}: the walk, the cache lookups and
 *       building the models again;</li>
 *   <li><b>rescan (engine)</b>: {@link MagiEngine#rescan()} on an engine with the JSON store: the
 *       same plus the registry merge, which finds nothing changed and so writes nothing.</li>
 * </ul>
 */
final class ScanBenchmark {
    static final double COLD_SCAN_TARGET_MILLIS = 2_000;
    static final double RESCAN_TARGET_RATIO = 3.0;

    /** What a run measured, for the caller (and the smoke test) to check. */
    record Result(Samples walk, Samples coldScan, Samples coldScanMerge, Samples scannerRescan,
                  Samples engineRescan, List<Samples> freshJvm) {
        /** The median of the per-round ratios: the pairs ran seconds apart, under the same load. */
        double rescanRatio() {
            return engineRescan.medianRatioTo(walk);
        }

        double rescanRatioOfMedians() {
            return engineRescan.medianMillis() / walk.medianMillis();
        }

        /** Met when the JIT-warm median and, when measured, the fresh-JVM median are both under the target. */
        boolean coldScanMet() {
            return coldScan.medianMillis() < COLD_SCAN_TARGET_MILLIS
                    && (freshJvm.isEmpty() || freshJvm.get(1).medianMillis() < COLD_SCAN_TARGET_MILLIS);
        }

        /** Met only when both ways of taking the ratio are within the target. */
        boolean rescanMet() {
            return Math.max(rescanRatio(), rescanRatioOfMedians()) <= RESCAN_TARGET_RATIO;
        }
    }

    private ScanBenchmark() {
    }

    static void main(List<String> args) throws IOException {
        Options options = new Options(args, List.of("files", "warmup", "rounds", "fresh", "dir"));
        run(options.integer("files", 10_000), options.integer("warmup", 3), options.integer("rounds", 15),
                options.integer("fresh", 5), options.path("dir"), System.out);
    }

    static Result run(int files, int warmup, int rounds, int fresh, Path parent, PrintStream out)
            throws IOException {
        out.println("Machine: " + Machine.describe());
        out.printf(Locale.ROOT, "Writing %,d GGUF files ...%n", files);
        long writing = System.nanoTime();
        try (ModelTree tree = ModelTree.create(parent, files)) {
            out.printf(Locale.ROOT, "  %s: %,d files in %,d directories (%d publishers, one repository per"
                            + " %d quantizations), written in %.1f s%n", tree.root(), tree.files(),
                    tree.directories(), ModelTree.PUBLISHERS, ModelTree.quantizationsPerRepository(),
                    (System.nanoTime() - writing) / 1e9);
            List<Samples> freshJvm = measureInFreshJvms(tree, fresh, out);
            return measure(tree, warmup, rounds, freshJvm, out);
        }
    }

    private static Result measure(ModelTree tree, int warmup, int rounds, List<Samples> freshJvm, PrintStream out) {
        Path root = tree.root();
        int expected = tree.files();
        try (MagiEngine engine = engine(root, tree.directory().resolve("data"))) {
            ModelScanner warmScanner = new ModelScanner();
            warmScanner.scan(root);

            List<Operation> operations = List.of(
                    new Operation(new Samples("walk + stat (baseline)"), () -> walkAndStat(root)),
                    new Operation(new Samples("cold scan (new ModelScanner)"),
                            () -> new ModelScanner().scan(root).models().size()),
                    new Operation(new Samples("cold scan + merge (empty registry)"),
                            () -> mergeIntoEmptyRegistry(new ModelScanner().scan(root)).modelsFound()),
                    new Operation(new Samples("rescan, unchanged (same ModelScanner)"),
                            () -> warmScanner.scan(root).models().size()),
                    new Operation(new Samples("rescan, unchanged (MagiEngine.rescan)"),
                            () -> engine.rescan().modelsFound()));

            out.printf(Locale.ROOT, "Warm-up: %d rounds; measured: %d rounds%n", warmup, rounds);
            for (int round = 0; round < warmup + rounds; round++) {
                for (int i = 0; i < operations.size(); i++) {
                    Operation operation = operations.get((i + round) % operations.size());
                    long elapsed = operation.time(expected);
                    if (round >= warmup) {
                        operation.samples().add(elapsed);
                    }
                }
            }

            Result result = new Result(operations.get(0).samples(), operations.get(1).samples(),
                    operations.get(2).samples(), operations.get(3).samples(), operations.get(4).samples(),
                    freshJvm);
            report(result, out);
            return result;
        }
    }

    private static void report(Result result, PrintStream out) {
        out.println();
        out.println("  at the end: " + Machine.load());
        for (Samples samples : List.of(result.walk(), result.coldScan(), result.coldScanMerge(),
                result.scannerRescan(), result.engineRescan())) {
            out.println("  " + samples.row());
        }
        if (!result.freshJvm().isEmpty()) {
            out.println("  each the first operation of a fresh JVM:");
            for (Samples samples : result.freshJvm()) {
                out.println("  " + samples.row());
                out.println("      each: " + samples.each());
            }
        }
        out.println();
        out.printf(Locale.ROOT, "  cold scan: median %.0f ms (JIT warm)%s, target < %.0f ms: %s%n",
                result.coldScan().medianMillis(), result.freshJvm().isEmpty() ? ""
                        : String.format(Locale.ROOT, ", %.0f ms (fresh JVM)", result.freshJvm().get(1).medianMillis()),
                COLD_SCAN_TARGET_MILLIS, result.coldScanMet() ? "MET" : "NOT MET");
        out.printf(Locale.ROOT, "  rescan (engine) / walk + stat: %.2fx (median of per-round ratios; ratio of"
                        + " medians %.2fx), target <= %.1fx: %s%n", result.rescanRatio(),
                result.rescanRatioOfMedians(), RESCAN_TARGET_RATIO,
                result.rescanMet() ? "MET" : "NOT MET");
        out.printf(Locale.ROOT, "  rescan (scanner only) / walk + stat: %.2fx%n",
                result.scannerRescan().medianRatioTo(result.walk()));
        out.printf(Locale.ROOT, "  cold scan / walk + stat: %.2fx%n", result.coldScan().medianRatioTo(result.walk()));
    }

    // ---------------------------------------------------------------- fresh JVMs

    private static final List<String> FRESH_OPERATIONS = List.of("walk", "scan", "engine");

    /** Starts {@code rounds} fresh JVMs per operation, alternating, and collects their timings. */
    private static List<Samples> measureInFreshJvms(ModelTree tree, int rounds, PrintStream out) throws IOException {
        if (rounds <= 0) {
            return List.of();
        }
        out.printf(Locale.ROOT, "Fresh JVMs: %d per operation%n", rounds);
        List<Samples> samples = List.of(new Samples("walk + stat (baseline)"),
                new Samples("cold scan (new ModelScanner)"), new Samples("engine start (scan + merge + JSON write)"));
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < FRESH_OPERATIONS.size(); i++) {
                int index = (i + round) % FRESH_OPERATIONS.size();
                Path data = tree.directory().resolve("fresh-data");
                samples.get(index).add(inFreshJvm(FRESH_OPERATIONS.get(index), tree, data));
                ModelTree.deleteRecursively(data);
            }
        }
        return samples;
    }

    private static long inFreshJvm(String operation, ModelTree tree, Path data) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                BenchmarksMain.class.getName(), ONCE, operation, tree.root().toString(), data.toString(),
                Integer.toString(tree.files()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (process.waitFor() != 0) {
                throw new IllegalStateException("the fresh JVM timing '" + operation + "' failed:\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing '" + operation + "'", e);
        }
        for (String line : output.split("\n")) {
            if (line.startsWith("nanos=")) {
                return Long.parseLong(line.substring("nanos=".length()).trim());
            }
        }
        throw new IllegalStateException("the fresh JVM timing '" + operation + "' printed no time:\n" + output);
    }

    /** The command a fresh JVM runs: {@code once <walk|scan|engine> <root> <data dir> <expected count>}. */
    static final String ONCE = "scan-once";

    /** In a fresh JVM: times one operation, checks what it saw, and prints {@code nanos=...}. */
    static void once(List<String> args) {
        String operation = args.get(0);
        Path root = Path.of(args.get(1));
        Path data = Path.of(args.get(2));
        int expected = Integer.parseInt(args.get(3));
        long started = System.nanoTime();
        int seen = switch (operation) {
            case "walk" -> walkAndStat(root);
            case "scan" -> new ModelScanner().scan(root).models().size();
            case "engine" -> {
                try (MagiEngine engine = engine(root, data)) {
                    yield engine.registry().snapshot().models().size();
                }
            }
            default -> throw new IllegalArgumentException("unknown operation " + operation);
        };
        long elapsed = System.nanoTime() - started;
        if (seen != expected) {
            throw new IllegalStateException(operation + " saw " + seen + " files or models, not " + expected);
        }
        System.out.println("nanos=" + elapsed);
    }

    private static MagiEngine engine(Path root, Path data) {
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, root.toString())
                .set(ConfigKey.REGISTRY_PATH, data.resolve("model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, data.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .build();
    }

    // ---------------------------------------------------------------- operations

    /** The baseline: every path under {@code root}, following links, and its attributes. */
    static int walkAndStat(Path root) {
        int regularFiles = 0;
        try (Stream<Path> paths = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.readAttributes(path, BasicFileAttributes.class).isRegularFile()) {
                    regularFiles++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return regularFiles;
    }

    static RescanSummary mergeIntoEmptyRegistry(ScanResult scan) {
        ModelRegistry registry = new ModelRegistry(new InMemoryStore(), new SizeTierClassifier(),
                RegistrySnapshot.empty(null));
        return registry.applyScan(scan);
    }

    /** One measured operation; it answers how many files or models it saw, which is checked. */
    private record Operation(Samples samples, IntSupplier body) {
        long time(int expected) {
            // Start every operation on a collected heap: the garbage of the one before is not its cost.
            System.gc();
            long started = System.nanoTime();
            int seen = body.getAsInt();
            long elapsed = System.nanoTime() - started;
            if (seen != expected) {
                throw new IllegalStateException(samples.name() + " saw " + seen + " files or models, not "
                        + expected);
            }
            return elapsed;
        }
    }
}

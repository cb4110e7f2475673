package dev.magi.benchmarks;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.discovery.ModelScanner;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.RegistrySnapshot;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The heap a registry of 10,000 models retains, measured in this (fresh) JVM two ways.
 *
 * <ol>
 *   <li><b>Used heap after full collections</b>: {@code System.gc()} five times with short pauses,
 *       then the used heap of the memory MXBean, before building the registry and after (with the
 *       scanner and its scan result already unreachable, so only the registry is left). The
 *       difference is what the registry retains; dropping it again and collecting shows the same
 *       amount coming back.</li>
 *   <li><b>Class histogram</b>: the JVM's {@code GC.class_histogram} diagnostic command (what
 *       {@code jcmd <pid> GC.class_histogram} prints), which counts live objects only, after a full
 *       collection of its own; the difference of its totals, and the classes that grew most.</li>
 * </ol>
 *
 * <p>Before the first measurement a registry of a small tree is built and dropped, so that loading
 * and initialising the classes involved (static tables, the string table's constants) is not counted
 * as the registry's. The registry is built the real way: a scan of a tree of small GGUF files, merged
 * through {@link ModelRegistry#applyScan}, with an in-memory store so that no store buffers are
 * counted. For context, the same is then measured for a whole {@link MagiEngine} (JSON store, and the
 * scanner's cache of one header's facts per file, which the engine keeps for its rescans).
 */
final class RegistryHeapBenchmark {
    static final long TARGET_BYTES = 50L * 1024 * 1024;

    private static final String DIAGNOSTIC_COMMAND = "com.sun.management:type=DiagnosticCommand";

    /** What a run measured, for the caller (and the smoke test) to check. */
    record Result(int models, long registryBytes, long histogramBytes, long freedBytes, long engineBytes) {
        boolean met() {
            return registryBytes <= TARGET_BYTES && histogramBytes <= TARGET_BYTES;
        }
    }

    private RegistryHeapBenchmark() {
    }

    static void main(List<String> args) throws IOException, JMException, InterruptedException {
        Options options = new Options(args, List.of("files", "dir"));
        run(options.integer("files", 10_000), options.path("dir"), System.out);
    }

    static Result run(int files, Path parent, PrintStream out) throws IOException, JMException, InterruptedException {
        out.println("Machine: " + Machine.describe());
        loadClasses(parent, Math.min(files, 200));
        out.printf(Locale.ROOT, "Writing %,d GGUF files ...%n", files);
        try (ModelTree tree = ModelTree.create(parent, files)) {
            out.printf(Locale.ROOT, "  %s: %,d files in %,d directories%n", tree.root(), tree.files(),
                    tree.directories());
            Heap empty = Heap.settle();
            ModelRegistry registry = buildRegistry(tree.root());
            Heap built = Heap.settle();
            int models = registry.snapshot().models().size();
            Reference.reachabilityFence(registry);
            registry = null;
            Heap released = Heap.settle();

            long engineBytes;
            try (MagiEngine engine = engine(tree)) {
                Heap withEngine = Heap.settle();
                engineBytes = withEngine.used() - released.used();
                Reference.reachabilityFence(engine);
            }

            Result result = new Result(models, built.used() - empty.used(),
                    built.histogramTotal() - empty.histogramTotal(), built.used() - released.used(), engineBytes);
            report(result, empty, built, out);
            return result;
        }
    }

    private static void report(Result result, Heap empty, Heap built, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "  registry of %,d models (ModelRegistry + RegistrySnapshot):%n", result.models());
        out.printf(Locale.ROOT, "    used heap after full GCs:   %s before, %s after: retains %s (%,d bytes per model)%n",
                mib(empty.used()), mib(built.used()), mib(result.registryBytes()),
                result.registryBytes() / Math.max(1, result.models()));
        out.printf(Locale.ROOT, "    class histogram (live):     %s before, %s after: retains %s%n",
                mib(empty.histogramTotal()), mib(built.histogramTotal()), mib(result.histogramBytes()));
        out.printf(Locale.ROOT, "    released again when dropped: %s%n", mib(result.freedBytes()));
        out.printf(Locale.ROOT, "    target <= %s: %s%n", mib(TARGET_BYTES), result.met() ? "MET" : "NOT MET");
        out.printf(Locale.ROOT, "  whole MagiEngine on the same tree (registry + scanner cache + JSON store): %s%n",
                mib(result.engineBytes()));
        out.println("  classes that grew most with the registry (class histogram):");
        built.largestGrowthOver(empty, 12).forEach(line -> out.println("    " + line));
    }

    /**
     * Builds and drops a registry and an engine of a small tree, so that loading and initialising
     * their classes happens before the first measurement. A method of its own: a local variable of
     * an interpreted frame can keep its object reachable after its block ends, and this frame is gone
     * by the time the heap is measured.
     */
    private static void loadClasses(Path parent, int files) throws IOException {
        try (ModelTree small = ModelTree.create(parent, files)) {
            Reference.reachabilityFence(buildRegistry(small.root()));
            try (MagiEngine engine = engine(small)) {
                Reference.reachabilityFence(engine);
            }
        }
    }

    private static ModelRegistry buildRegistry(Path root) {
        ModelRegistry registry = new ModelRegistry(new InMemoryStore(), new SizeTierClassifier(),
                RegistrySnapshot.empty(null));
        // The scanner and its result go out of scope here: only the registry stays reachable.
        registry.applyScan(new ModelScanner().scan(root));
        return registry;
    }

    private static MagiEngine engine(ModelTree tree) {
        Path data = tree.directory().resolve("data");
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, tree.root().toString())
                .set(ConfigKey.REGISTRY_PATH, data.resolve("model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, data.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .build();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** The live heap at one moment: used bytes after full collections, and the class histogram. */
    private record Heap(long used, long histogramTotal, Map<String, long[]> byClass) {
        static Heap settle() throws JMException, InterruptedException {
            // Several collections with pauses: reference processing and finalization can free more
            // on the second and third pass than on the first.
            for (int i = 0; i < 5; i++) {
                System.gc();
                Thread.sleep(100);
            }
            long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            return histogram(used);
        }

        private static Heap histogram(long used) throws JMException {
            String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName(DIAGNOSTIC_COMMAND), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
            Map<String, long[]> byClass = new HashMap<>();
            long total = 0;
            for (String line : text.split("\n")) {
                String[] fields = line.trim().split("\\s+");
                // "   1:   123456   7890123  [B (java.base@17.0.15)" and "Total   123456   7890123"
                if (fields.length >= 4 && fields[0].endsWith(":")) {
                    byClass.put(fields[3], new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
                } else if (fields.length == 3 && fields[0].equals("Total")) {
                    total = Long.parseLong(fields[2]);
                }
            }
            return new Heap(used, total, byClass);
        }

        List<String> largestGrowthOver(Heap before, int limit) {
            List<Map.Entry<String, long[]>> growth = new ArrayList<>();
            for (Map.Entry<String, long[]> entry : byClass.entrySet()) {
                long[] then = before.byClass.getOrDefault(entry.getKey(), new long[2]);
                growth.add(Map.entry(entry.getKey(),
                        new long[] {entry.getValue()[0] - then[0], entry.getValue()[1] - then[1]}));
            }
            growth.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
            List<String> lines = new ArrayList<>();
            for (Map.Entry<String, long[]> entry : growth.subList(0, Math.min(limit, growth.size()))) {
                lines.add(String.format(Locale.ROOT, "%,12d bytes %,9d instances  %s", entry.getValue()[1],
                        entry.getValue()[0], entry.getKey()));
            }
            return lines;
        }
    }
}

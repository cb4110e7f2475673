package dev.magi.benchmarks.stores;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.plugin.PluginLoader;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * For each store and registry size: the median time of a durable tier change, through {@link
 * ModelRegistry#setTierOverride} over the store (so the save is in the time, as for {@code PUT
 * /api/models/{id}/tier}), and of the registry load at start ({@code StoreProvider.open} then {@code
 * loadRegistry}), both in this JVM once warm and in fresh JVMs, where a real start happens.
 *
 * <p>Medians, not means: on a shared machine a repetition that lost its core to a neighbour is an
 * outlier to ignore. Every store works in a directory of its own under {@code --dir} (default: the
 * temporary directory), on the disk the user's data would be on, since a durable save is mostly a
 * disk's {@code fsync}; the directory is deleted afterwards.
 *
 * <pre>
 * java -cp magi-benchmarks/target/benchmarks.jar dev.magi.benchmarks.stores.StoreBenchmark \
 *     [--stores json,yaml,h2] [--models 1000,10000] [--warmup 20] [--updates 100] [--loads 15] [--fresh 5] [--dir D]
 * </pre>
 */
public final class StoreBenchmark {
    static final String LOAD_ONCE = "load-once";

    /** What to measure. */
    record Options(List<String> stores, List<Integer> sizes, int warmup, int updates, int loads, int fresh,
                   Path dir) {
        static Options parse(List<String> args) {
            Map<String, String> values = new LinkedHashMap<>();
            List<String> names = List.of("stores", "models", "warmup", "updates", "loads", "fresh", "dir");
            for (int i = 0; i < args.size(); i += 2) {
                String name = args.get(i).startsWith("--") ? args.get(i).substring(2) : "";
                if (!names.contains(name) || i + 1 >= args.size()) {
                    throw new IllegalArgumentException("unknown option or missing value: " + args.get(i)
                            + " (options: --" + String.join(", --", names) + ", each followed by its value)");
                }
                values.put(name, args.get(i + 1));
            }
            return new Options(
                    List.of(values.getOrDefault("stores", "json,yaml,h2").split(",")),
                    Arrays.stream(values.getOrDefault("models", "1000,10000").split(",")).map(Integer::valueOf).toList(),
                    Integer.parseInt(values.getOrDefault("warmup", "20")),
                    Integer.parseInt(values.getOrDefault("updates", "100")),
                    Integer.parseInt(values.getOrDefault("loads", "15")),
                    Integer.parseInt(values.getOrDefault("fresh", "5")),
                    Path.of(values.getOrDefault("dir", System.getProperty("java.io.tmpdir"))));
        }
    }

    /** The timings of one operation, in nanoseconds. */
    record Samples(List<Long> nanos) {
        Samples {
            nanos = List.copyOf(nanos);
        }

        double medianMillis() {
            if (nanos.isEmpty()) {
                return Double.NaN;
            }
            long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
            int mid = sorted.length / 2;
            double median = sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
            return median / 1e6;
        }

        double minMillis() {
            return nanos.stream().mapToLong(Long::longValue).min().orElse(0) / 1e6;
        }

        double maxMillis() {
            return nanos.stream().mapToLong(Long::longValue).max().orElse(0) / 1e6;
        }

        String cell() {
            return String.format(Locale.ROOT, "%.1f (%.1f-%.1f)", medianMillis(), minMillis(), maxMillis());
        }
    }

    /**
     * One store at one size.
     *
     * @param writtenPerUpdate bytes this JVM sent to the disk per tier change, or -1 where the system
     *                         does not count them ({@code write_bytes} of {@code /proc/self/io}, Linux)
     */
    record Row(String store, int models, Samples update, long writtenPerUpdate, Samples warmLoad, Samples freshLoad,
               long bytesOnDisk) {
        String line() {
            return String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %.1f MiB |", store, models, update.cell(),
                    writtenPerUpdate < 0 ? "-" : String.format(Locale.ROOT, "%,.0f KiB", writtenPerUpdate / 1024.0),
                    warmLoad.cell(), freshLoad.nanos().isEmpty() ? "-" : freshLoad.cell(), bytesOnDisk / 1048576.0);
        }
    }

    private StoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 4 && args[0].equals(LOAD_ONCE)) {
            loadOnce(args[1], Path.of(args[2]), Path.of(args[3]));
            return;
        }
        run(Options.parse(List.of(args)), System.out);
    }

    static List<Row> run(Options options, PrintStream out) throws IOException, InterruptedException {
        out.println("Machine: " + machine());
        out.printf(Locale.ROOT, "%d warm-up and %d measured tier changes, %d warm loads, %d fresh-JVM loads;"
                + " in %s%n", options.warmup(), options.updates(), options.loads(), options.fresh(), options.dir());
        out.println("| store | models | tier change, ms: median (min-max) | written per change |"
                + " load at start, warm JVM, ms | load at start, fresh JVM, ms | on disk |");
        out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        List<Row> rows = new ArrayList<>();
        for (int size : options.sizes()) {
            for (String store : options.stores()) {
                Row row = measure(store, size, options);
                rows.add(row);
                out.println(row.line());
            }
        }
        return rows;
    }

    static Row measure(String storeName, int size, Options options) throws IOException, InterruptedException {
        StoreProvider provider = provider(storeName);
        Path dir = Files.createTempDirectory(Files.createDirectories(options.dir()), "magi-store-" + storeName + "-");
        try {
            Settings settings = settings(dir.resolve("data/model_registry.json"), dir.resolve("profiles"));
            RegistrySnapshot registry = registry(size);
            Samples update;
            long written;
            try (RegistryStore store = provider.open(settings)) {
                store.saveRegistry(registry);
                long before = bytesWritten();
                update = tierChanges(new ModelRegistry(store, new SizeTierClassifier(), registry), options);
                long after = bytesWritten();
                int changes = options.warmup() + options.updates();
                written = before < 0 || after < 0 || changes == 0 ? -1 : (after - before) / changes;
            }
            List<Long> warm = new ArrayList<>();
            for (int i = 0; i < options.loads(); i++) {
                long start = System.nanoTime();
                RegistryStore store = provider.open(settings);
                int models = store.loadRegistry().orElseThrow().models().size();
                warm.add(System.nanoTime() - start);
                store.close();
                check(models, size);
            }
            List<Long> fresh = new ArrayList<>();
            for (int i = 0; i < options.fresh(); i++) {
                fresh.add(loadInFreshJvm(storeName, dir, size));
            }
            return new Row(storeName, size, update, written, new Samples(warm), new Samples(fresh), bytes(dir));
        } finally {
            delete(dir);
        }
    }

    /** Changes the tier of models spread over the registry, each change a real one (and so a save). */
    private static Samples tierChanges(ModelRegistry registry, Options options) {
        List<String> ids = List.copyOf(registry.snapshot().models().keySet());
        List<Long> nanos = new ArrayList<>();
        for (int k = 0; k < options.warmup() + options.updates(); k++) {
            String id = ids.get((int) ((k * 7919L) % ids.size()));
            Tier now = registry.require(id).tierOverride();
            Tier next = now == Tier.POWERFUL ? Tier.FAST : Tier.POWERFUL;
            long start = System.nanoTime();
            registry.setTierOverride(id, next);
            long elapsed = System.nanoTime() - start;
            if (k >= options.warmup()) {
                nanos.add(elapsed);
            }
        }
        return new Samples(nanos);
    }

    /** Runs {@link #loadOnce} in a JVM of its own and answers the time it printed. */
    private static long loadInFreshJvm(String store, Path dir, int size) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), StoreBenchmark.class.getName(), LOAD_ONCE, store,
                dir.resolve("data/model_registry.json").toString(), dir.resolve("profiles").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            line = in.readLine();
        }
        if (child.waitFor() != 0 || line == null) {
            throw new IllegalStateException("the fresh JVM loading the " + store + " store failed");
        }
        String[] parts = line.split(" ");
        check(Integer.parseInt(parts[1]), size);
        return Long.parseLong(parts[0]);
    }

    /** In a fresh JVM: opens the store and loads the registry once, and prints the time and the model count. */
    private static void loadOnce(String store, Path registryPath, Path profilesPath) {
        long start = System.nanoTime();
        try (RegistryStore opened = provider(store).open(settings(registryPath, profilesPath))) {
            int models = opened.loadRegistry().orElseThrow().models().size();
            long elapsed = System.nanoTime() - start;
            System.out.println(elapsed + " " + models);
        }
    }

    private static StoreProvider provider(String name) {
        return PluginLoader.create(StoreBenchmark.class.getClassLoader(), null)
                .choose(StoreProvider.class, StoreProvider::name, name, "--stores");
    }

    private static Settings settings(Path registryPath, Path profilesPath) {
        return Settings.of(Map.of(ConfigKey.REGISTRY_PATH.variable(), registryPath.toString(),
                ConfigKey.PROFILES_PATH.variable(), profilesPath.toString()));
    }

    private static void check(int models, int expected) {
        if (models != expected) {
            throw new IllegalStateException("loaded " + models + " models, expected " + expected);
        }
    }

    /**
     * A registry as a scan of {@code size} files builds it: every fact a GGUF header gives, a few
     * models with the user's settings, file paths of a realistic length.
     */
    static RegistrySnapshot registry(int size) {
        String[] families = {"qwen", "llama", "mistral", "gemma", "phi", "deepseek"};
        String[] quants = {"q4_k_m", "q5_k_m", "q8_0", "iq4_xs", "q6_k", "f16"};
        double[] sizes = {0.5, 1.5, 3, 4, 7, 8, 14, 32, 70};
        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            String family = families[i % families.length];
            String quant = quants[(i / families.length) % quants.length];
            double billions = sizes[i % sizes.length];
            String label = (billions == Math.rint(billions) ? Long.toString((long) billions) : Double.toString(billions)) + "B";
            String base = String.format(Locale.ROOT, "%s-%s-Instruct-%05d-%s", capitalize(family), label, i,
                    quant.toUpperCase(Locale.ROOT));
            String id = base.toLowerCase(Locale.ROOT);
            String path = "/home/user/models/" + family + "/" + base + "/" + base + ".gguf";
            DiscoveredModel.Builder model = DiscoveredModel.builder(id, path, base + ".gguf")
                    .fileSizeBytes((long) (billions * 6e8))
                    .family(family).version("2.5").sizeParams(billions).sizeLabel(label)
                    .parameterCount((long) (billions * 1e9)).quantization(quant).architecture(family + "2")
                    .contextLength(32768L).isInstruct(true).isCoder(i % 11 == 0).isThinkingModel(i % 7 == 0)
                    .assignedTier(billions >= 14 ? Tier.POWERFUL : billions < 7 ? Tier.FAST : Tier.BALANCED)
                    .metadataSource(MetadataSource.GGUF).displayName(capitalize(family) + " " + label + " Instruct");
            if (i % 50 == 0) {
                model.enabled(true).port(8080 + (i / 50) % 20).nGpuLayers(99).ctxSize(8192);
            }
            models.put(id, model.build());
        }
        return new RegistrySnapshot(models, "/home/user/models", Instant.parse("2026-11-26T12:00:00Z"), null,
                TierThresholds.DEFAULT);
    }

    private static String capitalize(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }

    /** What this JVM has caused to be written to disks so far, or -1 where the system does not say. */
    static long bytesWritten() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or not allowed: the column shows '-'.
        }
        return -1;
    }

    private static long bytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> {
                try {
                    return Files.size(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(file);
            }
        }
    }

    /** CPUs, JVM, OS and the load, printed with the figures: a slow figure may be the neighbours'. */
    static String machine() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%d CPUs, %s %s, %s %s, max heap %d MiB, load average (1 min) %.2f",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("os.name"),
                System.getProperty("os.version"), Runtime.getRuntime().maxMemory() >> 20, load);
    }
}

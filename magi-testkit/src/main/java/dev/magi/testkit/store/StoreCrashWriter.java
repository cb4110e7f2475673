package dev.magi.testkit.store;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.PortRange;
import dev.magi.spi.Problem;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.spi.Tier;
import dev.magi.spi.TierThresholds;
import dev.magi.testkit.Plugins;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The writer that {@link RegistryStoreContract} kills: opens a store by name, then saves registry
 * number 1, 2, 3... for ever, printing each number on its own line once the save has returned, that
 * is, once the store has acknowledged it. It goes on from the number the store already holds.
 *
 * <p>Arguments: the store's name, then the settings as {@code KEY=VALUE}. It runs on the test's own
 * class path, so it finds the store under test as the test does.
 */
public final class StoreCrashWriter {

    private StoreCrashWriter() {
    }

    public static void main(String[] args) {
        Map<String, String> settings = new HashMap<>();
        for (String arg : List.of(args).subList(1, args.length)) {
            int eq = arg.indexOf('=');
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Map<String, StoreProvider> available = Plugins.byName(StoreProvider.class,
                StoreCrashWriter.class.getClassLoader(), StoreProvider::name);
        StoreProvider provider = available.get(args[0]);
        if (provider == null) {
            throw new IllegalArgumentException("No store named '" + args[0] + "'; available: " + available.keySet());
        }
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        RegistryStore store = provider.open(Settings.of(settings));
        long n = store.loadRegistry().map(StoreCrashWriter::numberOf).orElse(0L);
        while (true) {
            n++;
            store.saveRegistry(registryNumber(n));
            out.println(n);
            out.flush();
        }
    }

    /**
     * The registry of write {@code n}: every model carries {@code n}, and the set of models changes
     * from one write to the next, so a mix of two writes, or a part of one, is told from a whole one.
     */
    public static RegistrySnapshot registryNumber(long n) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        int count = 40 + (int) (n % 7);
        for (int k = 0; k < count; k++) {
            // Every third write changes only one model, as a user's change does; the others change all.
            long stamp = n % 3 == 0 ? n - (k == 0 ? 0 : 1) : n;
            String id = "model-" + k;
            models.put(id, DiscoveredModel.builder(id, "/models/écrit/" + id + ".gguf", id + ".gguf")
                    .fileSizeBytes(1_000_000_000L + k).family("llama").sizeParams(7.0 + k)
                    .quantization("q4_k_m").metadataSource(MetadataSource.GGUF).assignedTier(Tier.BALANCED)
                    .enabled(k % 2 == 0).ctxSize((int) stamp)
                    .displayName("model " + k + " of write " + stamp + " «" + "x".repeat(k) + "»")
                    .problems(List.of(Problem.parse("note " + stamp)))
                    .build());
        }
        return new RegistrySnapshot(models, "/models/écrit", Instant.ofEpochSecond(1_700_000_000L + n),
                new PortRange(9000, 9099), new TierThresholds(14, 7));
    }

    /** The number of the write a registry came from. */
    public static long numberOf(RegistrySnapshot registry) {
        return registry.lastScan().getEpochSecond() - 1_700_000_000L;
    }

    /**
     * Starts this writer over the store {@code storeName} opened with {@code settings}, kills it with
     * SIGKILL once it has acknowledged {@code acks} more writes, and answers the last write it
     * acknowledged, which is after {@code before}. Its error output goes to a file in {@code scratch}.
     */
    static long killAfter(String storeName, Map<String, String> settings, Path scratch, int acks, long before)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                StoreCrashWriter.class.getName(), storeName));
        settings.forEach((key, value) -> command.add(key + "=" + value));
        Path errors = Files.createTempFile(scratch, "writer", ".err");
        Process writer = new ProcessBuilder(command).redirectError(errors.toFile()).start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        String end = "end of output";
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The pipe breaks when the writer is killed: the lines read so far are all there is.
            } finally {
                lines.add(end);
            }
        });
        pump.start();
        long last = before;
        try {
            for (int seen = 0; seen < acks; seen++) {
                // A bound that only keeps a stuck writer from hanging the build; it judges nothing.
                String line = lines.poll(5, TimeUnit.MINUTES);
                if (line == null || line.equals(end)) {
                    fail("the writer stopped before it was killed: " + Files.readString(errors));
                }
                last = Long.parseLong(line);
            }
        } finally {
            // SIGKILL through the process handle: Process.destroyForcibly would also close our end of
            // the pipe and lose acknowledgements the writer printed but this side has not read yet.
            writer.toHandle().destroyForcibly();
            writer.waitFor();
            pump.join();
        }
        for (String line = lines.poll(); line != null && !line.equals(end); line = lines.poll()) {
            last = Long.parseLong(line);
        }
        assertThat(last).as("acknowledged writes").isGreaterThan(before);
        return last;
    }
}

package dev.magi.core.store;

import dev.magi.core.plugin.PluginLoader;
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

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The writer that {@link RegistryStoreContract} kills: opens a store by name, then saves registry
 * number 1, 2, 3... for ever, printing each number on its own line once the save has returned, that
 * is, once the store has acknowledged it. It goes on from the number the store already holds.
 *
 * <p>Arguments: the store's name, then the settings as {@code KEY=VALUE}.
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
        StoreProvider provider = PluginLoader.create(StoreCrashWriter.class.getClassLoader(), null)
                .choose(StoreProvider.class, StoreProvider::name, args[0], "store");
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
}

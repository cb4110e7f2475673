package dev.magi.benchmarks;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.json.RegistryJson;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.store.file.RegistryFormat;
import dev.magi.core.store.json.JsonRegistryStore;
import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Tier;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code PUT /api/models/{id}/tier} on a registry of N models with the default {@code json} store,
 * which writes the whole registry to a new file, forces it to disk, keeps the old one as
 * {@code .bak} and forces the directory before it answers. Sequential requests over one kept-alive
 * connection, each setting the other of two tiers (so that every one changes the registry and is
 * saved), after a warm-up; the latency of each, from writing the request to reading the whole answer.
 *
 * <p>Then, to say where the time goes, the parts of a save timed alone in rounds (one of each per
 * round, in rotating order, so that all meet the same neighbours): the same PUT again, the registry
 * change without HTTP, the store's save, the JSON alone
 * (pretty, as the store writes it, and compact), the crash-safe write of those bytes alone, and the
 * same bytes written without any force.
 */
final class TierPutBenchmark {
    static final double TARGET_MEDIAN_MILLIS = 5;
    static final double ORIGINAL_TARGET_MILLIS = 50;
    private static final Tier[] TIERS = {Tier.FAST, Tier.POWERFUL};

    record Result(int models, long registryFileBytes, Samples put, List<Samples> parts) {
        boolean met() {
            return put.medianMillis() < TARGET_MEDIAN_MILLIS;
        }
    }

    private TierPutBenchmark() {
    }

    static void main(List<String> args) throws Exception {
        Options options = new Options(args, List.of("models", "warmup", "requests", "parts", "dir"));
        run(options.integer("models", 1_000), options.integer("warmup", 300), options.integer("requests", 1_000),
                options.integer("parts", 100), options.path("dir"), System.out);
    }

    static Result run(int models, int warmup, int requests, int partRounds, Path parent, PrintStream out)
            throws Exception {
        out.println("Machine: " + Machine.describe());
        try (ModelTree tree = ModelTree.create(parent, models);
             ApiServer magi = ApiServer.start(tree)) {
            ModelRegistry registry = magi.engine().registry();
            List<String> ids = new ArrayList<>(registry.snapshot().models().keySet());
            if (ids.size() != models) {
                throw new IllegalStateException("the registry holds " + ids.size() + " models, not " + models);
            }
            String id = ids.stream().sorted().toList().get(ids.size() / 2);
            String path = "/api/models/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/tier";
            Path file = magi.registryFile();
            out.printf(Locale.ROOT, "MAGI on port %d: %,d models; PUT %s; registry file %s (%,d bytes)%n",
                    magi.port(), models, path, file, Files.size(file));

            Samples put = new Samples("PUT /api/models/{id}/tier (HTTP, durable)");
            byte[][] bodies = new byte[TIERS.length][];
            for (int t = 0; t < TIERS.length; t++) {
                bodies[t] = HttpConnection.request("PUT", ApiServer.HOST, magi.port(), path,
                        "{\"tier\":\"" + TIERS[t].wireName() + "\"}");
            }
            out.printf(Locale.ROOT, "Warm-up: %d requests; measured: %d requests, one connection, one at a time%n",
                    warmup, requests);
            try (HttpConnection connection = magi.connect()) {
                int last = -1;
                for (int i = 0; i < warmup + requests; i++) {
                    last = i % TIERS.length;
                    long started = System.nanoTime();
                    put(connection, bodies[last]);
                    long elapsed = System.nanoTime() - started;
                    if (i >= warmup) {
                        put.add(elapsed);
                    }
                }
                checkOnDisk(file, id, TIERS[last]);
                long fileBytes = Files.size(file);

                // Every timed change sets the tier the model does not have, so that each one is saved.
                Runnable httpPut = () -> put(connection, bodies[other(registry, id)]);
                List<Samples> parts = parts(httpPut, registry, id, tree.directory().resolve("scratch"), partRounds,
                        out);
                Result result = new Result(models, fileBytes, put, parts);
                report(result, out);
                return result;
            }
        }
    }

    private static void put(HttpConnection connection, byte[] request) {
        try {
            HttpConnection.Response response = connection.exchange(request, false);
            if (response.status() != 200) {
                throw new IllegalStateException("PUT answered " + response.status());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The index in {@link #TIERS} of the tier that model {@code id} is not overridden to now. */
    private static int other(ModelRegistry registry, String id) {
        return registry.require(id).tierOverride() == TIERS[0] ? 1 : 0;
    }

    /** The file on disk must already hold the last tier set: the answer came after the save. */
    private static void checkOnDisk(Path file, String id, Tier expected) throws IOException {
        JsonNode model = RegistryJson.newMapper().readTree(file.toFile()).path("models").path(id);
        String onDisk = model.path("tierOverride").asText(null);
        if (!expected.wireName().equals(onDisk)) {
            throw new IllegalStateException("the registry file holds tier override " + onDisk + " for " + id
                    + ", not " + expected.wireName());
        }
    }

    private record Part(Samples samples, Runnable body) {
    }

    private static List<Samples> parts(Runnable httpPut, ModelRegistry registry, String id, Path scratch, int rounds, PrintStream out)
            throws IOException {
        Files.createDirectories(scratch);
        RegistrySnapshot snapshot = registry.snapshot();
        byte[] pretty = json(snapshot, true);
        JsonRegistryStore store = new JsonRegistryStore(scratch.resolve("store.json"), scratch.resolve("profiles"));
        Path durable = scratch.resolve("durable.json");
        Path plain = scratch.resolve("plain.json");
        List<Part> parts = List.of(
                new Part(new Samples("PUT over HTTP, as above"), httpPut),
                new Part(new Samples("ModelRegistry.setTierOverride (no HTTP)"),
                        () -> registry.setTierOverride(id, TIERS[other(registry, id)])),
                new Part(new Samples("JsonRegistryStore.saveRegistry"), () -> store.saveRegistry(snapshot)),
                new Part(new Samples("  pretty JSON to memory (as stored)"), () -> json(snapshot, true)),
                new Part(new Samples("  compact JSON to memory"), () -> json(snapshot, false)),
                new Part(new Samples("  AtomicFiles.writeKeepingBackup of the bytes"), () -> {
                    try {
                        AtomicFiles.writeKeepingBackup(durable, stream -> stream.write(pretty));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }),
                new Part(new Samples("  Files.write of the bytes, no force"), () -> {
                    try {
                        Files.write(plain, pretty);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }));
        int warmup = Math.max(1, rounds / 5);
        out.printf(Locale.ROOT, "Parts of a save: %d warm-up rounds, %d measured rounds%n", warmup, rounds);
        for (int round = 0; round < warmup + rounds; round++) {
            for (int i = 0; i < parts.size(); i++) {
                Part part = parts.get((i + round) % parts.size());
                long started = System.nanoTime();
                part.body().run();
                long elapsed = System.nanoTime() - started;
                if (round >= warmup) {
                    part.samples().add(elapsed);
                }
            }
        }
        return parts.stream().map(Part::samples).toList();
    }

    /** The registry as JSON in memory: pretty-printed as the json store writes it, or compact. */
    static byte[] json(RegistrySnapshot snapshot, boolean pretty) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            if (pretty) {
                RegistryFormat.json().write(snapshot, bytes);
            } else {
                try (JsonGenerator gen = RegistryJson.newMapper().getFactory().createGenerator(bytes)) {
                    RegistryJson.writeRegistry(snapshot, gen);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void report(Result result, PrintStream out) {
        Samples put = result.put();
        out.println();
        out.println("  at the end: " + Machine.load());
        out.printf(Locale.ROOT, "  %s: median %.2f ms   p90 %.2f ms   p99 %.2f ms   min %.2f   max %.2f   (n=%d)%n",
                put.name(), put.medianMillis(), put.percentileMillis(90), put.percentileMillis(99), put.minMillis(),
                put.maxMillis(), put.size());
        out.printf(Locale.ROOT, "  target: median < %.0f ms: %s (original design: < %.0f ms: %s)%n",
                TARGET_MEDIAN_MILLIS, result.met() ? "MET" : "NOT MET", ORIGINAL_TARGET_MILLIS,
                put.medianMillis() < ORIGINAL_TARGET_MILLIS ? "MET" : "NOT MET");
        out.printf(Locale.ROOT, "  where the time goes (registry file %,d bytes, pretty-printed JSON):%n",
                result.registryFileBytes());
        for (Samples part : result.parts()) {
            out.printf(Locale.ROOT, "    %-48s median %7.2f ms   p90 %7.2f ms%n", part.name(), part.medianMillis(),
                    part.percentileMillis(90));
        }
    }
}

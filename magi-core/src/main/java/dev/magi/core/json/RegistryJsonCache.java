package dev.magi.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RegistrySnapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The compact JSON bytes of the last registry one owner serialized, with each model entry's bytes.
 * Snapshots are immutable, so reads between two changes send the same bytes, and a change re-encodes
 * only the models it replaced. Each owner (a {@code ModelRegistry} for the API, a file store for its
 * saves) keeps its own, so two engines in one JVM never evict each other's entries.
 */
public final class RegistryJsonCache {

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] MODELS_START = "{\"models\":{".getBytes(StandardCharsets.UTF_8);

    private final AtomicReference<Serialized> last = new AtomicReference<>();

    /** A registry's bytes and each model entry's bytes, so that the next change re-encodes only what changed. */
    private record Serialized(RegistrySnapshot registry, byte[] bytes, Map<DiscoveredModel, byte[]> entries) {
    }

    /**
     * The registry as compact UTF-8 JSON, the document of {@link RegistryJson#writeRegistry}. Asked
     * again for the same snapshot, answers the same array. Callers must not modify it.
     */
    public byte[] bytes(RegistrySnapshot registry) {
        Serialized kept = last.get();
        if (kept != null && kept.registry() == registry) {
            return kept.bytes();
        }
        // A change replaces one model and keeps every other instance, so entries are reused by identity.
        Map<DiscoveredModel, byte[]> previous = kept == null ? Map.of() : kept.entries();
        Map<DiscoveredModel, byte[]> entries = new IdentityHashMap<>(registry.models().size() * 2);
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + registry.models().size() * 1024);
        try {
            out.write(MODELS_START);
            boolean first = true;
            for (Map.Entry<String, DiscoveredModel> entry : registry.models().entrySet()) {
                DiscoveredModel model = entry.getValue();
                byte[] encoded = previous.get(model);
                if (encoded == null || !entry.getKey().equals(model.modelId())) {
                    encoded = encodeEntry(entry.getKey(), model);
                }
                entries.put(model, encoded);
                if (!first) {
                    out.write(',');
                }
                first = false;
                out.write(encoded);
            }
            out.write('}');
            // The registry-wide fields, written as an object whose opening brace becomes the comma.
            ByteArrayOutputStream tail = new ByteArrayOutputStream(256);
            try (JsonGenerator gen = FACTORY.createGenerator(tail)) {
                gen.writeStartObject();
                RegistryJson.writeRegistryFields(registry, gen);
                gen.writeEndObject();
            }
            byte[] tailBytes = tail.toByteArray();
            out.write(',');
            out.write(tailBytes, 1, tailBytes.length - 1);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        byte[] bytes = out.toByteArray();
        last.set(new Serialized(registry, bytes, entries));
        return bytes;
    }

    /** {@code "id":{...model...}} */
    private static byte[] encodeEntry(String id, DiscoveredModel model) throws IOException {
        ByteArrayOutputStream entry = new ByteArrayOutputStream(1024);
        try (JsonGenerator gen = FACTORY.createGenerator(entry)) {
            // Written inside an object so the generator quotes and escapes the id as a field name.
            gen.writeStartObject();
            gen.writeFieldName(id);
            RegistryJson.writeModel(model, gen);
            gen.writeEndObject();
        }
        byte[] wrapped = entry.toByteArray();
        return Arrays.copyOfRange(wrapped, 1, wrapped.length - 1);
    }
}

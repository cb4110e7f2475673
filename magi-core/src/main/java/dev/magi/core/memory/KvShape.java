package dev.magi.core.memory;

import dev.magi.core.gguf.GgufArray;
import dev.magi.core.gguf.GgufHeader;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * The shape of a model's KV cache, from its GGUF header: layers, KV heads and the length of one head's
 * key and value. llama.cpp keeps, per token of context, a key and a value per KV head per layer.
 *
 * @param blockCount  {@code ARCH.block_count}, the layers
 * @param headCountKv {@code ARCH.attention.head_count_kv}, else {@code head_count} (no grouped-query
 *                    attention); the largest entry when the header gives one per layer
 * @param keyLength   {@code ARCH.attention.key_length}, else {@code embedding_length / head_count}
 * @param valueLength {@code ARCH.attention.value_length}, else {@code embedding_length / head_count}
 */
public record KvShape(long blockCount, long headCountKv, long keyLength, long valueLength) {

    /** Bytes of one element of the cache: llama-server's default cache type is f16. */
    static final int BYTES_PER_ELEMENT = 2;

    /** The cache's size in bytes for {@code contextTokens} tokens of context. */
    public long bytesFor(long contextTokens) {
        return Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(contextTokens, blockCount),
                headCountKv), Math.multiplyExact(keyLength + valueLength, BYTES_PER_ELEMENT));
    }

    /**
     * The shape read from {@code header}; empty when the header lacks what it takes (no architecture,
     * no layer or head count): such a model is estimated without its cache.
     */
    public static Optional<KvShape> of(GgufHeader header) {
        Optional<String> architecture = header.architecture();
        if (architecture.isEmpty()) {
            return Optional.empty();
        }
        String arch = architecture.get();
        OptionalLong blocks = header.integer(arch + ".block_count");
        OptionalLong heads = largest(header, arch + ".attention.head_count");
        if (blocks.isEmpty() || heads.isEmpty() || heads.getAsLong() <= 0 || blocks.getAsLong() <= 0) {
            return Optional.empty();
        }
        long headsKv = largest(header, arch + ".attention.head_count_kv").orElse(heads.getAsLong());
        OptionalLong embedding = header.integer(arch + ".embedding_length");
        long perHead = embedding.isPresent() ? embedding.getAsLong() / heads.getAsLong() : 0;
        long key = header.integer(arch + ".attention.key_length").orElse(perHead);
        long value = header.integer(arch + ".attention.value_length").orElse(perHead);
        if (key <= 0 || value <= 0 || headsKv < 0) {
            return Optional.empty();
        }
        return Optional.of(new KvShape(blocks.getAsLong(), headsKv, key, value));
    }

    // Some architectures give a head count per layer, as an array; the largest bounds the cache.
    private static OptionalLong largest(GgufHeader header, String key) {
        OptionalLong single = header.integer(key);
        if (single.isPresent()) {
            return single;
        }
        Optional<GgufArray> array = header.array(key);
        if (array.isEmpty() || !array.get().hasValues()) {
            return OptionalLong.empty();
        }
        return array.get().values().stream().filter(Long.class::isInstance).mapToLong(Long.class::cast).max();
    }
}

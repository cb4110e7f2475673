package dev.magi.core.memory;

/**
 * What a model's llama-server takes in memory, estimated before it starts: its tensor data, plus the
 * KV cache at its context size, plus its multimodal projector, plus 5% for llama-server's own buffers.
 * An estimate to budget with, not a measurement: the compute buffers grow with the batch size and a
 * quantised cache ({@code --cache-type-k q8_0}) is smaller.
 */
public final class MemoryEstimate {
    /** llama-server's compute buffers and the rest, as a share of the other parts. */
    static final double OVERHEAD = 0.05;

    private MemoryEstimate() {
    }

    /**
     * @param tensorBytes    the model's tensor data (its files less their headers)
     * @param kv             the cache's shape, or null when the header does not give it
     * @param contextTokens  the context size it runs with: the {@code ctxSize} setting, else the header's
     *                       context length; 0 or less when neither is known
     * @param projectorBytes the projector file's size, 0 without one
     * @return the estimate in bytes, at least 0
     */
    public static long bytes(long tensorBytes, KvShape kv, long contextTokens, long projectorBytes) {
        return bytes(tensorBytes, kv == null ? 0 : kv.bytesFor(1), contextTokens, projectorBytes);
    }

    /**
     * The same with the cache given per token of context, as the registry keeps it: the cache grows
     * linearly with the context, so one number is all a later {@code ctxSize} change needs.
     *
     * @param kvBytesPerToken the cache's bytes per token of context, 0 when unknown
     * @throws ArithmeticException when the estimate does not fit in a {@code long}
     */
    public static long bytes(long tensorBytes, long kvBytesPerToken, long contextTokens, long projectorBytes) {
        long cache = kvBytesPerToken <= 0 || contextTokens <= 0 ? 0 : Math.multiplyExact(kvBytesPerToken,
                contextTokens);
        long parts = Math.addExact(Math.addExact(Math.max(0, tensorBytes), cache), Math.max(0, projectorBytes));
        return Math.addExact(parts, (long) Math.ceil(parts * OVERHEAD));
    }
}

package dev.magi.core.memory;

import dev.magi.spi.DiscoveredModel;

/**
 * A model's estimated memory, from what discovery kept of its headers and the context size it runs
 * with now: its {@code ctxSize} setting, else its header's context length. Computed on each ask rather
 * than stored, so a {@code ctxSize} change is followed at once and a rescan never leaves a stale number.
 */
public final class ModelMemory {

    private ModelMemory() {
    }

    /**
     * The estimate in bytes ({@link MemoryEstimate}); null when the model's header could not be read
     * (its tensor data is unknown) or the estimate would not fit in a {@code long}.
     */
    public static Long estimate(DiscoveredModel model) {
        if (model.tensorBytes() == null) {
            return null;
        }
        // A ctxSize of 0 tells llama-server to take the header's length.
        long context = model.ctxSize() != null && model.ctxSize() > 0 ? model.ctxSize()
                : model.contextLength() != null ? model.contextLength() : 0;
        try {
            return MemoryEstimate.bytes(model.tensorBytes(), orZero(model.kvBytesPerToken()), context,
                    orZero(model.mmprojSizeBytes()));
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** The estimate, with an unknown one counted as 0: what the budget's arithmetic needs. */
    public static long estimateOrZero(DiscoveredModel model) {
        Long estimate = estimate(model);
        return estimate == null ? 0 : estimate;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}

package dev.magi.spi;

/**
 * Per-model llama-server settings chosen by the user; null means "llama-server's default".
 *
 * @param nGpuLayers layers offloaded to the GPU ({@code --n-gpu-layers}), at least 0 (-1 for all)
 * @param ctxSize    context size in tokens ({@code --ctx-size}), at least 0 (0 = the model's own)
 * @param nThreads   CPU threads ({@code --threads}), at least 1 (-1 for auto)
 * @param batchSize  logical batch size ({@code --batch-size}), at least 1
 */
public record RuntimeSettings(Integer nGpuLayers, Integer ctxSize, Integer nThreads, Integer batchSize) {
    public static final RuntimeSettings NONE = new RuntimeSettings(null, null, null, null);

    public RuntimeSettings {
        check(nGpuLayers, -1, "nGpuLayers");
        check(ctxSize, 0, "ctxSize");
        check(nThreads, -1, "nThreads");
        if (nThreads != null && nThreads == 0) {
            throw MagiException.invalidRequest("nThreads must be -1 (auto) or at least 1, got 0", "nThreads");
        }
        check(batchSize, 1, "batchSize");
    }

    private static void check(Integer value, int min, String field) {
        if (value != null && value < min) {
            throw MagiException.invalidRequest(field + " must be at least " + min + ", got " + value, field);
        }
    }
}

package dev.magi.spi;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-model llama-server settings chosen by the user; null means "llama-server's default", and an
 * empty {@code extraArgs} or {@code env} means "nothing added".
 *
 * <p>This type checks only what any value of its kind must be (the numbers' lower bounds, no null
 * argument, name or value). Which flags and variables MAGI keeps for itself, and how long the lists
 * may be, is decided by the registry before a change is saved.
 *
 * @param nGpuLayers layers offloaded to the GPU ({@code --n-gpu-layers}), at least 0 (-1 for all)
 * @param ctxSize    context size in tokens ({@code --ctx-size}), at least 0 (0 = the model's own)
 * @param nThreads   CPU threads ({@code --threads}), at least 1 (-1 for auto)
 * @param batchSize  logical batch size ({@code --batch-size}), at least 1
 * @param ttlSeconds seconds a server the gateway started may stay unused before it is stopped, at
 *                   least 0 (0 = never); null follows {@code --idle-ttl}. Not a llama-server flag.
 * @param extraArgs  arguments added to this model's llama-server command line, in order; never null
 * @param env        variables added to the environment of this model's llama-server, sorted by name;
 *                   never null
 * @param gpus       GPUs a launcher that reserves them asks for (Slurm's {@code --gres=gpu:N}), at
 *                   least 0; null asks for none. Not a llama-server flag.
 * @param cpus       CPU cores a launcher that reserves them asks for (Slurm's {@code --cpus-per-task}),
 *                   at least 1; null asks for {@code nThreads}, else 1. Not a llama-server flag.
 */
public record RuntimeSettings(Integer nGpuLayers, Integer ctxSize, Integer nThreads, Integer batchSize,
                              Integer ttlSeconds, List<String> extraArgs, Map<String, String> env,
                              Integer gpus, Integer cpus) {
    public static final RuntimeSettings NONE = new RuntimeSettings(null, null, null, null);

    public RuntimeSettings {
        check(nGpuLayers, -1, "nGpuLayers");
        check(ctxSize, 0, "ctxSize");
        check(nThreads, -1, "nThreads");
        if (nThreads != null && nThreads == 0) {
            throw MagiException.invalidRequest("nThreads must be -1 (auto) or at least 1, got 0", "nThreads");
        }
        check(batchSize, 1, "batchSize");
        check(ttlSeconds, 0, "ttlSeconds");
        check(gpus, 0, "gpus");
        check(cpus, 1, "cpus");
        extraArgs = copyArgs(extraArgs);
        env = copyEnv(env);
    }

    /** The four llama-server numbers, with no idle TTL of its own, no extra arguments and no variables. */
    public RuntimeSettings(Integer nGpuLayers, Integer ctxSize, Integer nThreads, Integer batchSize) {
        this(nGpuLayers, ctxSize, nThreads, batchSize, null, List.of(), Map.of(), null, null);
    }

    /** The settings as they were before {@code ttlSeconds}: the idle TTL follows {@code --idle-ttl}. */
    public RuntimeSettings(Integer nGpuLayers, Integer ctxSize, Integer nThreads, Integer batchSize,
                           List<String> extraArgs, Map<String, String> env) {
        this(nGpuLayers, ctxSize, nThreads, batchSize, null, extraArgs, env, null, null);
    }

    /** The settings as they were before {@code gpus} and {@code cpus}: the launcher's defaults. */
    public RuntimeSettings(Integer nGpuLayers, Integer ctxSize, Integer nThreads, Integer batchSize,
                           Integer ttlSeconds, List<String> extraArgs, Map<String, String> env) {
        this(nGpuLayers, ctxSize, nThreads, batchSize, ttlSeconds, extraArgs, env, null, null);
    }

    /** These settings with another idle TTL (null to follow {@code --idle-ttl}). */
    public RuntimeSettings withTtlSeconds(Integer seconds) {
        return new RuntimeSettings(nGpuLayers, ctxSize, nThreads, batchSize, seconds, extraArgs, env, gpus, cpus);
    }

    /** These settings with other GPUs and CPUs for launchers that reserve them (null for their defaults). */
    public RuntimeSettings withResources(Integer gpuCount, Integer cpuCount) {
        return new RuntimeSettings(nGpuLayers, ctxSize, nThreads, batchSize, ttlSeconds, extraArgs, env, gpuCount,
                cpuCount);
    }

    /** These settings with other extra arguments (null for none). */
    public RuntimeSettings withExtraArgs(List<String> args) {
        return new RuntimeSettings(nGpuLayers, ctxSize, nThreads, batchSize, ttlSeconds, args, env, gpus, cpus);
    }

    /** These settings with other variables (null for none). */
    public RuntimeSettings withEnv(Map<String, String> variables) {
        return new RuntimeSettings(nGpuLayers, ctxSize, nThreads, batchSize, ttlSeconds, extraArgs, variables, gpus,
                cpus);
    }

    private static void check(Integer value, int min, String field) {
        if (value != null && value < min) {
            throw MagiException.invalidRequest(field + " must be at least " + min + ", got " + value, field);
        }
    }

    static List<String> copyArgs(List<String> args) {
        if (args == null) {
            return List.of();
        }
        for (String arg : args) {
            // Checked one by one: contains(null) itself throws on the immutable lists.
            if (arg == null) {
                throw MagiException.invalidRequest("extraArgs must not contain null", "extraArgs");
            }
        }
        return List.copyOf(args);
    }

    static Map<String, String> copyEnv(Map<String, String> variables) {
        if (variables == null) {
            return Map.of();
        }
        // Sorted, so that equal settings compare, store and print the same whatever order they came in.
        Map<String, String> sorted = new TreeMap<>();
        for (Map.Entry<String, String> entry : variables.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw MagiException.invalidRequest("env must not contain a null name or value", "env");
            }
            sorted.put(entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableMap(sorted);
    }
}

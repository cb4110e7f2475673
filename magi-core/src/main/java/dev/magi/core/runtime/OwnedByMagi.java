package dev.magi.core.runtime;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The llama-server flags and variables MAGI sets on every command line, each with what sets it. A
 * user's copy would be ignored or, worse, win over MAGI's (llama-server takes the last flag given),
 * leaving a server MAGI cannot reach or one that runs another file than the registry says. Every
 * spelling llama-server accepts is listed, with the variable it reads ({@code llama-server --help}
 * names them as "env:"); the flags that load a model or projector from elsewhere are MAGI's too.
 */
final class OwnedByMagi {

    private static final Map<String, String> FLAGS = flags();
    private static final Map<String, String> VARIABLES = variables();

    private OwnedByMagi() {
    }

    /** The flag of an argument: {@code --port=8080} is {@code --port}, as llama-server reads it too. */
    static String flagOf(String argument) {
        int equals = argument.indexOf('=');
        return argument.startsWith("-") && equals > 0 ? argument.substring(0, equals) : argument;
    }

    /** What sets {@code flag} instead, when MAGI owns it. */
    static Optional<String> flag(String flag) {
        return Optional.ofNullable(FLAGS.get(flag));
    }

    /** What sets {@code name} instead, when MAGI owns that variable. */
    static Optional<String> variable(String name) {
        return Optional.ofNullable(VARIABLES.get(name));
    }

    private static Map<String, String> flags() {
        Map<String, String> flags = new LinkedHashMap<>();
        put(flags, "the model's file (discovery)", "--model", "-m");
        put(flags, "LLAMA_SERVER_HOST", "--host");
        put(flags, "the model's port (PUT /{id}/port)", "--port");
        put(flags, "the model id", "--alias", "-a");
        put(flags, "the ctxSize setting", "--ctx-size", "-c");
        put(flags, "the nGpuLayers setting", "--n-gpu-layers", "--gpu-layers", "-ngl");
        put(flags, "the nThreads setting", "--threads", "-t");
        put(flags, "the batchSize setting", "--batch-size", "-b");
        put(flags, "the projector paired with the model (discovery)", "--mmproj", "-mm", "--mmproj-url", "-mmu");
        put(flags, "the model's file (discovery)", "--model-url", "-mu", "--hf-repo", "-hf", "-hfr",
                "--hf-file", "-hff", "--docker-repo", "-dr");
        return Map.copyOf(flags);
    }

    private static Map<String, String> variables() {
        Map<String, String> variables = new LinkedHashMap<>();
        put(variables, "the model's file (discovery)", "LLAMA_ARG_MODEL", "LLAMA_ARG_MODEL_URL",
                "LLAMA_ARG_HF_REPO", "LLAMA_ARG_HF_FILE", "LLAMA_ARG_DOCKER_REPO");
        put(variables, "LLAMA_SERVER_HOST", "LLAMA_ARG_HOST");
        put(variables, "the model's port (PUT /{id}/port)", "LLAMA_ARG_PORT");
        put(variables, "the model id", "LLAMA_ARG_ALIAS");
        put(variables, "the ctxSize setting", "LLAMA_ARG_CTX_SIZE");
        put(variables, "the nGpuLayers setting", "LLAMA_ARG_N_GPU_LAYERS");
        put(variables, "the nThreads setting", "LLAMA_ARG_THREADS");
        put(variables, "the batchSize setting", "LLAMA_ARG_BATCH");
        put(variables, "the projector paired with the model (discovery)", "LLAMA_ARG_MMPROJ",
                "LLAMA_ARG_MMPROJ_URL");
        return Map.copyOf(variables);
    }

    private static void put(Map<String, String> table, String setBy, String... names) {
        for (String name : names) {
            table.put(name, setBy);
        }
    }
}

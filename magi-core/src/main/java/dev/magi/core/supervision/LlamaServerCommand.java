package dev.magi.core.supervision;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RuntimeSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * The llama-server command line of docs/supervision.md; a list of arguments, never a string a shell
 * would split. The model's own extra arguments come last, after LLAMA_SERVER_ARGS: llama-server takes
 * the last value of a flag given twice, so what one model asks for wins over what every model gets.
 */
final class LlamaServerCommand {
    private static final String API_KEY = "--api-key";
    private static final String MASK = "***";

    private LlamaServerCommand() {
    }

    static List<String> of(SupervisorOptions options, DiscoveredModel model, int port) {
        List<String> command = new ArrayList<>();
        command.add(options.llamaServerPath().toString());
        command.add("--model");
        command.add(model.filePath());
        command.add("--host");
        command.add(options.llamaHost());
        command.add("--port");
        command.add(Integer.toString(port));
        command.add("--alias");
        command.add(model.modelId());
        RuntimeSettings settings = model.runtimeSettings();
        add(command, "--ctx-size", settings.ctxSize());
        add(command, "--n-gpu-layers", settings.nGpuLayers());
        add(command, "--threads", settings.nThreads());
        add(command, "--batch-size", settings.batchSize());
        if (model.mmprojPath() != null) {
            command.add("--mmproj");
            command.add(model.mmprojPath());
        }
        command.addAll(options.llamaArgs());
        command.addAll(model.extraArgs());
        return List.copyOf(command);
    }

    /**
     * The command as one line for a log, the value of {@code --api-key} masked: the log is shown to
     * whoever may read {@code /logs}, who need not know the key.
     */
    static String shown(List<String> command) {
        List<String> words = new ArrayList<>(command.size());
        boolean secretNext = false;
        for (String word : command) {
            if (secretNext) {
                words.add(MASK);
                secretNext = false;
            } else if (word.startsWith(API_KEY + "=")) {
                words.add(API_KEY + "=" + MASK);
            } else {
                words.add(word);
                secretNext = word.equals(API_KEY);
            }
        }
        return String.join(" ", words);
    }

    private static void add(List<String> command, String flag, Integer value) {
        if (value != null) {
            command.add(flag);
            command.add(value.toString());
        }
    }
}

package dev.magi.core.supervision;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RuntimeSettings;

import java.util.ArrayList;
import java.util.List;

/**
 * The llama-server arguments of docs/supervision.md after the binary, less the {@code --host} and
 * {@code --port} that the launcher adds; a list of arguments, never a string a shell would split. The
 * model's own extra arguments come last, after LLAMA_SERVER_ARGS: llama-server takes the last value
 * of a flag given twice, so what one model asks for wins over what every model gets.
 */
final class LlamaServerCommand {
    private LlamaServerCommand() {
    }

    static List<String> arguments(SupervisorOptions options, DiscoveredModel model) {
        List<String> command = new ArrayList<>();
        command.add("--model");
        command.add(model.filePath());
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

    private static void add(List<String> command, String flag, Integer value) {
        if (value != null) {
            command.add(flag);
            command.add(value.toString());
        }
    }
}

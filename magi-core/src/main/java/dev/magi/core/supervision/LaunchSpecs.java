package dev.magi.core.supervision;

import dev.magi.core.memory.ModelMemory;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.PortAssignment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * What the supervisor asks a launcher to run for a model: the checks that hold whatever the
 * launcher (the model exists and can run), and the model's command line, environment, resources,
 * files and port as the registry has them now. The launcher adds its own checks and where the server
 * binds.
 */
final class LaunchSpecs {
    private LaunchSpecs() {
    }

    /**
     * The spec of the model's next server.
     *
     * @throws MagiException MODEL_NOT_FOUND or MODEL_NOT_RUNNABLE
     */
    static LaunchSpec of(String modelId, ModelRegistry registry, SupervisorOptions options) {
        DiscoveredModel model = requireRunnable(registry.require(modelId));
        List<Path> files = new ArrayList<>();
        files.add(Path.of(model.filePath()));
        if (model.mmprojPath() != null) {
            files.add(Path.of(model.mmprojPath()));
        }
        return new LaunchSpec(modelId, options.llamaServerPath().toString(), LlamaServerCommand.arguments(options,
                model), model.env(), resources(model), files, new RegistryPorts(registry, modelId));
    }

    /** @throws MagiException {@link ErrorCode#MODEL_NOT_RUNNABLE} when a problem prevents running the model */
    static DiscoveredModel requireRunnable(DiscoveredModel model) {
        if (!model.isRunnable()) {
            throw new MagiException(ErrorCode.MODEL_NOT_RUNNABLE,
                    "Model '" + model.modelId() + "' cannot be started: " + String.join("; ", model.problemMessages()),
                    Map.of("modelId", model.modelId(), "problems", model.problemMessages()));
        }
        return model;
    }

    /**
     * The model's {@code gpus} and {@code cpus} settings and its estimated memory. No GPU is asked for
     * unless set; without {@code cpus}, the threads the model is told to use are the cores it needs.
     */
    static LaunchSpec.Resources resources(DiscoveredModel model) {
        RuntimeSettings settings = model.runtimeSettings();
        int gpus = settings.gpus() != null ? settings.gpus() : 0;
        Integer threads = settings.nThreads();
        int cpus = settings.cpus() != null ? settings.cpus() : threads != null && threads > 0 ? threads : 1;
        Long memory = ModelMemory.estimate(model);
        // A header without tensors estimates 0 bytes: better no --mem than a job that cannot hold anything.
        return new LaunchSpec.Resources(gpus, cpus, memory != null && memory > 0 ? memory : null);
    }

    /** The model's port in the registry, read and moved there at the moment the launcher asks. */
    private record RegistryPorts(ModelRegistry registry, String modelId) implements PortAssignment {
        @Override
        public int port() {
            return registry.ensurePort(modelId).port();
        }

        @Override
        public boolean pinned() {
            return registry.require(modelId).portPinned();
        }

        @Override
        public int moveOff(IntPredicate usable) {
            return registry.moveToFreePort(modelId, usable).port();
        }
    }
}

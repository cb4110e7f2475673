package dev.magi.core.supervision;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.PortAssignment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The llama-server command line")
class LlamaServerCommandTest {
    private static SupervisorOptions options(List<String> args) {
        return new SupervisorOptions(Path.of("/opt/llama/llama-server"), "0.0.0.0", args, Duration.ofSeconds(120),
                Duration.ofSeconds(2), Duration.ofSeconds(10), Path.of("/var/magi/data"), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 5, Duration.ofMinutes(10), 1 << 20, 3);
    }

    /** The whole command line: the supervisor's arguments with the launcher's host and port. */
    private static List<String> command(SupervisorOptions options, DiscoveredModel model, int port) {
        LaunchSpec spec = new LaunchSpec(model.modelId(), options.llamaServerPath().toString(),
                LlamaServerCommand.arguments(options, model), Map.of(), LaunchSpec.Resources.MINIMAL, List.of(),
                new PortAssignment() {
                    @Override
                    public int port() {
                        return port;
                    }

                    @Override
                    public boolean pinned() {
                        return false;
                    }

                    @Override
                    public int moveOff(IntPredicate usable) {
                        throw new UnsupportedOperationException();
                    }
                });
        return spec.command(options.llamaHost(), Integer.toString(port));
    }

    @Test
    @DisplayName("has only the model, host, port and alias when nothing else is set")
    void minimal() {
        DiscoveredModel model = DiscoveredModel.builder("tiny", "/models/with space/tiny.gguf", "tiny.gguf").build();

        assertThat(command(options(List.of()), model, 8081)).containsExactly(
                "/opt/llama/llama-server", "--model", "/models/with space/tiny.gguf", "--host", "0.0.0.0",
                "--port", "8081", "--alias", "tiny");
    }

    @Test
    @DisplayName("adds the runtime settings that are set, the projector, then the extra arguments")
    void everything() {
        DiscoveredModel model = DiscoveredModel.builder("vision", "/m/vision.gguf", "vision.gguf")
                .nGpuLayers(-1).batchSize(512).mmprojPath("/m/mmproj-vision.gguf").build();

        assertThat(command(options(List.of("--flash-attn", "on")), model, 8080)).containsExactly(
                "/opt/llama/llama-server", "--model", "/m/vision.gguf", "--host", "0.0.0.0", "--port", "8080",
                "--alias", "vision", "--n-gpu-layers", "-1", "--batch-size", "512",
                "--mmproj", "/m/mmproj-vision.gguf", "--flash-attn", "on");
    }

    @Test
    @DisplayName("puts the model's own arguments after LLAMA_SERVER_ARGS, as given, so that they win")
    void modelArgumentsLast() {
        DiscoveredModel model = DiscoveredModel.builder("moe", "/m/moe.gguf", "moe.gguf").ctxSize(4096)
                .extraArgs(List.of("--jinja", "--n-cpu-moe", "20", "--chat-template-file", "/t/with space.jinja",
                        "-fa", "on"))
                .build();

        assertThat(command(options(List.of("-fa", "off")), model, 8082)).containsExactly(
                "/opt/llama/llama-server", "--model", "/m/moe.gguf", "--host", "0.0.0.0", "--port", "8082",
                "--alias", "moe", "--ctx-size", "4096", "-fa", "off",
                "--jinja", "--n-cpu-moe", "20", "--chat-template-file", "/t/with space.jinja", "-fa", "on");
    }
}

package dev.magi.core.supervision;

import dev.magi.core.memory.ModelMemory;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.launch.LaunchSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What a model's server asks its launcher to reserve")
class LaunchResourcesTest {
    private static DiscoveredModel.Builder model() {
        return DiscoveredModel.builder("m", "/models/m.gguf", "m.gguf");
    }

    @Test
    @DisplayName("no GPU, one CPU and no memory when nothing is set or known")
    void defaults() {
        assertThat(LaunchSpecs.resources(model().build())).isEqualTo(new LaunchSpec.Resources(0, 1, null));
    }

    @Test
    @DisplayName("the model's gpus and cpus settings, whatever its nThreads")
    void settings() {
        DiscoveredModel model = model().gpus(2).cpus(6).nThreads(3).build();
        assertThat(LaunchSpecs.resources(model)).isEqualTo(new LaunchSpec.Resources(2, 6, null));
    }

    @Test
    @DisplayName("as many CPUs as nThreads when cpus is not set, one when nThreads is auto")
    void cpusFollowThreads() {
        assertThat(LaunchSpecs.resources(model().nThreads(4).build()).cpus()).isEqualTo(4);
        assertThat(LaunchSpecs.resources(model().nThreads(-1).build()).cpus()).isEqualTo(1);
    }

    @Test
    @DisplayName("the model's estimated memory, which follows its ctxSize")
    void memory() {
        DiscoveredModel model = model().tensorBytes(500_000_000L).kvBytesPerToken(4096L).contextLength(8192L)
                .ctxSize(2048).build();
        Long memory = LaunchSpecs.resources(model).memoryBytes();
        assertThat(memory).isEqualTo(ModelMemory.estimate(model)).isGreaterThan(500_000_000L + 4096L * 2048);
        assertThat(LaunchSpecs.resources(model.toBuilder().ctxSize(4096).build()).memoryBytes())
                .isGreaterThan(memory);
    }

    @Test
    @DisplayName("no memory when the estimate is 0 bytes (a header without tensors)")
    void emptyEstimate() {
        assertThat(LaunchSpecs.resources(model().tensorBytes(0L).build()).memoryBytes()).isNull();
    }
}

package dev.magi.core.discovery;

import dev.magi.core.memory.MemoryEstimate;
import dev.magi.core.memory.ModelMemory;
import dev.magi.spi.DiscoveredModel;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Discovery keeps what the memory estimate needs")
class MemoryFactsTest {
    /** 2 layers x 4 KV heads x (32 + 32) x 2 bytes. */
    private static final long KV_PER_TOKEN = 2L * 4 * (32 + 32) * 2;

    @TempDir
    Path root;

    private static GgufWriter shaped(String name) {
        return GgufWriter.typicalModel("llama", name)
                .putUint32("llama.block_count", 2)
                .putUint32("llama.attention.head_count", 8)
                .putUint32("llama.attention.head_count_kv", 4)
                .withTensorData();
    }

    private Map<String, DiscoveredModel> scan() {
        return new ModelScanner().scan(root).models().stream()
                .collect(Collectors.toMap(DiscoveredModel::filename, Function.identity()));
    }

    @Test
    @DisplayName("the tensor data (file less header), the cache per token, and an estimate at the header's context")
    void oneFile() throws IOException {
        GgufWriter writer = shaped("One");
        Path file = writer.writeTo(root.resolve("One-1B-Q4_K_M.gguf"));
        DiscoveredModel model = scan().get("One-1B-Q4_K_M.gguf");
        long tensorBytes = Files.size(file) - writer.tensorDataOffset();
        assertThat(tensorBytes).isPositive();
        assertThat(model.tensorBytes()).isEqualTo(tensorBytes);
        assertThat(model.kvBytesPerToken()).isEqualTo(KV_PER_TOKEN);
        assertThat(model.mmprojSizeBytes()).isNull();
        assertThat(ModelMemory.estimate(model)).isEqualTo(MemoryEstimate.bytes(tensorBytes, KV_PER_TOKEN, 4096, 0));
    }

    @Test
    @DisplayName("follows the ctxSize setting, and 0 (llama-server's 'from the model') means the header's length")
    void followsContextSize() throws IOException {
        shaped("Ctx").writeTo(root.resolve("Ctx-1B-Q4_K_M.gguf"));
        DiscoveredModel model = scan().get("Ctx-1B-Q4_K_M.gguf");
        long atHeader = ModelMemory.estimate(model);
        DiscoveredModel smaller = model.toBuilder().ctxSize(1024).build();
        assertThat(ModelMemory.estimate(smaller))
                .isEqualTo(MemoryEstimate.bytes(model.tensorBytes(), KV_PER_TOKEN, 1024, 0))
                .isLessThan(atHeader);
        assertThat(ModelMemory.estimate(model.toBuilder().ctxSize(0).build())).isEqualTo(atHeader);
    }

    @Test
    @DisplayName("adds the paired projector's file")
    void projector() throws IOException {
        shaped("Vision").writeTo(root.resolve("Vision-7B-Q4_K_M.gguf"));
        Path projector = GgufWriter.typicalModel("clip", "projector").withTensorData()
                .writeTo(root.resolve("mmproj-Vision-7B-f16.gguf"));
        DiscoveredModel model = scan().get("Vision-7B-Q4_K_M.gguf");
        assertThat(model.mmprojSizeBytes()).isEqualTo(Files.size(projector));
        assertThat(ModelMemory.estimate(model)).isEqualTo(MemoryEstimate.bytes(model.tensorBytes(), KV_PER_TOKEN,
                4096, Files.size(projector)));
    }

    @Test
    @DisplayName("sums the tensor data of every part of a split model")
    void split() throws IOException {
        GgufWriter writer = shaped("Big");
        List<GgufWriter> parts = writer.split(3);
        List<Path> files = writer.writeSplit(root, "Big-70B-Q4_K_M", 3);
        long tensorBytes = 0;
        for (int i = 0; i < files.size(); i++) {
            tensorBytes += Files.size(files.get(i)) - parts.get(i).tensorDataOffset();
        }
        DiscoveredModel model = scan().get(files.get(0).getFileName().toString());
        assertThat(model.tensorBytes()).isEqualTo(tensorBytes);
        assertThat(model.kvBytesPerToken()).isEqualTo(KV_PER_TOKEN);
    }

    @Test
    @DisplayName("is null when the header cannot be read, and leaves the cache out when the header lacks its shape")
    void unknown() throws IOException {
        Files.write(root.resolve("Broken-7B-Q4_K_M.gguf"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        GgufWriter plain = GgufWriter.typicalModel().withTensorData();
        Path file = plain.writeTo(root.resolve("Plain-1B-Q4_K_M.gguf"));
        Map<String, DiscoveredModel> models = scan();
        DiscoveredModel broken = models.get("Broken-7B-Q4_K_M.gguf");
        assertThat(broken.tensorBytes()).isNull();
        assertThat(ModelMemory.estimate(broken)).isNull();
        DiscoveredModel withoutShape = models.get("Plain-1B-Q4_K_M.gguf");
        assertThat(withoutShape.kvBytesPerToken()).as("no head count in the header").isNull();
        assertThat(ModelMemory.estimate(withoutShape))
                .isEqualTo(MemoryEstimate.bytes(Files.size(file) - plain.tensorDataOffset(), 0, 4096, 0));
    }
}

package dev.magi.core.gguf;

import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.TensorType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The test kit's GGUF writer, checked through the reader: the two are written apart, from the format. */
@DisplayName("GgufWriter")
class GgufWriterTest {

    @TempDir
    Path dir;

    @Nested
    @DisplayName("split models")
    class Split {

        @Test
        @DisplayName("are written as gguf-split names them, with split.no, split.count and split.tensors.count")
        void splitKeys() throws IOException {
            List<Path> parts = GgufWriter.typicalModel().writeSplit(dir, "Model-Q4_K_M", 3);

            assertThat(parts).extracting(path -> path.getFileName().toString()).containsExactly(
                    "Model-Q4_K_M-00001-of-00003.gguf",
                    "Model-Q4_K_M-00002-of-00003.gguf",
                    "Model-Q4_K_M-00003-of-00003.gguf");
            for (int part = 0; part < 3; part++) {
                GgufHeader header = GgufReader.read(parts.get(part));
                assertThat(header.integer("split.no")).hasValue(part);
                assertThat(header.integer("split.count")).hasValue(3);
                assertThat(header.integer("split.tensors.count")).hasValue(6);
            }
        }

        @Test
        @DisplayName("keep all metadata in the first part and share the tensors out in order")
        void tensorsAndMetadata() throws IOException {
            List<Path> parts = GgufWriter.typicalModel().writeSplit(dir, "model", 2);
            GgufHeader first = GgufReader.read(parts.get(0));
            GgufHeader second = GgufReader.read(parts.get(1));

            assertThat(first.architecture()).contains("llama");
            assertThat(second.metadata()).containsOnlyKeys("split.no", "split.count", "split.tensors.count");
            List<String> names = new ArrayList<>();
            first.tensors().forEach(tensor -> names.add(tensor.name()));
            second.tensors().forEach(tensor -> names.add(tensor.name()));
            assertThat(names).containsExactly("token_embd.weight", "blk.0.attn_norm.weight", "blk.0.attn_q.weight",
                    "blk.0.ffn_down.weight", "output_norm.weight", "output.weight");
            assertThat(first.parameterCount() + second.parameterCount())
                    .isEqualTo(GgufWriter.TYPICAL_MODEL_PARAMETERS);
            assertThat(second.tensors().get(0).offset()).isZero();
        }
    }

    @Nested
    @DisplayName("tensor data")
    class TensorData {

        @Test
        @DisplayName("is left out by default, so files stay tiny")
        void leftOutByDefault() throws IOException {
            Path file = GgufWriter.typicalModel().writeTo(dir.resolve("tiny.gguf"));

            assertThat(Files.size(file)).isLessThan(1024);
        }

        @Test
        @DisplayName("is sized as ggml sizes each type when asked for")
        void sizedByType() throws IOException {
            GgufWriter writer = GgufWriter.create()
                    .tensor("q4k", TensorType.Q4_K, 256, 4)
                    .tensor("q80", TensorType.Q8_0, 64)
                    .tensor("f32", TensorType.F32, 3)
                    .withTensorData();
            Path file = writer.writeTo(dir.resolve("data.gguf"));

            GgufHeader header = GgufReader.read(file);
            assertThat(header.tensors()).extracting(tensor -> tensor.offset()).containsExactly(0L, 576L, 672L);
            assertThat(Files.size(file)).isEqualTo(header.tensorDataOffset() + 672 + 32);
        }
    }

    @Test
    @DisplayName("writes the same bytes to a file as to an array")
    void fileAndArrayAgree() throws IOException {
        GgufWriter writer = GgufWriter.typicalModel().bigEndian().withTensorData();

        Path file = writer.writeTo(dir.resolve("same.gguf"));

        assertThat(Files.readAllBytes(file)).isEqualTo(writer.toBytes());
        assertThat(writer.rawHeader()).hasSize((int) writer.tensorDataOffset());
    }
}

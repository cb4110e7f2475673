package dev.magi.core.engine;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.discovery.SkippedFile;
import dev.magi.core.registry.RescanSummary;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.Problem;
import dev.magi.spi.Problem.Kind;
import dev.magi.spi.Tier;
import dev.magi.testkit.GgufBytes;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.MetadataType;
import dev.magi.testkit.TensorType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A models folder as users have them: good models, split sets, a projector, files that are not
 * models, corrupt and hostile files, odd names and a link loop. The registry must be exactly what
 * the contract says, and every file left out must be named with its reason.
 */
@DisplayName("A scan of a mixed, real-world models folder")
class MixedDirectoryTest {
    @TempDir
    Path dir;
    Path models;

    private static GgufBytes header(long tensors, long keys) {
        return GgufBytes.littleEndian().magic().u32(3).u64(tensors).u64(keys);
    }

    @BeforeEach
    void folder() throws IOException {
        models = Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel("qwen3", "Qwen3 4B").putString("general.basename", "Qwen3")
                .putString("general.size_label", "4B")
                .putString("tokenizer.chat_template", "{{ '<think>' }}")
                .writeTo(models.resolve("Qwen3-4B-Q4_K_M.gguf"));
        Files.createDirectories(models.resolve("deepseek"));
        GgufWriter.typicalModel("qwen2", "DeepSeek R1 Distill Qwen 14B").putString("general.basename",
                        "DeepSeek-R1-Distill-Qwen").putString("general.finetune", "Distill")
                .writeTo(models.resolve("deepseek/DeepSeek-R1-Distill-Qwen-14B-Q4_K_M.gguf"));
        Files.createDirectories(models.resolve("big"));
        GgufWriter.typicalModel("llama", "Big").writeSplit(models.resolve("big"), "Llama-3.1-70B-Instruct-Q4_K_M", 3);
        Files.delete(GgufWriter.typicalModel().writeSplit(models.resolve("big"), "Broken-Split-70B-Q8_0", 2).get(1));
        Files.createDirectories(models.resolve("vision"));
        GgufWriter.typicalModel("qwen2vl", "Qwen2 VL").writeTo(models.resolve("vision/Qwen2-VL-7B-Instruct-Q4_K_M.gguf"));
        GgufWriter.typicalModel("clip", "proj").writeTo(models.resolve("vision/mmproj-Qwen2-VL-7B-Instruct-f16.gguf"));
        GgufWriter.typicalModel().putString("general.type", "adapter").writeTo(models.resolve("my-lora-F16.gguf"));
        GgufWriter.create().putString("general.type", "imatrix").tensor("x.in_sum2", TensorType.F32, 8)
                .writeTo(models.resolve("Qwen3-4B.imatrix.gguf"));
        GgufWriter.create().putString("general.architecture", "llama")
                .putStringArray("tokenizer.ggml.tokens", List.of("a")).writeTo(models.resolve("ggml-vocab-llama.gguf"));
        GgufWriter.typicalModel().writeTo(models.resolve("My Model (final) 3B.GGUF"));
        Files.writeString(models.resolve("Downloading-8B-Q4_K_M.gguf.part"), "partial");
        Files.createDirectories(models.resolve(".trash"));
        GgufWriter.typicalModel().writeTo(models.resolve(".trash/Deleted-1B.gguf"));
        Files.createSymbolicLink(models.resolve("big/loop"), models);

        // Corrupt and hostile files.
        Files.write(models.resolve("empty-7B-Q4_K_M.gguf"), new byte[0]);
        Files.writeString(models.resolve("notes.gguf"), "these are my notes, not a model");
        Files.write(models.resolve("old-v1.gguf"), GgufBytes.littleEndian().magic().u32(1).u32(0).u32(0).toByteArray());
        Files.write(models.resolve("hugestring.gguf"), header(0, 1).string("general.name")
                .valueType(MetadataType.STRING).u64(1L << 62).raw(new byte[64]).toByteArray());
        Files.write(models.resolve("hugearray.gguf"), header(0, 1).string("tokens").valueType(MetadataType.ARRAY)
                .valueType(MetadataType.UINT8).u64(1L << 60).raw(new byte[64]).toByteArray());
        GgufBytes nested = header(0, 1).string("deep").valueType(MetadataType.ARRAY);
        for (int i = 0; i < 2_000; i++) {
            nested.valueType(MetadataType.ARRAY).u64(1);
        }
        Files.write(models.resolve("nested.gguf"), nested.valueType(MetadataType.UINT8).u64(1).u8(0).toByteArray());
        Files.write(models.resolve("dims.gguf"), header(1, 0).string("t").u32(100_000).raw(new byte[200]).toByteArray());
        Files.write(models.resolve("kvcount.gguf"), Arrays.copyOf(header(0, 1L << 62).toByteArray(), 100));
        byte[] whole = GgufWriter.typicalModel().toBytes();
        Files.write(models.resolve("truncated-8B-Q4_K_M.gguf"), Arrays.copyOf(whole, whole.length / 3));
    }

    @Test
    @DisplayName("lists exactly the runnable models and names every other file with its reason")
    void registry() {
        try (MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, models.toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false").build()) {
            RescanSummary summary = engine.rescan();
            Map<String, DiscoveredModel> registry = engine.registry().snapshot().models();

            assertThat(registry).containsOnlyKeys("qwen3-4b-q4_k_m", "deepseek-r1-distill-qwen-14b-q4_k_m",
                    "llama-3.1-70b-instruct-q4_k_m", "broken-split-70b-q8_0", "qwen2-vl-7b-instruct-q4_k_m",
                    "my-model--final--3b", "empty-7b-q4_k_m", "truncated-8b-q4_k_m");

            DiscoveredModel qwen = registry.get("qwen3-4b-q4_k_m");
            assertThat(qwen.metadataSource()).isEqualTo(MetadataSource.GGUF);
            assertThat(qwen.isThinkingModel()).isTrue();
            assertThat(qwen.enabled()).isFalse();
            assertThat(qwen.port()).isNull();
            DiscoveredModel deepseek = registry.get("deepseek-r1-distill-qwen-14b-q4_k_m");
            assertThat(deepseek.family()).isEqualTo("deepseek");
            assertThat(deepseek.version()).isEqualTo("r1");
            assertThat(deepseek.isThinkingModel()).isTrue();
            DiscoveredModel split = registry.get("llama-3.1-70b-instruct-q4_k_m");
            assertThat(split.parts()).hasSize(3);
            assertThat(split.problems()).isEmpty();
            assertThat(registry.get("broken-split-70b-q8_0").problems())
                    .containsExactly(new Problem(Kind.MISSING_PART, "missing part 2 of 2"));
            assertThat(registry.get("qwen2-vl-7b-instruct-q4_k_m").mmprojPath())
                    .endsWith("vision/mmproj-Qwen2-VL-7B-Instruct-f16.gguf");
            for (String fallback : new String[]{"empty-7b-q4_k_m", "truncated-8b-q4_k_m"}) {
                DiscoveredModel m = registry.get(fallback);
                assertThat(m.metadataSource()).isEqualTo(MetadataSource.FILENAME);
                assertThat(m.problemMessages()).singleElement().asString().contains("header unreadable");
                assertThat(m.quantization()).isEqualTo("q4_k_m");
            }
            assertThat(registry.get("empty-7b-q4_k_m").assignedTier()).isEqualTo(Tier.BALANCED);

            Map<String, String> skipped = summary.skipped().stream().collect(Collectors.toMap(
                    s -> Path.of(s.path()).getFileName().toString(), SkippedFile::reason, (a, b) -> a + "; " + b));
            assertThat(skipped).containsOnlyKeys("my-lora-F16.gguf", "Qwen3-4B.imatrix.gguf", "ggml-vocab-llama.gguf",
                    "Downloading-8B-Q4_K_M.gguf.part", "loop", "notes.gguf", "old-v1.gguf", "hugestring.gguf",
                    "hugearray.gguf", "nested.gguf", "dims.gguf", "kvcount.gguf");
            assertThat(skipped.get("my-lora-F16.gguf")).contains("adapter");
            assertThat(skipped.get("Qwen3-4B.imatrix.gguf")).contains("imatrix");
            assertThat(skipped.get("ggml-vocab-llama.gguf")).contains("vocabulary only");
            assertThat(skipped.get("Downloading-8B-Q4_K_M.gguf.part")).isEqualTo("partial download");
            assertThat(skipped.get("loop")).contains("symbolic link loop");
            assertThat(skipped.get("notes.gguf")).contains("not a GGUF file");
            assertThat(skipped.get("old-v1.gguf")).contains("version 1");
            assertThat(skipped.get("hugestring.gguf")).contains("string length");
            assertThat(skipped.get("hugearray.gguf")).contains("array count");
            assertThat(skipped.get("nested.gguf")).contains("nested");
            assertThat(skipped.get("dims.gguf")).contains("dimensions");
            assertThat(skipped.get("kvcount.gguf")).contains("count");
        }
    }
}

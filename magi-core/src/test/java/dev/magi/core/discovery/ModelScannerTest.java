package dev.magi.core.discovery;

import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.spi.Problem;
import dev.magi.spi.Problem.Kind;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.TensorType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Discovery")
class ModelScannerTest {
    @TempDir
    Path root;

    private ScanResult scan() {
        return new ModelScanner().scan(root);
    }

    private static Map<String, DiscoveredModel> byFilename(ScanResult result) {
        return result.models().stream().collect(Collectors.toMap(DiscoveredModel::filename, Function.identity()));
    }

    private static Map<String, String> skippedByName(ScanResult result) {
        return result.skipped().stream().collect(Collectors.toMap(
                s -> Path.of(s.path()).getFileName().toString(), SkippedFile::reason, (a, b) -> a + "; " + b));
    }

    private Path write(String relative, GgufWriter writer) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        return writer.writeTo(file);
    }

    @Nested
    @DisplayName("reads the header first")
    class Header {
        @Test
        @DisplayName("and takes every field it can from it")
        void headerFacts() throws IOException {
            write("Qwen3-4B-Q4_K_M.gguf", GgufWriter.typicalModel("qwen3", "Qwen3 4B")
                    .putString("general.basename", "Qwen3")
                    .putString("general.size_label", "4B")
                    .putUint32("qwen3.context_length", 40960)
                    .putString("tokenizer.chat_template", "{% if enable_thinking %}<think>{% endif %}"));
            DiscoveredModel m = byFilename(scan()).get("Qwen3-4B-Q4_K_M.gguf");
            assertThat(m.modelId()).isEqualTo("qwen3-4b-q4_k_m");
            assertThat(m.metadataSource()).isEqualTo(MetadataSource.GGUF);
            assertThat(m.architecture()).isEqualTo("qwen3");
            assertThat(m.family()).isEqualTo("qwen");
            assertThat(m.version()).isEqualTo("3");
            assertThat(m.quantization()).isEqualTo("q4_k_m");
            assertThat(m.contextLength()).isEqualTo(40960L);
            assertThat(m.parameterCount()).isEqualTo(GgufWriter.TYPICAL_MODEL_PARAMETERS);
            assertThat(m.sizeLabel()).isEqualTo("4B");
            assertThat(m.isThinkingModel()).isTrue();
            assertThat(m.problems()).isEmpty();
            assertThat(m.filePath()).isEqualTo(root.resolve("Qwen3-4B-Q4_K_M.gguf").toString());
            assertThat(m.parts()).containsExactly(m.filePath());
        }

        @Test
        @DisplayName("so a header beats a misleading name")
        void headerWins() throws IOException {
            write("renamed-70B-Q8_0.gguf", GgufWriter.typicalModel("llama", "small"));
            DiscoveredModel m = byFilename(scan()).get("renamed-70B-Q8_0.gguf");
            assertThat(m.quantization()).isEqualTo("q4_k_m");
            assertThat(m.sizeParams()).isEqualTo(0.0); // 0.65M parameters, rounded to 2 decimals of a billion
            assertThat(m.sizeLabel()).isEqualTo("70B"); // the header has no size_label: the name fills it
        }

        @Test
        @DisplayName("infers the quantization from tensor types when general.file_type is absent")
        void inferredQuantization() throws IOException {
            write("model.gguf", GgufWriter.create().putString("general.architecture", "llama")
                    .tensor("a", TensorType.Q8_0, 64, 64).tensor("b", TensorType.Q8_0, 64, 64).tensor("c", TensorType.F32, 64));
            assertThat(byFilename(scan()).get("model.gguf").quantization()).isEqualTo("q8_0");
        }

        @Test
        @DisplayName("falls back to the name when the header cannot be read, saying so in problems")
        void unreadableHeader() throws IOException {
            Files.write(root.resolve("broken-7B-Q4_K_M.gguf"), new byte[]{'G', 'G', 'U', 'F', 3, 0, 0});
            Files.write(root.resolve("garbage.gguf"), "not a model at all".getBytes());
            ScanResult result = scan();
            DiscoveredModel m = byFilename(result).get("broken-7B-Q4_K_M.gguf");
            assertThat(m.metadataSource()).isEqualTo(MetadataSource.FILENAME);
            assertThat(m.sizeParams()).isEqualTo(7.0);
            assertThat(m.quantization()).isEqualTo("q4_k_m");
            assertThat(m.problemMessages()).singleElement().asString().contains("header unreadable");
            assertThat(skippedByName(result).get("garbage.gguf")).contains("header unreadable").contains("no size");
        }
    }

    @Nested
    @DisplayName("walks the tree")
    class Walk {
        @Test
        @DisplayName("recursively, any letter case of .gguf, skipping hidden directories and partial downloads")
        void walkRules() throws IOException {
            write("a/b/c/deep-1B.gguf", GgufWriter.typicalModel());
            write("UPPER-1B.GGUF", GgufWriter.typicalModel());
            write(".cache/hidden-1B.gguf", GgufWriter.typicalModel());
            Files.writeString(root.resolve("half-7B.gguf.part"), "...");
            Files.writeString(root.resolve("half-7B.gguf.download"), "...");
            Files.writeString(root.resolve("0123abcd.incomplete"), "...");
            Files.writeString(root.resolve("readme.txt"), "not a model");
            ScanResult result = scan();
            assertThat(byFilename(result)).containsOnlyKeys("deep-1B.gguf", "UPPER-1B.GGUF");
            assertThat(skippedByName(result)).containsEntry("half-7B.gguf.part", "partial download")
                    .containsEntry("half-7B.gguf.download", "partial download")
                    .containsEntry("0123abcd.incomplete", "partial download");
        }

        @Test
        @DisplayName("follows symbolic links, naming the model after the link, without looping")
        void symlinks() throws IOException {
            Path blob = write("blobs/sha256-abc", GgufWriter.typicalModel());
            Files.createDirectories(root.resolve("snapshots/main"));
            Files.createSymbolicLink(root.resolve("snapshots/main/Linked-3B-Q4_K_M.gguf"), blob);
            Files.createSymbolicLink(root.resolve("snapshots/loop"), root);
            write("real/Real-1B.gguf", GgufWriter.typicalModel());
            Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));

            ScanResult result = scan();

            assertThat(byFilename(result)).containsOnlyKeys("Linked-3B-Q4_K_M.gguf", "Real-1B.gguf");
            assertThat(result.skipped()).extracting(SkippedFile::reason)
                    .anyMatch(r -> r.contains("symbolic link loop"))
                    .anyMatch(r -> r.contains("the same file as"));
        }

        @Test
        @DisplayName("treats a missing scan path as an empty registry, not an error")
        void missingScanPath() {
            ScanResult result = new ModelScanner().scan(root.resolve("nope"));
            assertThat(result.scanPathExists()).isFalse();
            assertThat(result.models()).isEmpty();
        }

        @Test
        @DisplayName("names a file that disappears between listing and reading")
        void disappearingFile() throws IOException {
            write("stays-1B.gguf", GgufWriter.typicalModel());
            Path goes = write("goes-1B.gguf", GgufWriter.typicalModel());
            ScanResult result = new ModelScanner(paths -> {
                try {
                    Files.delete(goes);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).scan(root);
            assertThat(byFilename(result)).containsOnlyKeys("stays-1B.gguf");
            assertThat(skippedByName(result)).containsEntry("goes-1B.gguf", "the file disappeared during the scan");
        }

        @Test
        @DisplayName("does not read an unchanged file twice, and reads a changed one again")
        void cache() throws IOException {
            Path file = write("m-1B.gguf", GgufWriter.typicalModel("llama", "one"));
            ModelScanner scanner = new ModelScanner();
            assertThat(scanner.scan(root).models().get(0).architecture()).isEqualTo("llama");
            // Same size and time, different content: a cached scan cannot see it.
            byte[] other = GgufWriter.typicalModel("mamba", "two").toBytes();
            var modified = Files.getLastModifiedTime(file);
            Files.write(file, Arrays.copyOf(other, (int) Files.size(file)));
            Files.setLastModifiedTime(file, modified);
            assertThat(scanner.scan(root).models().get(0).architecture()).isEqualTo("llama");
            Files.write(file, other);
            // Both files have the same length and a rewrite within one tick of the file system's
            // clock keeps the time: move the time on, as any later write would.
            Files.setLastModifiedTime(file, FileTime.fromMillis(modified.toMillis() + 2_000));
            assertThat(scanner.scan(root).models().get(0).architecture()).isEqualTo("mamba");
        }
    }

    @Nested
    @DisplayName("sorts out what is not a runnable model")
    class Kinds {
        @BeforeEach
        void files() throws IOException {
            write("vision/Qwen2-VL-7B-Instruct-Q4_K_M.gguf", GgufWriter.typicalModel("qwen2vl", "Qwen2 VL"));
            write("vision/mmproj-Qwen2-VL-7B-Instruct-f16.gguf", GgufWriter.typicalModel("clip", "projector"));
            write("vision/Other-3B-Q4_K_M.gguf", GgufWriter.typicalModel());
            write("lonely/mmproj-model-f16.gguf", GgufWriter.typicalModel("clip", "projector"));
            write("single/Gemma-3-4B-it-Q4_K_M.gguf", GgufWriter.typicalModel("gemma3", "Gemma"));
            write("single/gemma-projector.gguf", GgufWriter.typicalModel("gemma3", "proj").putString("general.type", "mmproj"));
            write("lora-7B.gguf", GgufWriter.typicalModel().putString("general.type", "adapter"));
            write("Qwen3-4B.imatrix.gguf", GgufWriter.create().putString("general.type", "imatrix")
                    .tensor("blk.0.ffn_down.weight.in_sum2", TensorType.F32, 256));
            write("ggml-vocab-llama-7B.gguf", GgufWriter.create().putString("general.architecture", "llama")
                    .putStringArray("tokenizer.ggml.tokens", List.of("a", "b")));
        }

        @Test
        @DisplayName("pairing projectors with their model as mmprojPath")
        void projectors() {
            ScanResult result = scan();
            Map<String, DiscoveredModel> models = byFilename(result);
            assertThat(models.get("Qwen2-VL-7B-Instruct-Q4_K_M.gguf").mmprojPath())
                    .isEqualTo(root.resolve("vision/mmproj-Qwen2-VL-7B-Instruct-f16.gguf").toString());
            assertThat(models.get("Other-3B-Q4_K_M.gguf").mmprojPath()).isNull();
            assertThat(models.get("Gemma-3-4B-it-Q4_K_M.gguf").mmprojPath())
                    .isEqualTo(root.resolve("single/gemma-projector.gguf").toString());
            assertThat(models).doesNotContainKeys("mmproj-Qwen2-VL-7B-Instruct-f16.gguf", "gemma-projector.gguf");
            assertThat(skippedByName(result).get("mmproj-model-f16.gguf")).contains("no model beside it");
        }

        @Test
        @DisplayName("skipping adapters, imatrix files and vocabularies with a reason")
        void skipped() {
            ScanResult result = scan();
            Map<String, String> skipped = skippedByName(result);
            assertThat(skipped.get("lora-7B.gguf")).contains("adapter");
            assertThat(skipped.get("Qwen3-4B.imatrix.gguf")).contains("imatrix");
            assertThat(skipped.get("ggml-vocab-llama-7B.gguf")).contains("vocabulary only");
            assertThat(byFilename(result)).doesNotContainKeys("lora-7B.gguf", "Qwen3-4B.imatrix.gguf",
                    "ggml-vocab-llama-7B.gguf");
        }
    }

    @Nested
    @DisplayName("treats split models as one")
    class Splits {
        @Test
        @DisplayName("with every part listed, sizes and parameters summed")
        void complete() throws IOException {
            Files.createDirectories(root.resolve("big"));
            GgufWriter model = GgufWriter.typicalModel("llama", "Big");
            List<Path> parts = model.writeSplit(root.resolve("big"), "Big-70B-Q4_K_M", 3);
            ScanResult result = scan();
            assertThat(result.models()).hasSize(1);
            DiscoveredModel m = result.models().get(0);
            assertThat(m.modelId()).isEqualTo("big-70b-q4_k_m");
            assertThat(m.filePath()).isEqualTo(parts.get(0).toString());
            assertThat(m.parts()).containsExactlyElementsOf(parts.stream().map(Path::toString).toList());
            long bytes = 0;
            for (Path part : parts) {
                bytes += Files.size(part);
            }
            assertThat(m.fileSizeBytes()).isEqualTo(bytes);
            assertThat(m.parameterCount()).isEqualTo(GgufWriter.TYPICAL_MODEL_PARAMETERS);
            assertThat(m.problems()).isEmpty();
            assertThat(m.isRunnable()).isTrue();
        }

        @Test
        @DisplayName("reporting a missing part, which makes the model not runnable")
        void missingPart() throws IOException {
            List<Path> parts = GgufWriter.typicalModel().writeSplit(root, "Big-70B-Q4_K_M", 3);
            Files.delete(parts.get(1));
            DiscoveredModel m = scan().models().get(0);
            assertThat(m.problems()).containsExactly(new Problem(Kind.MISSING_PART, "missing part 2 of 3"));
            assertThat(m.isRunnable()).isFalse();
        }
    }
}

package dev.magi.core.discovery;

import dev.magi.core.memory.ModelMemory;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.MetadataSource;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@DisplayName("Discovery of a real model file that nobody on this project wrote")
class RealModelFileTest {
    @TempDir
    Path models;

    @Test
    @DisplayName("lists stories260K.gguf, reached through a symbolic link, with the facts of its header")
    void stories260K() throws Exception {
        Path real = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(real), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K));
        Files.createSymbolicLink(models.resolve("stories260K.gguf"), real);

        ScanResult result = new ModelScanner().scan(models);

        assertThat(result.skipped()).isEmpty();
        DiscoveredModel m = result.models().get(0);
        assertThat(m.modelId()).isEqualTo("stories260k");
        assertThat(m.filePath()).isEqualTo(models.resolve("stories260K.gguf").toString());
        assertThat(m.metadataSource()).isEqualTo(MetadataSource.GGUF);
        assertThat(m.architecture()).isEqualTo("llama");
        assertThat(m.quantization()).isEqualTo("f32");
        assertThat(m.parameterCount()).isEqualTo(292_800L);
        assertThat(m.contextLength()).isEqualTo(2048L);
        assertThat(m.fileSizeBytes()).isEqualTo(1_185_376L);
        assertThat(m.sizeParams()).isEqualTo(0.0);
        assertThat(m.isThinkingModel()).isFalse();
        assertThat(m.problems()).isEmpty();
        // docs/gateway.md: 1,171,200 bytes of tensors, 2,048 x 640 bytes of cache, plus 5%
        assertThat(m.tensorBytes()).isEqualTo(1_171_200L);
        assertThat(m.kvBytesPerToken()).isEqualTo(640L);
        assertThat(ModelMemory.estimate(m)).isEqualTo(2_606_016L);
    }
}

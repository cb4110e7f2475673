package dev.magi.core.gguf;


import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks the reader against a file nobody on this project wrote: the stories260K model that
 * llama.cpp's own server tests load. The file lives in the shared fixtures next to the repository,
 * not in it; a user's clone has no such directory, so there the test is skipped, not failed.
 */
@DisplayName("GgufReader on the real stories260K.gguf gives every fact its README lists")
class Stories260kFixtureTest {

    private static final String FIXTURE = SharedFixtures.STORIES_260K;

    private static Path file;
    private static GgufHeader header;

    @BeforeAll
    static void readFixture() throws IOException {
        file = SharedFixtures.file(FIXTURE);
        if (Files.isRegularFile(file)) {
            header = GgufReader.read(file);
        }
    }

    // Assumed per test rather than once in @BeforeAll, so that each test is reported skipped with the reason.
    @BeforeEach
    void requireFixture() {
        assumeTrue(header != null, SharedFixtures.absentMessage(FIXTURE));
    }

    @Test
    @DisplayName("version 3, little-endian")
    void version() {
        assertThat(header.version()).isEqualTo(3);
        assertThat(header.byteOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    @DisplayName("19 metadata keys, the first of them tokenizer.ggml.tokens")
    void metadataKeys() {
        assertThat(header.metadata()).hasSize(19);
        assertThat(header.metadata().keySet()).first().isEqualTo("tokenizer.ggml.tokens");
    }

    @Test
    @DisplayName("architecture llama, name llama, no chat template")
    void generalKeys() {
        assertThat(header.architecture()).contains("llama");
        assertThat(header.string("general.name")).contains("llama");
        assertThat(header.string("tokenizer.chat_template")).isEmpty();
    }

    @Test
    @DisplayName("context length 2048, 5 blocks, embedding length 64")
    void hyperparameters() {
        assertThat(header.integer("llama.context_length")).hasValue(2048);
        assertThat(header.integer("llama.block_count")).hasValue(5);
        assertThat(header.integer("llama.embedding_length")).hasValue(64);
    }

    @Test
    @DisplayName("no general.file_type, so the quantization is inferred from 48 F32 tensors: f32")
    void quantization() {
        assertThat(header.metadata()).doesNotContainKey("general.file_type");
        assertThat(header.fileTypeName()).isEmpty();
        assertThat(header.tensors()).hasSize(48)
                .allSatisfy(tensor -> assertThat(tensor.type()).contains(GgmlType.F32));
        assertThat(header.quantization()).contains("f32");
    }

    @Test
    @DisplayName("292,800 parameters")
    void parameterCount() {
        assertThat(header.parameterCount()).isEqualTo(292_800);
    }

    @Test
    @DisplayName("tensor data from byte 14,176 to the end of the file: 1,171,200 bytes of F32")
    void tensorData() throws IOException {
        assertThat(header.tensorDataOffset()).isEqualTo(14_176);
        assertThat(header.tensorDataOffset() + header.parameterCount() * Float.BYTES)
                .isEqualTo(14_176 + 1_171_200)
                .isEqualTo(Files.size(file));
    }
}

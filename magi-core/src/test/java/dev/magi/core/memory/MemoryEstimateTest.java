package dev.magi.core.memory;

import dev.magi.core.gguf.GgufHeader;
import dev.magi.core.gguf.GgufReader;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.MetadataType;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@DisplayName("The memory estimate from a GGUF header")
class MemoryEstimateTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("of the real stories260K model: tensor data, its cache at 2,048 tokens, plus 5%")
    void realModel() throws IOException {
        Path file = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(file), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K));
        GgufHeader header = GgufReader.read(file);
        KvShape kv = KvShape.of(header).orElseThrow();
        // 5 layers, 4 KV heads of 64 / 8 = 8 values each for keys and for values.
        assertThat(kv).isEqualTo(new KvShape(5, 4, 8, 8));
        long tensorBytes = Files.size(file) - header.tensorDataOffset();
        assertThat(tensorBytes).isEqualTo(1_171_200);
        // cache: 2048 x 5 x 4 x (8 + 8) x 2 bytes = 1,310,720; (1,171,200 + 1,310,720) x 1.05
        assertThat(MemoryEstimate.bytes(tensorBytes, kv, 2048, 0)).isEqualTo(2_606_016);
        // a smaller context takes a smaller cache
        assertThat(MemoryEstimate.bytes(tensorBytes, kv, 256, 0)).isEqualTo((long) Math.ceil(
                (1_171_200 + 256L * 5 * 4 * 16 * 2) * 1.05));
    }

    @Test
    @DisplayName("takes the key and value lengths and the KV heads from the header when it gives them")
    void explicitLengths() throws IOException {
        GgufHeader header = read(GgufWriter.typicalModel("qwen3", "Q")
                .putUint32("qwen3.attention.head_count", 32)
                .putUint32("qwen3.attention.head_count_kv", 8)
                .putUint32("qwen3.attention.key_length", 128)
                .putUint32("qwen3.attention.value_length", 64));
        assertThat(KvShape.of(header)).contains(new KvShape(1, 8, 128, 64));
        assertThat(new KvShape(1, 8, 128, 64).bytesFor(4096)).isEqualTo(4096L * 8 * (128 + 64) * 2);
    }

    @Test
    @DisplayName("reads all heads as KV heads without head_count_kv, and the largest of a per-layer array")
    void headCounts() throws IOException {
        GgufHeader noGqa = read(GgufWriter.typicalModel().putUint32("llama.attention.head_count", 4));
        assertThat(KvShape.of(noGqa)).contains(new KvShape(1, 4, 64, 64));
        GgufHeader perLayer = read(GgufWriter.typicalModel("openelm", "O")
                .putArray("openelm.attention.head_count", MetadataType.INT32, 3, i -> 4 + i)
                .putArray("openelm.attention.head_count_kv", MetadataType.INT32, 3, i -> 1 + i));
        assertThat(KvShape.of(perLayer)).contains(new KvShape(1, 3, 256 / 6, 256 / 6));
    }

    @Test
    @DisplayName("leaves the cache out when the header lacks its shape, and adds a projector")
    void withoutShape() throws IOException {
        GgufHeader header = read(GgufWriter.typicalModel());
        assertThat(KvShape.of(header)).as("no head count").isEmpty();
        assertThat(MemoryEstimate.bytes(1000, null, 4096, 0)).isEqualTo(1050);
        assertThat(MemoryEstimate.bytes(1000, null, 4096, 1000)).isEqualTo(2100);
        assertThat(MemoryEstimate.bytes(1000, new KvShape(1, 1, 1, 1), 0, 0)).as("unknown context").isEqualTo(1050);
    }

    @Test
    @DisplayName("refuses an estimate that overflows instead of wrapping to a small number")
    void overflow() {
        KvShape huge = new KvShape(Long.MAX_VALUE / 2, 2, 1, 1);
        assertThatThrownBy(() -> MemoryEstimate.bytes(0, huge, 1024, 0)).isInstanceOf(ArithmeticException.class);
    }

    private GgufHeader read(GgufWriter writer) throws IOException {
        return GgufReader.read(writer.writeTo(dir.resolve("m.gguf")));
    }
}

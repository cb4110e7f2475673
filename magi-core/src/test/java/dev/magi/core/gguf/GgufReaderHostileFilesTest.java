package dev.magi.core.gguf;

import dev.magi.testkit.GgufBytes;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.MetadataType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static dev.magi.testkit.GgufWriter.array;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

@DisplayName("GgufReader on hostile files gives a GgufFormatException, never an Error or a hang")
class GgufReaderHostileFilesTest {

    @TempDir
    Path dir;

    private Path file(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("hostile.gguf"), bytes);
    }

    private Throwable readingFails(byte[] bytes) throws IOException {
        Path file = file(bytes);
        Throwable thrown = catchThrowable(() -> GgufReader.read(file));
        assertThat(thrown).isInstanceOf(GgufFormatException.class);
        return thrown;
    }

    /** Magic, version 3, the two counts: the start of every little-endian file here. */
    private static GgufBytes header(long tensorCount, long kvCount) {
        return GgufBytes.littleEndian().magic().u32(3).u64(tensorCount).u64(kvCount);
    }

    @Nested
    @DisplayName("the file start")
    class FileStart {

        @Test
        @DisplayName("an empty file is truncated")
        void emptyFile() throws IOException {
            assertThat(readingFails(new byte[0]))
                    .hasMessageContaining("truncated")
                    .hasMessageContaining("empty");
        }

        @Test
        @DisplayName("a file that does not start with GGUF is not a GGUF file")
        void badMagic() throws IOException {
            byte[] bytes = GgufWriter.typicalModel().toBytes();
            bytes[3] = 'G';

            assertThat(readingFails(bytes))
                    .hasMessageContaining("not a GGUF file")
                    .hasMessageContaining("47 47 55 47")
                    .hasMessageContaining("at byte offset 0");
        }

        @Test
        @DisplayName("a file shorter than the magic is truncated")
        void shorterThanMagic() throws IOException {
            assertThat(readingFails(new byte[] {'G', 'G'})).hasMessageContaining("truncated").hasMessageContaining("magic");
        }

        @ParameterizedTest(name = "version {0}")
        @ValueSource(ints = {1, 0, 4, 0x7FFF_FFFF})
        @DisplayName("versions other than 2 and 3 are unsupported")
        void unsupportedVersions(int version) throws IOException {
            assertThat(readingFails(GgufWriter.typicalModel().version(version).toBytes()))
                    .hasMessageContaining("unsupported GGUF version " + version)
                    .hasMessageContaining("versions 2 and 3");
        }

        @Test
        @DisplayName("version 1 is unsupported in either byte order")
        void versionOneBigEndian() throws IOException {
            assertThat(readingFails(GgufWriter.typicalModel().version(1).bigEndian().toBytes()))
                    .hasMessageContaining("unsupported GGUF version 1 ");
        }
    }

    @Nested
    @DisplayName("counts and lengths larger than the file")
    class Counts {

        @Test
        @DisplayName("a key/value count of 2^62 in a 100-byte file")
        void hugeKvCount() throws IOException {
            byte[] bytes = Arrays.copyOf(header(0, 1L << 62).toByteArray(), 100);

            assertThat(readingFails(bytes))
                    .hasMessageContaining("truncated or corrupt file: metadata key/value count 4611686018427387904 cannot fit in the 76 bytes left");
        }

        @Test
        @DisplayName("a key/value count above 2^63 (negative as a signed long)")
        void negativeKvCount() throws IOException {
            assertThat(readingFails(header(0, -1L).toByteArray()))
                    .hasMessageContaining("metadata key/value count 18446744073709551615 cannot fit");
        }

        @Test
        @DisplayName("a tensor count of 2^62")
        void hugeTensorCount() throws IOException {
            byte[] bytes = Arrays.copyOf(header(1L << 62, 0).toByteArray(), 100);

            assertThat(readingFails(bytes)).hasMessageContaining("tensor count 4611686018427387904 cannot fit");
        }

        @Test
        @DisplayName("a string length of 2^62")
        void hugeStringLength() throws IOException {
            byte[] bytes = header(0, 1).string("general.name").valueType(MetadataType.STRING)
                    .u64(1L << 62).raw(new byte[64]).toByteArray();

            assertThat(readingFails(bytes))
                    .hasMessageContaining("string length 4611686018427387904 of the value of 'general.name'")
                    .hasMessageContaining("16 MiB")
                    .hasMessageContaining("at byte offset 48");
        }

        @Test
        @DisplayName("a key length of 2^62")
        void hugeKeyLength() throws IOException {
            byte[] bytes = header(0, 1).u64(1L << 62).raw(new byte[64]).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("string length 4611686018427387904 of the key");
        }

        @Test
        @DisplayName("a string length under 16 MiB but beyond the end of the file")
        void stringPastEnd() throws IOException {
            byte[] bytes = header(0, 1).string("k").valueType(MetadataType.STRING)
                    .u64(1000).raw(new byte[10]).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("string length 1000 of the value of 'k' is more than the 10 bytes left");
        }

        @Test
        @DisplayName("a string of 16 MiB and one byte, even in a file that holds it")
        void stringOverLimit() throws IOException {
            int length = GgufReader.MAX_STRING_BYTES + 1;
            byte[] bytes = header(0, 1).string("k").valueType(MetadataType.STRING)
                    .u64(length).raw(new byte[length]).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("over the limit of 16777216 bytes");
        }

        @Test
        @DisplayName("an array count of 2^60")
        void hugeArrayCount() throws IOException {
            byte[] bytes = header(0, 1).string("tokens").valueType(MetadataType.ARRAY)
                    .valueType(MetadataType.UINT8).u64(1L << 60).raw(new byte[64]).toByteArray();

            assertThat(readingFails(bytes))
                    .hasMessageContaining("array count 1152921504606846976 of 'tokens' cannot fit in the 64 bytes left");
        }

        @Test
        @DisplayName("an array of strings whose count only fits if each string took less than its length prefix")
        void stringArrayCount() throws IOException {
            byte[] bytes = header(0, 1).string("tokens").valueType(MetadataType.ARRAY)
                    .valueType(MetadataType.STRING).u64(9).raw(new byte[64]).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("a STRING element takes at least 8 bytes");
        }

        @Test
        @DisplayName("a string inside a skipped array whose length runs past the end")
        void skippedStringPastEnd() throws IOException {
            GgufBytes bytes = header(0, 1).string("tokens").valueType(MetadataType.ARRAY)
                    .valueType(MetadataType.STRING).u64(100);
            for (int i = 0; i < 99; i++) {
                bytes.string("t");
            }
            bytes.u64(5000).raw(new byte[800]);

            assertThat(readingFails(bytes.toByteArray()))
                    .hasMessageContaining("string length 5000 of the value of 'tokens' is more than");
        }
    }

    @Nested
    @DisplayName("structure")
    class Structure {

        @Test
        @DisplayName("arrays nested 2,000 deep are refused without a StackOverflowError")
        void deepNesting() throws IOException {
            GgufBytes bytes = header(0, 1).string("deep").valueType(MetadataType.ARRAY);
            for (int i = 0; i < 2_000; i++) {
                bytes.valueType(MetadataType.ARRAY).u64(1);
            }
            bytes.valueType(MetadataType.UINT8).u64(1).u8(0);

            assertThat(readingFails(bytes.toByteArray())).hasMessageContaining("arrays in 'deep' are nested more than 8 levels deep");
        }

        @Test
        @DisplayName("arrays nested 2,000 deep inside a skipped array are refused too")
        void deepNestingWhileSkipping() throws IOException {
            GgufBytes bytes = header(0, 1).string("deep").valueType(MetadataType.ARRAY)
                    .valueType(MetadataType.ARRAY).u64(100);
            for (int i = 0; i < 2_000; i++) {
                bytes.valueType(MetadataType.ARRAY).u64(100);
            }
            bytes.raw(new byte[2_000]);

            assertThat(readingFails(bytes.toByteArray())).hasMessageContaining("nested more than 8 levels deep");
        }

        @Test
        @DisplayName("arrays nested 8 deep are still read")
        void allowedNesting() throws IOException {
            GgufWriter.Array nested = array(MetadataType.UINT8, 7);
            for (int i = 1; i < GgufReader.MAX_ARRAY_NESTING; i++) {
                nested = array(MetadataType.ARRAY, nested);
            }
            Path file = GgufWriter.create().putArray("deep", nested).writeTo(dir.resolve("deep.gguf"));

            assertThat(GgufReader.read(file).array("deep")).isPresent();
        }

        @Test
        @DisplayName("a tensor with 100,000 dimensions")
        void tooManyDimensions() throws IOException {
            byte[] bytes = header(1, 0).string("t").u32(100_000).raw(new byte[200]).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("tensor 't' has 100000 dimensions; at most 4 are allowed");
        }

        @Test
        @DisplayName("a dimension above 2^63 (negative as a signed long)")
        void negativeDimension() throws IOException {
            byte[] bytes = header(1, 0).string("t").u32(1).u64(-5L).u32(0).u64(0).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("dimension 0 of tensor 't' is 18446744073709551611");
        }

        @Test
        @DisplayName("dimensions whose product overflows")
        void dimensionProductOverflows() throws IOException {
            byte[] bytes = header(1, 0).string("t").u32(3).u64(1L << 32).u64(1L << 32).u64(2)
                    .u32(0).u64(0).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("the dimensions of tensor 't' multiply to more than");
        }

        @Test
        @DisplayName("tensors whose element counts overflow when summed")
        void parameterCountOverflows() throws IOException {
            byte[] bytes = GgufWriter.create()
                    .tensorAt("a", 0, 0, 1L << 62)
                    .tensorAt("b", 0, 0, 1L << 62)
                    .tensorAt("c", 0, 0, 1L << 62)
                    .toBytes();

            assertThat(readingFails(bytes)).hasMessageContaining("the tensors up to 'b' hold more than");
        }

        @Test
        @DisplayName("an unknown value type")
        void unknownValueType() throws IOException {
            byte[] bytes = header(0, 1).string("k").u32(13).u64(0).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("unknown value type 13 for key 'k'");
        }

        @Test
        @DisplayName("an unknown array element type")
        void unknownElementType() throws IOException {
            byte[] bytes = header(0, 1).string("k").valueType(MetadataType.ARRAY).u32(99).u64(0).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("unknown array element type 99 in 'k'");
        }

        @Test
        @DisplayName("a key that appears twice")
        void duplicateKey() throws IOException {
            byte[] bytes = header(0, 2).string("k").valueType(MetadataType.UINT8).u8(1)
                    .string("k").valueType(MetadataType.UINT8).u8(2).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("duplicate metadata key 'k'");
        }

        @ParameterizedTest(name = "general.alignment = {0}")
        @ValueSource(longs = {0, 3, 48, 1L << 31})
        @DisplayName("an alignment that is not a power of two (or absurdly large)")
        void badAlignment(long alignment) throws IOException {
            byte[] bytes = GgufWriter.typicalModel().putUint32("general.alignment", alignment).toBytes();

            assertThat(readingFails(bytes)).hasMessageContaining("general.alignment is " + alignment);
        }

        @Test
        @DisplayName("a negative tensor data offset")
        void negativeOffset() throws IOException {
            byte[] bytes = header(1, 0).string("t").u32(1).u64(1).u32(0).u64(-32L).toByteArray();

            assertThat(readingFails(bytes)).hasMessageContaining("the data offset of tensor 't' is 18446744073709551584");
        }
    }

    @Nested
    @DisplayName("truncation")
    class Truncation {

        @Test
        @DisplayName("every prefix of a header fails cleanly, and once the tensor infos are complete it reads")
        void everyPrefix() throws IOException {
            GgufWriter writer = GgufWriter.typicalModel()
                    .putArray("nested", array(MetadataType.ARRAY, array(MetadataType.STRING, "a", "b")))
                    .putArray("skipped", MetadataType.STRING, 100, i -> "token" + i)
                    .putFloat64("f64", 2.5)
                    .bigEndian();
            byte[] full = writer.toBytes();
            long complete = writer.headerLength();
            Path file = dir.resolve("prefix.gguf");

            for (int length = 0; length <= full.length; length++) {
                Files.write(file, Arrays.copyOf(full, length));
                if (length < complete) {
                    int cut = length;
                    assertThatThrownBy(() -> GgufReader.read(file))
                            .as("prefix of %d bytes", cut)
                            .isInstanceOf(GgufFormatException.class)
                            .hasMessageContaining("truncated");
                } else {
                    assertThat(GgufReader.read(file).tensors()).hasSize(6);
                }
            }
        }

        @Test
        @DisplayName("a header cut inside a long string says what was being read")
        void messageNamesTheItem() throws IOException {
            byte[] full = GgufWriter.create().putString("general.name", "x".repeat(1000)).toBytes();

            assertThat(readingFails(Arrays.copyOf(full, 100)))
                    .hasMessageContaining("string length 1000 of the value of 'general.name' is more than the 44 bytes left");
        }
    }

    @Nested
    @DisplayName("random corruption")
    class RandomCorruption {

        @Test
        @DisplayName("flipping random bytes of a valid header never gives anything but a header or a GgufFormatException")
        void randomMutations() throws IOException {
            byte[] original = GgufWriter.typicalModel()
                    .putArray("nested", array(MetadataType.ARRAY, array(MetadataType.STRING, "a", "b")))
                    .putArray("skipped", MetadataType.STRING, 100, i -> "token" + i)
                    .putArray("floats", MetadataType.FLOAT32, 100, i -> (float) i)
                    .toBytes();
            Random random = new Random(20_240_601);
            Path file = dir.resolve("mutated.gguf");

            for (int round = 0; round < Integer.getInteger("magi.test.mutations", 2_000); round++) {
                byte[] mutated = original.clone();
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    mutated[random.nextInt(mutated.length)] = (byte) random.nextInt(256);
                }
                Files.write(file, mutated);
                try {
                    GgufReader.read(file);
                } catch (GgufFormatException expected) {
                    // A wrapped runtime exception would mean a check is missing.
                    assertThat(expected).hasNoCause().hasMessageContaining("at byte offset");
                }
            }
        }
    }
}

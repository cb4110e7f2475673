package dev.magi.core.gguf;

import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.MetadataType;
import dev.magi.testkit.TensorType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.magi.testkit.GgufWriter.array;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("GgufReader reads back what GgufWriter wrote")
class GgufReaderRoundTripTest {

    @TempDir
    Path dir;

    private GgufHeader read(GgufWriter writer) throws IOException {
        return GgufReader.read(writer.writeTo(dir.resolve("model.gguf")));
    }

    static Stream<Arguments> versionsAndByteOrders() {
        return Stream.of(
                Arguments.of(2, ByteOrder.LITTLE_ENDIAN),
                Arguments.of(3, ByteOrder.LITTLE_ENDIAN),
                Arguments.of(2, ByteOrder.BIG_ENDIAN),
                Arguments.of(3, ByteOrder.BIG_ENDIAN));
    }

    @Nested
    @DisplayName("versions and byte orders")
    class VersionsAndByteOrders {

        @ParameterizedTest(name = "version {0}, {1}")
        @MethodSource("dev.magi.core.gguf.GgufReaderRoundTripTest#versionsAndByteOrders")
        @DisplayName("a typical model reads the same in every supported version and byte order")
        void typicalModel(int version, ByteOrder order) throws IOException {
            GgufWriter writer = GgufWriter.typicalModel().version(version).byteOrder(order);

            GgufHeader header = read(writer);

            assertThat(header.version()).isEqualTo(version);
            assertThat(header.byteOrder()).isEqualTo(order);
            assertThat(header.architecture()).contains("llama");
            assertThat(header.string("general.name")).contains("Typical Model");
            assertThat(header.integer("llama.context_length")).hasValue(4096);
            assertThat(header.tensors()).hasSize(6);
            assertThat(header.parameterCount()).isEqualTo(GgufWriter.TYPICAL_MODEL_PARAMETERS);
            assertThat(header.tensorDataOffset()).isEqualTo(writer.tensorDataOffset());
            assertThat(header.quantization()).contains("q4_k_m");
        }

        @ParameterizedTest(name = "version {0}, {1}")
        @MethodSource("dev.magi.core.gguf.GgufReaderRoundTripTest#versionsAndByteOrders")
        @DisplayName("every value type reads back in every version and byte order")
        void everyValueType(int version, ByteOrder order) throws IOException {
            GgufHeader header = read(allValueTypes().version(version).byteOrder(order));

            assertThat(header.metadata()).containsExactlyEntriesOf(expectedValues());
        }
    }

    @Nested
    @DisplayName("metadata values")
    class MetadataValues {

        @Test
        @DisplayName("come back as Long, Double, Boolean, String and GgufArray, in file order")
        void javaTypes() throws IOException {
            GgufHeader header = read(allValueTypes());

            assertThat(header.metadata()).containsExactlyEntriesOf(expectedValues());
        }

        @Test
        @DisplayName("a uint64 above Long.MAX_VALUE is a BigInteger, not a wrapped negative Long")
        void largeUnsigned() throws IOException {
            GgufHeader header = read(GgufWriter.create().putUint64("big", -1L).putUint64("max", Long.MAX_VALUE));

            assertThat(header.metadata().get("big")).isEqualTo(new BigInteger("18446744073709551615"));
            assertThat(header.integer("big")).isEmpty();
            assertThat(header.integer("max")).hasValue(Long.MAX_VALUE);
        }

        @Test
        @DisplayName("integer(key) answers for every integer width and nothing else")
        void integerOfAnyWidth() throws IOException {
            GgufHeader header = read(allValueTypes());

            assertThat(header.integer("u8")).hasValue(255);
            assertThat(header.integer("i8")).hasValue(-128);
            assertThat(header.integer("u16")).hasValue(65_535);
            assertThat(header.integer("i16")).hasValue(-32_768);
            assertThat(header.integer("u32")).hasValue(4_294_967_295L);
            assertThat(header.integer("i32")).hasValue(Integer.MIN_VALUE);
            assertThat(header.integer("u64")).hasValue(1L << 40);
            assertThat(header.integer("i64")).hasValue(Long.MIN_VALUE);
            assertThat(header.integer("f32")).isEmpty();
            assertThat(header.integer("string")).isEmpty();
            assertThat(header.integer("absent")).isEmpty();
        }

        @Test
        @DisplayName("string(key) answers only for strings")
        void stringOnlyForStrings() throws IOException {
            GgufHeader header = read(allValueTypes());

            assertThat(header.string("string")).contains("h\u00e9llo \uD83E\uDD99");
            assertThat(header.string("u8")).isEmpty();
            assertThat(header.string("absent")).isEmpty();
        }

        @Test
        @DisplayName("malformed UTF-8 is replaced, not an error")
        void malformedUtf8() throws IOException {
            GgufHeader header = read(GgufWriter.create()
                    .put("bad", MetadataType.STRING, new byte[] {'a', (byte) 0xFF, 'b', (byte) 0xC3}));

            assertThat(header.string("bad")).contains("a\uFFFDb\uFFFD");
        }

        @Test
        @DisplayName("a string longer than the read window comes back whole")
        void stringLongerThanWindow() throws IOException {
            String template = "{{ message }}".repeat(100_000);

            GgufHeader header = read(GgufWriter.typicalModel()
                    .putString("tokenizer.chat_template", template)
                    .putString("after", "still read"));

            assertThat(header.string("tokenizer.chat_template")).contains(template);
            assertThat(header.string("after")).contains("still read");
            assertThat(header.tensors()).hasSize(6);
        }
    }

    @Nested
    @DisplayName("arrays")
    class ArrayValues {

        @Test
        @DisplayName("nested arrays keep their structure and element types")
        void nested() throws IOException {
            GgufHeader header = read(GgufWriter.create().putArray("nested", array(MetadataType.ARRAY,
                    array(MetadataType.UINT8, 1, 2),
                    array(MetadataType.STRING, "a"),
                    array(MetadataType.ARRAY, array(MetadataType.BOOL, true)))));

            GgufArray nested = header.array("nested").orElseThrow();
            assertThat(nested.elementType()).isEqualTo(GgufValueType.ARRAY);
            assertThat(nested.values()).containsExactly(
                    new GgufArray(GgufValueType.UINT8, 2, List.of(1L, 2L)),
                    new GgufArray(GgufValueType.STRING, 1, List.of("a")),
                    new GgufArray(GgufValueType.ARRAY, 1,
                            List.of(new GgufArray(GgufValueType.BOOL, 1, List.of(true)))));
        }

        @Test
        @DisplayName("an empty array has a count of zero and no values")
        void empty() throws IOException {
            GgufHeader header = read(GgufWriter.create().putArray("empty", array(MetadataType.INT32)));

            assertThat(header.array("empty")).contains(new GgufArray(GgufValueType.INT32, 0, List.of()));
        }

        @Test
        @DisplayName("arrays of up to 64 elements keep their values; longer ones keep only type and count")
        void largeArraysAreSkipped() throws IOException {
            GgufHeader header = read(GgufWriter.create()
                    .putArray("kept", MetadataType.INT32, 64, i -> i)
                    .putArray("skipped", MetadataType.INT32, 65, i -> i)
                    .putArray("skipped strings", MetadataType.STRING, 65, i -> "s" + i)
                    .putArray("skipped arrays", MetadataType.ARRAY, 65, i -> array(MetadataType.STRING, "x"))
                    .putString("after", "read"));

            assertThat(header.array("kept").orElseThrow().values()).hasSize(64).startsWith(0L, 1L);
            assertThat(header.array("skipped")).contains(new GgufArray(GgufValueType.INT32, 65, null));
            assertThat(header.array("skipped strings")).contains(new GgufArray(GgufValueType.STRING, 65, null));
            assertThat(header.array("skipped arrays")).contains(new GgufArray(GgufValueType.ARRAY, 65, null));
            assertThat(header.string("after")).contains("read");
        }

        @Test
        @DisplayName("a Qwen-sized vocabulary is skipped and everything after it is read")
        void qwenSizedVocabulary() throws IOException {
            GgufHeader header = read(GgufWriter.typicalModel().qwenLikeVocabulary());

            int size = GgufWriter.QWEN_LIKE_VOCABULARY_SIZE;
            assertThat(header.array("tokenizer.ggml.tokens"))
                    .contains(new GgufArray(GgufValueType.STRING, size, null));
            assertThat(header.array("tokenizer.ggml.merges"))
                    .contains(new GgufArray(GgufValueType.STRING, size, null));
            assertThat(header.array("tokenizer.ggml.scores"))
                    .contains(new GgufArray(GgufValueType.FLOAT32, size, null));
            assertThat(header.array("tokenizer.ggml.token_type"))
                    .contains(new GgufArray(GgufValueType.INT32, size, null));
            assertThat(header.integer("tokenizer.ggml.eos_token_id")).hasValue(size - 200);
            assertThat(header.string("tokenizer.chat_template")).hasValueSatisfying(t -> assertThat(t).contains("im_start"));
            assertThat(header.parameterCount()).isEqualTo(GgufWriter.TYPICAL_MODEL_PARAMETERS);
        }
    }

    @Nested
    @DisplayName("tensor infos")
    class Tensors {

        @Test
        @DisplayName("come back with names, dimensions, types and offsets")
        void infos() throws IOException {
            GgufHeader header = read(GgufWriter.create()
                    .tensor("a", TensorType.F32, 4, 2)
                    .tensor("b", TensorType.Q8_0, 64)
                    .tensor("c", TensorType.F16, 3, 5, 7, 11));

            assertThat(header.tensors()).containsExactly(
                    new TensorInfo("a", new long[] {4, 2}, 0, 0),
                    new TensorInfo("b", new long[] {64}, 8, 32),
                    new TensorInfo("c", new long[] {3, 5, 7, 11}, 1, 128));
            assertThat(header.tensors().get(2).elementCount()).isEqualTo(1155);
            assertThat(header.parameterCount()).isEqualTo(8 + 64 + 1155);
        }

        @Test
        @DisplayName("an unknown ggml type is read, not an error")
        void unknownType() throws IOException {
            GgufHeader header = read(GgufWriter.create().tensor("future", 200, 16).tensor("old", TensorType.F16, 1));

            assertThat(header.tensors().get(0).ggmlType()).isEqualTo(200);
            assertThat(header.tensors().get(0).type()).isEmpty();
            assertThat(header.quantization()).contains("f16");
        }

        @ParameterizedTest(name = "alignment {0}")
        @CsvSource({"1", "8", "32", "64", "4096"})
        @DisplayName("the tensor data starts at the end of the infos rounded up to general.alignment")
        void alignment(int alignment) throws IOException {
            GgufWriter writer = GgufWriter.typicalModel().alignment(alignment);

            GgufHeader header = read(writer);

            assertThat(header.tensorDataOffset())
                    .isEqualTo(writer.tensorDataOffset())
                    .isGreaterThanOrEqualTo(writer.headerLength())
                    .isLessThan(writer.headerLength() + alignment);
            assertThat(header.tensorDataOffset() % alignment).isZero();
        }

        @Test
        @DisplayName("without general.alignment the data is aligned to 32 bytes")
        void defaultAlignment() throws IOException {
            GgufWriter writer = GgufWriter.create().putString("k", "v").tensor("t", TensorType.F32, 1);

            GgufHeader header = read(writer);

            assertThat(header.tensorDataOffset() % 32).isZero();
            assertThat(header.tensorDataOffset()).isBetween(writer.headerLength(), writer.headerLength() + 31);
        }

        @Test
        @DisplayName("with tensor data written, the data ends exactly at the end of the file")
        void withData() throws IOException {
            GgufWriter writer = GgufWriter.create()
                    .tensor("a", TensorType.F32, 10)
                    .tensor("b", TensorType.Q4_K, 256, 2)
                    .withTensorData();
            Path file = writer.writeTo(dir.resolve("with-data.gguf"));

            GgufHeader header = GgufReader.read(file);

            assertThat(header.tensorDataOffset() + writer.tensorDataLength()).isEqualTo(Files.size(file));
        }

        @Test
        @DisplayName("tensors claiming terabytes of data are read from a header-only file: data is never read")
        void dataIsNeverRead() throws IOException {
            GgufHeader header = read(GgufWriter.create().tensor("huge", TensorType.F32, 1L << 20, 1L << 20, 1L << 4));

            assertThat(header.parameterCount()).isEqualTo(1L << 44);
        }

        @Test
        @DisplayName("a file with no tensors has no parameters and no quantization")
        void noTensors() throws IOException {
            GgufHeader header = read(GgufWriter.create().putString("general.architecture", "llama"));

            assertThat(header.tensors()).isEmpty();
            assertThat(header.parameterCount()).isZero();
            assertThat(header.quantization()).isEmpty();
        }
    }

    @Nested
    @DisplayName("quantization")
    class Quantization {

        @ParameterizedTest(name = "file_type {0} is {1}")
        @CsvSource({
                "0, f32", "1, f16", "2, q4_0", "3, q4_1", "7, q8_0", "8, q5_0", "9, q5_1", "10, q2_k",
                "11, q3_k_s", "12, q3_k_m", "13, q3_k_l", "14, q4_k_s", "15, q4_k_m", "16, q5_k_s",
                "17, q5_k_m", "18, q6_k", "19, iq2_xxs", "20, iq2_xs", "21, q2_k_s", "22, iq3_xs",
                "23, iq3_xxs", "24, iq1_s", "25, iq4_nl", "26, iq3_s", "27, iq3_m", "28, iq2_s", "29, iq2_m",
                "30, iq4_xs", "31, iq1_m", "32, bf16", "36, tq1_0", "37, tq2_0", "38, mxfp4_moe"})
        @DisplayName("general.file_type is named as llama.cpp names it")
        void fileTypeNames(int fileType, String name) throws IOException {
            GgufHeader header = read(GgufWriter.typicalModel().putUint32("general.file_type", fileType));

            assertThat(header.fileTypeName()).contains(name);
            assertThat(header.quantization()).contains(name);
        }

        @Test
        @DisplayName("general.file_type of any integer width counts")
        void fileTypeOfAnyWidth() throws IOException {
            GgufHeader header = read(GgufWriter.typicalModel().putInt32("general.file_type", 32));

            assertThat(header.fileTypeName()).contains("bf16");
        }

        @ParameterizedTest(name = "file_type {0}")
        @CsvSource({"4", "5", "6", "33", "1000", "-1"})
        @DisplayName("an unknown or retired general.file_type falls back to the tensor types")
        void unknownFileType(int fileType) throws IOException {
            GgufHeader header = read(GgufWriter.typicalModel().putInt32("general.file_type", fileType));

            assertThat(header.fileTypeName()).isEmpty();
            assertThat(header.quantization()).contains("q4_k");
        }

        @Test
        @DisplayName("without general.file_type, an all-F32 model is f32")
        void allF32() throws IOException {
            GgufHeader header = read(GgufWriter.create()
                    .tensor("a", TensorType.F32, 64, 64)
                    .tensor("b", TensorType.F32, 64));

            assertThat(header.fileTypeName()).isEmpty();
            assertThat(header.quantization()).contains("f32");
        }

        @Test
        @DisplayName("without general.file_type, the type holding the most elements wins over many small F32 norms")
        void mostElementsWin() throws IOException {
            GgufWriter writer = GgufWriter.create();
            for (int i = 0; i < 10; i++) {
                writer.tensor("blk." + i + ".attn_norm.weight", TensorType.F32, 256);
            }
            writer.tensor("token_embd.weight", TensorType.Q8_0, 256, 100)
                    .tensor("output.weight", TensorType.Q6_K, 256, 50);

            assertThat(read(writer).quantization()).contains("q8_0");
        }

        @Test
        @DisplayName("without general.file_type, a BF16 model is bf16")
        void bf16() throws IOException {
            GgufHeader header = read(GgufWriter.create()
                    .tensor("norm", TensorType.F32, 64)
                    .tensor("w", TensorType.BF16, 64, 64));

            assertThat(header.quantization()).contains("bf16");
        }
    }

    static GgufWriter allValueTypes() {
        return GgufWriter.create()
                .putUint8("u8", 255)
                .putInt8("i8", -128)
                .putUint16("u16", 65_535)
                .putInt16("i16", -32_768)
                .putUint32("u32", 4_294_967_295L)
                .putInt32("i32", Integer.MIN_VALUE)
                .putFloat32("f32", 1.5f)
                .putBool("true", true)
                .putBool("false", false)
                .putString("string", "h\u00e9llo \uD83E\uDD99")
                .putArray("array", array(MetadataType.UINT16, 1, 65_535))
                .putUint64("u64", 1L << 40)
                .putInt64("i64", Long.MIN_VALUE)
                .putFloat64("f64", -0.1)
                .putArray("strings", array(MetadataType.STRING, "a", ""))
                .putArray("nested", array(MetadataType.ARRAY,
                        array(MetadataType.FLOAT32, 0.25f), array(MetadataType.INT64, -1L)));
    }

    static Map<String, Object> expectedValues() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("u8", 255L);
        expected.put("i8", -128L);
        expected.put("u16", 65_535L);
        expected.put("i16", -32_768L);
        expected.put("u32", 4_294_967_295L);
        expected.put("i32", (long) Integer.MIN_VALUE);
        expected.put("f32", 1.5);
        expected.put("true", true);
        expected.put("false", false);
        expected.put("string", "h\u00e9llo \uD83E\uDD99");
        expected.put("array", new GgufArray(GgufValueType.UINT16, 2, List.of(1L, 65_535L)));
        expected.put("u64", 1L << 40);
        expected.put("i64", Long.MIN_VALUE);
        expected.put("f64", -0.1);
        expected.put("strings", new GgufArray(GgufValueType.STRING, 2, List.of("a", "")));
        expected.put("nested", new GgufArray(GgufValueType.ARRAY, 2, List.of(
                new GgufArray(GgufValueType.FLOAT32, 1, List.of(0.25)),
                new GgufArray(GgufValueType.INT64, 1, List.of(-1L)))));
        return expected;
    }
}

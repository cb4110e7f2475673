package dev.magi.testkit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Builds real GGUF files for tests and benchmarks: a version (2 or 3 by default, any number when a
 * test wants an invalid one), a byte order, typed metadata in insertion order, tensor infos with
 * offsets computed as llama.cpp's writers compute them, alignment padding, and optionally zero-filled
 * tensor data of the right size. Without tensor data (the default) a file is a few hundred bytes.
 *
 * <pre>{@code
 * Path model = GgufWriter.typicalModel()
 *         .putUint32("llama.context_length", 8192)
 *         .writeTo(dir.resolve("model.gguf"));
 * }</pre>
 *
 * <p>Putting a key that is already there replaces its value and keeps its place. For byte sequences
 * no well-formed file contains (lying lengths, bad magic), use {@link GgufBytes} or patch
 * {@link #toBytes()}.
 */
public final class GgufWriter {
    /** ggml's {@code GGUF_DEFAULT_ALIGNMENT}, used when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The size of {@link #qwenLikeVocabulary()}'s token list and of its merge list. */
    public static final int QWEN_LIKE_VOCABULARY_SIZE = 150_000;

    private int version = 3;
    private ByteOrder byteOrder = ByteOrder.LITTLE_ENDIAN;
    private int alignment = DEFAULT_ALIGNMENT;
    private boolean withTensorData;
    private final Map<String, Value> metadata = new LinkedHashMap<>();
    private final List<Tensor> tensors = new ArrayList<>();

    private GgufWriter() {
    }

    /** An empty version 3, little-endian file: no metadata, no tensors. */
    public static GgufWriter create() {
        return new GgufWriter();
    }

    /**
     * A small llama model: architecture, name, context length 4096, file type 15 ({@code q4_k_m}) and
     * six tensors (Q4_K, Q6_K and F32) holding {@value #TYPICAL_MODEL_PARAMETERS} parameters.
     */
    public static GgufWriter typicalModel() {
        return typicalModel("llama", "Typical Model");
    }

    /** The parameter count of {@link #typicalModel()}. */
    public static final long TYPICAL_MODEL_PARAMETERS = 256L * 1000 + 256 + 256L * 256 + 256L * 256 + 256 + 256L * 1000;

    /** {@link #typicalModel()} with another architecture (its keys are prefixed with it) and name. */
    public static GgufWriter typicalModel(String architecture, String name) {
        return create()
                .putString("general.architecture", architecture)
                .putString("general.name", name)
                .putUint32(architecture + ".context_length", 4096)
                .putUint32(architecture + ".embedding_length", 256)
                .putUint32(architecture + ".block_count", 1)
                .putUint32("general.file_type", 15)
                .tensor("token_embd.weight", TensorType.Q4_K, 256, 1000)
                .tensor("blk.0.attn_norm.weight", TensorType.F32, 256)
                .tensor("blk.0.attn_q.weight", TensorType.Q4_K, 256, 256)
                .tensor("blk.0.ffn_down.weight", TensorType.Q6_K, 256, 256)
                .tensor("output_norm.weight", TensorType.F32, 256)
                .tensor("output.weight", TensorType.Q6_K, 256, 1000);
    }

    /**
     * Adds a tokenizer the size of Qwen's: {@value #QWEN_LIKE_VOCABULARY_SIZE} tokens with their
     * scores and types, as many merges, and a chat template. Arrays are generated while writing, so
     * the writer holds no 150,000-element lists.
     */
    public GgufWriter qwenLikeVocabulary() {
        int size = QWEN_LIKE_VOCABULARY_SIZE;
        return putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "qwen2")
                .putStringArray("tokenizer.ggml.tokens", size, GgufWriter::vocabularyToken)
                .putArray("tokenizer.ggml.scores", MetadataType.FLOAT32, size, i -> -(float) i)
                .putArray("tokenizer.ggml.token_type", MetadataType.INT32, size, i -> i < size - 200 ? 1 : 3)
                .putStringArray("tokenizer.ggml.merges", size,
                        i -> vocabularyToken(i % 5_000) + " " + vocabularyToken((i * 7 + 3) % 20_000))
                .putUint32("tokenizer.ggml.eos_token_id", size - 200)
                .putUint32("tokenizer.ggml.padding_token_id", size - 200)
                .putBool("tokenizer.ggml.add_bos_token", false)
                .putString("tokenizer.chat_template", QWEN_LIKE_CHAT_TEMPLATE);
    }

    /** Token {@code i} of {@link #qwenLikeVocabulary()}: 1 to 7 base-36 characters, a third with byte-level BPE's 'Ġ'. */
    public static String vocabularyToken(int i) {
        String word = Long.toString((i * 2_654_435_761L) & 0xFFFF_FFFFL, 36);
        return i % 3 == 0 ? "\u0120" + word : word;
    }

    private static final String QWEN_LIKE_CHAT_TEMPLATE = "{%- for message in messages %}"
            + "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}"
            + "{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    // ---------------------------------------------------------------- file-level settings

    /** The version field; anything, so that tests can write unsupported versions. */
    public GgufWriter version(int version) {
        this.version = version;
        return this;
    }

    public GgufWriter byteOrder(ByteOrder byteOrder) {
        this.byteOrder = Objects.requireNonNull(byteOrder, "byteOrder");
        return this;
    }

    public GgufWriter bigEndian() {
        return byteOrder(ByteOrder.BIG_ENDIAN);
    }

    /** Sets {@code general.alignment} (uint32) and pads by it. */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        this.alignment = alignment;
        return putUint32("general.alignment", alignment);
    }

    /** Whether to write zero-filled tensor data after the header (off by default, to keep files tiny). */
    public GgufWriter withTensorData(boolean withTensorData) {
        this.withTensorData = withTensorData;
        return this;
    }

    public GgufWriter withTensorData() {
        return withTensorData(true);
    }

    // ---------------------------------------------------------------- metadata

    public GgufWriter putString(String key, String value) {
        Objects.requireNonNull(value, "value");
        return put(key, MetadataType.STRING, out -> out.string(value));
    }

    public GgufWriter putUint8(String key, int value) {
        return put(key, MetadataType.UINT8, out -> out.u8(value));
    }

    public GgufWriter putInt8(String key, int value) {
        return put(key, MetadataType.INT8, out -> out.i8(value));
    }

    public GgufWriter putUint16(String key, int value) {
        return put(key, MetadataType.UINT16, out -> out.u16(value));
    }

    public GgufWriter putInt16(String key, int value) {
        return put(key, MetadataType.INT16, out -> out.i16(value));
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, MetadataType.UINT32, out -> out.u32(value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, MetadataType.INT32, out -> out.i32(value));
    }

    /** A uint64; values above {@link Long#MAX_VALUE} are passed as their (negative) bits. */
    public GgufWriter putUint64(String key, long value) {
        return put(key, MetadataType.UINT64, out -> out.u64(value));
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, MetadataType.INT64, out -> out.i64(value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, MetadataType.FLOAT32, out -> out.f32(value));
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, MetadataType.FLOAT64, out -> out.f64(value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, MetadataType.BOOL, out -> out.bool(value));
    }

    /** An array, possibly of arrays; see {@link #array(MetadataType, Object...)}. */
    public GgufWriter putArray(String key, Array array) {
        Objects.requireNonNull(array, "array");
        return put(key, MetadataType.ARRAY, out -> out.array(array));
    }

    /** An array of any element type whose elements are generated while writing. */
    public GgufWriter putArray(String key, MetadataType elementType, int count, IntFunction<?> element) {
        return put(key, MetadataType.ARRAY, out -> {
            out.valueType(elementType).u64(count);
            for (int i = 0; i < count; i++) {
                out.value(elementType, element.apply(i));
            }
        });
    }

    /** An array of strings generated while writing: a 150,000-token vocabulary costs no list. */
    public GgufWriter putStringArray(String key, int count, IntFunction<String> element) {
        return put(key, MetadataType.ARRAY, out -> {
            out.valueType(MetadataType.STRING).u64(count);
            for (int i = 0; i < count; i++) {
                out.string(element.apply(i));
            }
        });
    }

    public GgufWriter putStringArray(String key, List<String> elements) {
        List<String> copy = List.copyOf(elements);
        return putStringArray(key, copy.size(), copy::get);
    }

    /**
     * A value of any type, as a Java object: a {@link Number} for numeric types (a
     * {@link BigInteger} too for uint64), a {@link Boolean}, a {@link String} (or {@code byte[]} for
     * raw string bytes), or an {@link Array}.
     */
    public GgufWriter put(String key, MetadataType type, Object value) {
        Objects.requireNonNull(value, "value");
        return put(key, type, out -> out.value(type, value));
    }

    /** A value written by {@code body} after the key and {@code type}; the body may write anything. */
    public GgufWriter put(String key, MetadataType type, Consumer<GgufBytes> body) {
        metadata.put(Objects.requireNonNull(key, "key"), new Value(type, body));
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    /**
     * The three keys llama.cpp's {@code gguf-split} writes into every part: {@code split.no}
     * (uint16, 0-based), {@code split.count} (uint16) and {@code split.tensors.count} (int32, the
     * tensors of all parts).
     */
    public GgufWriter splitPart(int index, int count, int totalTensors) {
        return putUint16("split.no", index)
                .putUint16("split.count", count)
                .putInt32("split.tensors.count", totalTensors);
    }

    /** An array value for {@link #putArray(String, Array)}; elements as for {@link #put(String, MetadataType, Object)}. */
    public static Array array(MetadataType elementType, Object... elements) {
        return new Array(elementType, Arrays.asList(elements));
    }

    /** An array value: its element type and elements, which are {@link Array}s for arrays of arrays. */
    public record Array(MetadataType elementType, List<Object> elements) {
        public Array {
            Objects.requireNonNull(elementType, "elementType");
            elements = List.copyOf(elements);
        }
    }

    // ---------------------------------------------------------------- tensors

    /** A tensor info; its offset follows the previous tensor's data, aligned. */
    public GgufWriter tensor(String name, TensorType type, long... dimensions) {
        return tensor(name, type.id(), dimensions);
    }

    /** A tensor info with a raw type id (an unknown one, for instance). */
    public GgufWriter tensor(String name, int ggmlType, long... dimensions) {
        tensors.add(new Tensor(name, ggmlType, dimensions.clone(), -1));
        return this;
    }

    /** A tensor info with an explicit offset, whatever the others are. */
    public GgufWriter tensorAt(String name, int ggmlType, long offset, long... dimensions) {
        tensors.add(new Tensor(name, ggmlType, dimensions.clone(), offset));
        return this;
    }

    /**
     * The data size of a tensor as ggml computes it, for the types this writer knows (1 byte per
     * element otherwise); {@link Long#MAX_VALUE} when it does not fit, so that headers of absurd
     * tensors can still be written (without data).
     */
    public static long tensorBytes(int ggmlType, long... dimensions) {
        try {
            long elements = 1;
            for (long dimension : dimensions) {
                elements = Math.multiplyExact(elements, dimension);
            }
            int blockElements = TensorType.byId(ggmlType).map(TensorType::blockElements).orElse(1);
            int blockBytes = TensorType.byId(ggmlType).map(TensorType::blockBytes).orElse(1);
            long blocks = (elements + blockElements - 1) / blockElements;
            return Math.multiplyExact(blocks, blockBytes);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The sum of the tensors' element counts. */
    public long parameterCount() {
        long sum = 0;
        for (Tensor tensor : tensors) {
            long elements = 1;
            for (long dimension : tensor.dimensions) {
                elements = Math.multiplyExact(elements, dimension);
            }
            sum = Math.addExact(sum, elements);
        }
        return sum;
    }

    /** Where a reader must find the tensor data: the end of the tensor infos, aligned. */
    public long tensorDataOffset() {
        long end = headerLength();
        return (end + alignment - 1) / alignment * alignment;
    }

    /** The length of the header up to the end of the tensor infos, before padding. */
    public long headerLength() {
        GgufBytes counter = GgufBytes.to(OutputStream.nullOutputStream(), byteOrder);
        writeHeader(counter);
        return counter.position();
    }

    /** The size of the tensor data when written: each tensor's data padded to the alignment. */
    public long tensorDataLength() {
        long end = 0;
        for (long[] placement : placements()) {
            end = align(placement[0] + placement[1]);
        }
        return end;
    }

    // ---------------------------------------------------------------- output

    /** The whole file: header, padding and, when asked for, tensor data. */
    public byte[] toBytes() {
        GgufBytes out = GgufBytes.of(byteOrder);
        write(out, withTensorData);
        return out.toByteArray();
    }

    /** The header and its padding, never tensor data, whatever {@link #withTensorData(boolean)} says. */
    public byte[] rawHeader() {
        GgufBytes out = GgufBytes.of(byteOrder);
        write(out, false);
        return out.toByteArray();
    }

    /** Writes the file and returns {@code file}. */
    public Path writeTo(Path file) {
        try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            GgufBytes out = GgufBytes.to(stream, byteOrder);
            write(out, withTensorData);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** A copy that can be changed without changing this writer. */
    public GgufWriter copy() {
        GgufWriter copy = new GgufWriter();
        copy.version = version;
        copy.byteOrder = byteOrder;
        copy.alignment = alignment;
        copy.withTensorData = withTensorData;
        copy.metadata.putAll(metadata);
        copy.tensors.addAll(tensors);
        return copy;
    }

    /**
     * This model as {@code gguf-split} would cut it: the tensors shared out in order over
     * {@code partCount} parts, all metadata in the first part, and the split keys in every part.
     */
    public List<GgufWriter> split(int partCount) {
        if (partCount < 1 || partCount > tensors.size()) {
            throw new IllegalArgumentException("cannot split " + tensors.size() + " tensors into " + partCount + " parts");
        }
        List<GgufWriter> parts = new ArrayList<>();
        for (int part = 0; part < partCount; part++) {
            GgufWriter writer = new GgufWriter();
            writer.version = version;
            writer.byteOrder = byteOrder;
            writer.withTensorData = withTensorData;
            if (part == 0) {
                writer.metadata.putAll(metadata);
            } else if (metadata.containsKey("general.alignment")) {
                writer.metadata.put("general.alignment", metadata.get("general.alignment"));
            }
            writer.alignment = alignment;
            writer.splitPart(part, partCount, tensors.size());
            int from = part * tensors.size() / partCount;
            int to = (part + 1) * tensors.size() / partCount;
            writer.tensors.addAll(tensors.subList(from, to));
            parts.add(writer);
        }
        return parts;
    }

    /** Writes {@link #split(int)} as {@code baseName-00001-of-00003.gguf} ... and returns the paths in order. */
    public List<Path> writeSplit(Path directory, String baseName, int partCount) {
        List<GgufWriter> parts = split(partCount);
        List<Path> paths = new ArrayList<>();
        for (int part = 0; part < partCount; part++) {
            paths.add(parts.get(part).writeTo(directory.resolve(splitFileName(baseName, part, partCount))));
        }
        return paths;
    }

    /** llama.cpp's {@code llama_split_path} naming: {@code NAME-00001-of-00003.gguf} for the first of three. */
    public static String splitFileName(String baseName, int index, int count) {
        return String.format(Locale.ROOT, "%s-%05d-of-%05d.gguf", baseName, index + 1, count);
    }

    // ---------------------------------------------------------------- encoding

    private void write(GgufBytes out, boolean data) {
        writeHeader(out);
        out.padTo(alignment);
        if (!data) {
            return;
        }
        long dataStart = out.position();
        for (long[] placement : placements()) {
            long gap = placement[0] - (out.position() - dataStart);
            if (gap < 0) {
                throw new IllegalStateException("tensors overlap at offset " + placement[0]);
            }
            out.zeros(gap).zeros(placement[1]).padTo(alignment);
        }
    }

    private void writeHeader(GgufBytes out) {
        out.magic().u32(version).u64(tensors.size()).u64(metadata.size());
        for (Map.Entry<String, Value> entry : metadata.entrySet()) {
            out.string(entry.getKey()).valueType(entry.getValue().type());
            entry.getValue().body().accept(out);
        }
        long[][] placements = placements();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor tensor = tensors.get(i);
            out.string(tensor.name).u32(tensor.dimensions.length);
            for (long dimension : tensor.dimensions) {
                out.u64(dimension);
            }
            out.u32(tensor.ggmlType).u64(placements[i][0]);
        }
    }

    /** For each tensor, its data offset and size, the offsets aligned as gguf-py aligns them. */
    private long[][] placements() {
        long[][] placements = new long[tensors.size()][];
        long next = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor tensor = tensors.get(i);
            long size = tensorBytes(tensor.ggmlType, tensor.dimensions);
            long offset = tensor.offset >= 0 ? tensor.offset : align(next);
            placements[i] = new long[] {offset, size};
            next = size > Long.MAX_VALUE - offset - alignment ? Long.MAX_VALUE - alignment : offset + size;
        }
        return placements;
    }

    private long align(long offset) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private record Value(MetadataType type, Consumer<GgufBytes> body) {
    }

    private record Tensor(String name, int ggmlType, long[] dimensions, long offset) {
    }
}

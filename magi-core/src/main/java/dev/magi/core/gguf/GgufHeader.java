package dev.magi.core.gguf;

import java.nio.ByteOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a GGUF file's header says: its version and byte order, its metadata in file order, its tensor
 * infos and where the tensor data starts. Immutable.
 *
 * <p>Metadata values are {@link Long} for every integer width (a {@code uint64} above
 * {@link Long#MAX_VALUE} is a {@link java.math.BigInteger}, never a wrapped negative number),
 * {@link Double} for both float widths, {@link Boolean}, {@link String}, and {@link GgufArray}.
 */
public final class GgufHeader {
    private static final String FILE_TYPE_KEY = "general.file_type";

    private final int version;
    private final ByteOrder byteOrder;
    private final Map<String, Object> metadata;
    private final List<TensorInfo> tensors;
    private final long tensorDataOffset;
    private final long parameterCount;

    /**
     * @throws IllegalArgumentException when the tensors hold more than {@link Long#MAX_VALUE}
     *                                  elements together, or an argument is out of range
     */
    public GgufHeader(int version, ByteOrder byteOrder, Map<String, Object> metadata, List<TensorInfo> tensors,
                      long tensorDataOffset) {
        this.version = version;
        this.byteOrder = Objects.requireNonNull(byteOrder, "byteOrder");
        // Map.copyOf would lose the file order, which callers (and llama.cpp's own dumps) rely on.
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
        this.tensors = List.copyOf(tensors);
        if (tensorDataOffset < 0) {
            throw new IllegalArgumentException("tensorDataOffset must not be negative: " + tensorDataOffset);
        }
        this.tensorDataOffset = tensorDataOffset;
        this.parameterCount = sumOfElements(this.tensors);
    }

    /** The GGUF version: 2 or 3 for every header {@link GgufReader} returns. */
    public int version() {
        return version;
    }

    /** The byte order of every number in the file. */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** Every key and value, in the order of the file; unmodifiable. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The value of a string key; empty when absent or not a string. */
    public Optional<String> string(String key) {
        return metadata.get(key) instanceof String text ? Optional.of(text) : Optional.empty();
    }

    /**
     * The value of an integer key of any width, signed or not; empty when absent, not an integer,
     * or a {@code uint64} too large for a {@code long}.
     */
    public OptionalLong integer(String key) {
        return metadata.get(key) instanceof Long number ? OptionalLong.of(number) : OptionalLong.empty();
    }

    /** The value of an array key; empty when absent or not an array. */
    public Optional<GgufArray> array(String key) {
        return metadata.get(key) instanceof GgufArray array ? Optional.of(array) : Optional.empty();
    }

    /** {@code general.architecture}, such as {@code llama} or {@code qwen3}. */
    public Optional<String> architecture() {
        return string("general.architecture");
    }

    /** The tensor infos, in file order; unmodifiable. */
    public List<TensorInfo> tensors() {
        return tensors;
    }

    /** The absolute, aligned offset in the file at which tensor data starts. */
    public long tensorDataOffset() {
        return tensorDataOffset;
    }

    /** The sum over all tensors of their element counts. */
    public long parameterCount() {
        return parameterCount;
    }

    /**
     * {@code general.file_type} as its llama.cpp name in lower case ({@code 15} is {@code q4_k_m});
     * empty when the key is absent or its value is not a file type llama.cpp defines.
     */
    public Optional<String> fileTypeName() {
        OptionalLong id = integer(FILE_TYPE_KEY);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return LlamaFileType.fromId(id.getAsLong()).map(LlamaFileType::lowerCaseName);
    }

    /**
     * The model's quantization: {@link #fileTypeName()} when the header declares it, else the name
     * of the tensor type that holds the most elements ({@code f32} for an all-F32 model). Weighing
     * by elements rather than counting tensors keeps the many small 1-D norm tensors, which stay in
     * F32 in every quantized model, from outvoting the weights. Empty when there are no tensors or
     * none has a known type.
     */
    public Optional<String> quantization() {
        Optional<String> declared = fileTypeName();
        if (declared.isPresent()) {
            return declared;
        }
        return dominantTensorType().map(GgmlType::lowerCaseName);
    }

    private Optional<GgmlType> dominantTensorType() {
        Map<GgmlType, long[]> weights = new LinkedHashMap<>();
        for (TensorInfo tensor : tensors) {
            GgmlType type = GgmlType.byId(tensor.ggmlType());
            if (type != null) {
                long[] weight = weights.computeIfAbsent(type, t -> new long[2]);
                weight[0] += tensor.elementCount();
                weight[1]++;
            }
        }
        GgmlType best = null;
        long[] bestWeight = null;
        for (Map.Entry<GgmlType, long[]> entry : weights.entrySet()) {
            long[] weight = entry.getValue();
            // Ties go to the type seen first; equal element counts (all-empty tensors) fall back to tensor counts.
            if (bestWeight == null || weight[0] > bestWeight[0]
                    || (weight[0] == bestWeight[0] && weight[1] > bestWeight[1])) {
                best = entry.getKey();
                bestWeight = weight;
            }
        }
        return Optional.ofNullable(best);
    }

    private static long sumOfElements(List<TensorInfo> tensors) {
        long sum = 0;
        for (TensorInfo tensor : tensors) {
            try {
                sum = Math.addExact(sum, tensor.elementCount());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("the tensors hold more than " + Long.MAX_VALUE + " elements", e);
            }
        }
        return sum;
    }

    @Override
    public String toString() {
        return "GgufHeader[version " + version + ", " + byteOrder + ", " + metadata.size() + " keys, "
                + tensors.size() + " tensors, " + parameterCount + " parameters, data at " + tensorDataOffset + "]";
    }
}

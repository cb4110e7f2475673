package dev.magi.core.gguf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads GGUF headers (gguf.md, versions 2 and 3) safely and fast.
 *
 * <p>Safe: the file is assumed hostile. Every length and count is checked against the bytes left in
 * the file before anything is allocated for it; strings are limited to {@value #MAX_STRING_BYTES}
 * bytes, tensors to {@value TensorInfo#MAX_DIMENSIONS} dimensions, array nesting to
 * {@value #MAX_ARRAY_NESTING} levels, and everything the header keeps in memory to an estimated
 * {@value #MAX_RETAINED_BYTES} bytes. Whatever is wrong ends in a {@link GgufFormatException}.
 *
 * <p>Fast: the file is read through one window buffer, arrays of more than
 * {@value #MAX_KEPT_ARRAY_VALUES} elements are skipped without creating an object per element
 * (fixed-size ones by a single jump, strings one length prefix at a time), and tensor data is never
 * read.
 */
public final class GgufReader {
    /** The longest string the reader accepts; llama.cpp's longest real values (chat templates) are far shorter. */
    public static final int MAX_STRING_BYTES = 16 * 1024 * 1024;
    /** Arrays with more elements than this are skipped: their {@link GgufArray#values()} are null. */
    public static final int MAX_KEPT_ARRAY_VALUES = 64;
    /** Real files nest arrays one level at most; the bound keeps a hostile file from exhausting the stack. */
    public static final int MAX_ARRAY_NESTING = 8;
    /**
     * An estimate of the heap a header may occupy. Each check against the file's size bounds what the
     * file can claim, but not what millions of tiny keys or tensors would cost once turned into
     * objects; real headers keep well under a megabyte.
     */
    public static final long MAX_RETAINED_BYTES = 64L * 1024 * 1024;

    static final int DEFAULT_ALIGNMENT = 32;
    private static final String ALIGNMENT_KEY = "general.alignment";
    private static final byte[] MAGIC = {'G', 'G', 'U', 'F'};
    /** The largest alignment accepted; ggml uses 32, and anything near this is already absurd. */
    private static final long MAX_ALIGNMENT = 1L << 30;
    /** A key's length prefix, a value type and the smallest value (one byte). */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    /** A name's length prefix, n_dims, the type and the offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;
    /** Rough heap cost of one kept object beyond its content: header, reference, map or list slot. */
    private static final int OBJECT_OVERHEAD = 48;

    private final GgufInput in;
    private long retained;

    private GgufReader(GgufInput in) {
        this.in = in;
    }

    /**
     * Reads the header of a GGUF file; never reads tensor data.
     *
     * @throws GgufFormatException when the file is not a well-formed GGUF version 2 or 3 header
     * @throws IOException         when the file cannot be read
     */
    public static GgufHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             GgufInput in = new GgufInput(channel, channel.size())) {
            try {
                return new GgufReader(in).readHeader();
            } catch (RuntimeException e) {
                // readHeader checks every length and count before using it; this keeps a check it
                // misses from escaping a scan as anything but a format error.
                throw new GgufFormatException("malformed header while reading " + in.describeReading() + ": " + e,
                        in.position(), e);
            }
        }
    }

    private GgufHeader readHeader() throws IOException {
        readMagic();
        int version = readVersion();
        in.reading("the tensor count", null);
        long tensorCount = in.i64();
        in.reading("the metadata key/value count", null);
        long kvCount = in.i64();
        checkCounts(tensorCount, kvCount);

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long entryOffset = in.position();
            in.reading("the key of metadata entry " + i, null);
            String key = readString();
            in.reading("the value type of", key);
            long typeId = in.u32();
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw new GgufFormatException("unknown value type " + typeId + " for key '" + key + "'",
                        in.position() - 4);
            }
            in.reading("the value of", key);
            Object value = readValue(type, key, 0);
            retain(OBJECT_OVERHEAD);
            if (metadata.putIfAbsent(key, value) != null) {
                throw new GgufFormatException("duplicate metadata key '" + key + "'", entryOffset);
            }
        }
        long alignment = alignment(metadata);

        List<TensorInfo> tensors = new ArrayList<>((int) Math.min(tensorCount, 1024));
        long parameters = 0;
        for (long i = 0; i < tensorCount; i++) {
            TensorInfo tensor = readTensorInfo(i);
            tensors.add(tensor);
            try {
                parameters = Math.addExact(parameters, tensor.elementCount());
            } catch (ArithmeticException e) {
                throw new GgufFormatException("the tensors up to '" + tensor.name() + "' hold more than "
                        + Long.MAX_VALUE + " elements together", in.position());
            }
        }
        long endOfInfos = in.position();
        long dataOffset = (endOfInfos + alignment - 1) / alignment * alignment;
        return new GgufHeader(version, in.order(), metadata, tensors, dataOffset);
    }

    private void readMagic() throws IOException {
        if (in.fileSize() == 0) {
            throw new GgufFormatException("truncated file: the file is empty, so it has no GGUF header", 0);
        }
        in.reading("the magic", null);
        byte[] magic = new byte[4];
        for (int i = 0; i < magic.length; i++) {
            magic[i] = in.i8();
        }
        if (magic[0] != MAGIC[0] || magic[1] != MAGIC[1] || magic[2] != MAGIC[2] || magic[3] != MAGIC[3]) {
            throw new GgufFormatException(String.format("not a GGUF file: the magic is %02x %02x %02x %02x,"
                            + " expected 47 47 55 46 (\"GGUF\")", magic[0], magic[1], magic[2], magic[3]), 0);
        }
    }

    /** Reads the version and, from it, the byte order: a big-endian file's version reads as 0x03000000. */
    private int readVersion() throws IOException {
        in.reading("the version", null);
        in.order(ByteOrder.LITTLE_ENDIAN);
        int little = in.i32();
        int big = Integer.reverseBytes(little);
        if (isSupported(little)) {
            return little;
        }
        if (isSupported(big)) {
            in.order(ByteOrder.BIG_ENDIAN);
            return big;
        }
        long shown = Math.min(Integer.toUnsignedLong(little), Integer.toUnsignedLong(big));
        String reason = shown == 1 ? " (version 1 used 32-bit counts)" : "";
        throw new GgufFormatException("unsupported GGUF version " + shown + reason + "; versions 2 and 3 are read",
                4);
    }

    private static boolean isSupported(int version) {
        return version == 2 || version == 3;
    }

    private void checkCounts(long tensorCount, long kvCount) throws GgufFormatException {
        long left = in.remaining();
        if (kvCount < 0 || kvCount > left / MIN_KV_BYTES) {
            throw new GgufFormatException("truncated or corrupt file: metadata key/value count "
                    + Long.toUnsignedString(kvCount)
                    + " cannot fit in the " + left + " bytes left in the file (a pair takes at least "
                    + MIN_KV_BYTES + " bytes)", 16);
        }
        long leftForTensors = left - kvCount * MIN_KV_BYTES;
        if (tensorCount < 0 || tensorCount > leftForTensors / MIN_TENSOR_INFO_BYTES) {
            throw new GgufFormatException("truncated or corrupt file: tensor count "
                    + Long.toUnsignedString(tensorCount)
                    + " cannot fit in the " + left + " bytes left in the file (with " + kvCount
                    + " metadata pairs; a tensor info takes at least " + MIN_TENSOR_INFO_BYTES + " bytes)", 8);
        }
    }

    private Object readValue(GgufValueType type, String key, int depth) throws IOException {
        retain(OBJECT_OVERHEAD);
        return switch (type) {
            case UINT8 -> (long) in.u8();
            case INT8 -> (long) in.i8();
            case UINT16 -> (long) (in.i16() & 0xFFFF);
            case INT16 -> (long) in.i16();
            case UINT32 -> in.u32();
            case INT32 -> (long) in.i32();
            case UINT64 -> unsigned(in.i64());
            case INT64 -> in.i64();
            case FLOAT32 -> (double) in.f32();
            case FLOAT64 -> in.f64();
            case BOOL -> in.u8() != 0;
            case STRING -> readString();
            case ARRAY -> readArray(key, depth + 1);
        };
    }

    private static Object unsigned(long value) {
        if (value >= 0) {
            return value;
        }
        return new BigInteger(Long.toUnsignedString(value));
    }

    private GgufArray readArray(String key, int depth) throws IOException {
        GgufValueType elementType = readArrayHeaderType(key, depth);
        long count = readArrayCount(elementType, key);
        if (count > MAX_KEPT_ARRAY_VALUES) {
            skipElements(elementType, count, key, depth);
            return new GgufArray(elementType, count, null);
        }
        List<Object> values = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            values.add(readValue(elementType, key, depth));
        }
        return new GgufArray(elementType, count, values);
    }

    private GgufValueType readArrayHeaderType(String key, int depth) throws IOException {
        if (depth > MAX_ARRAY_NESTING) {
            throw new GgufFormatException("arrays in '" + key + "' are nested more than " + MAX_ARRAY_NESTING
                    + " levels deep", in.position());
        }
        long typeId = in.u32();
        GgufValueType elementType = GgufValueType.byId(typeId);
        if (elementType == null) {
            throw new GgufFormatException("unknown array element type " + typeId + " in '" + key + "'",
                    in.position() - 4);
        }
        return elementType;
    }

    private long readArrayCount(GgufValueType elementType, String key) throws IOException {
        long count = in.i64();
        long left = in.remaining();
        if (count < 0 || count > left / elementType.minimumSize()) {
            throw new GgufFormatException("truncated or corrupt file: array count "
                    + Long.toUnsignedString(count) + " of '" + key
                    + "' cannot fit in the " + left + " bytes left in the file (a " + elementType
                    + " element takes at least " + elementType.minimumSize() + " bytes)", in.position() - 8);
        }
        return count;
    }

    /** Moves past {@code count} elements without keeping them; the caller has checked that they can fit. */
    private void skipElements(GgufValueType elementType, long count, String key, int depth) throws IOException {
        if (elementType.isFixedSize()) {
            in.skip(count * elementType.minimumSize());
        } else if (elementType == GgufValueType.STRING) {
            in.skipStrings(count, MAX_STRING_BYTES);
        } else {
            for (long i = 0; i < count; i++) {
                GgufValueType nestedType = readArrayHeaderType(key, depth + 1);
                long nestedCount = readArrayCount(nestedType, key);
                skipElements(nestedType, nestedCount, key, depth + 1);
            }
        }
    }

    private String readString() throws IOException {
        int length = in.stringLength(MAX_STRING_BYTES);
        retain(OBJECT_OVERHEAD + (long) length);
        return in.utf8(length);
    }

    private TensorInfo readTensorInfo(long index) throws IOException {
        in.reading("the name of tensor " + index, null);
        String name = readString();
        in.reading("the dimension count of tensor", name);
        long dimensionCount = in.u32();
        if (dimensionCount > TensorInfo.MAX_DIMENSIONS) {
            throw new GgufFormatException("tensor '" + name + "' has " + dimensionCount + " dimensions; at most "
                    + TensorInfo.MAX_DIMENSIONS + " are allowed", in.position() - 4);
        }
        in.reading("the dimensions of tensor", name);
        long[] dimensions = new long[(int) dimensionCount];
        long elements = 1;
        for (int d = 0; d < dimensions.length; d++) {
            long dimension = in.i64();
            if (dimension < 0) {
                throw new GgufFormatException("dimension " + d + " of tensor '" + name + "' is "
                        + Long.toUnsignedString(dimension) + ", more than " + Long.MAX_VALUE, in.position() - 8);
            }
            dimensions[d] = dimension;
            try {
                elements = Math.multiplyExact(elements, dimension);
            } catch (ArithmeticException e) {
                throw new GgufFormatException("the dimensions of tensor '" + name + "' multiply to more than "
                        + Long.MAX_VALUE + " elements", in.position() - 8);
            }
        }
        in.reading("the type of tensor", name);
        int type = in.i32();
        in.reading("the data offset of tensor", name);
        long offset = in.i64();
        if (offset < 0) {
            throw new GgufFormatException("the data offset of tensor '" + name + "' is "
                    + Long.toUnsignedString(offset) + ", more than " + Long.MAX_VALUE, in.position() - 8);
        }
        retain(OBJECT_OVERHEAD * 2L + 8L * dimensions.length);
        return new TensorInfo(name, dimensions, type, offset);
    }

    private long alignment(Map<String, Object> metadata) throws GgufFormatException {
        Object value = metadata.get(ALIGNMENT_KEY);
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (value instanceof Long alignment && alignment > 0 && alignment <= MAX_ALIGNMENT
                && Long.bitCount(alignment) == 1) {
            return alignment;
        }
        throw new GgufFormatException(ALIGNMENT_KEY + " is " + value + "; it must be a power of two from 1 to "
                + MAX_ALIGNMENT, in.position());
    }

    private void retain(long bytes) throws GgufFormatException {
        retained += bytes;
        if (retained > MAX_RETAINED_BYTES) {
            throw new GgufFormatException("the header holds more than " + MAX_RETAINED_BYTES / (1024 * 1024)
                    + " MiB of keys, values and tensor infos, far more than any model needs", in.position());
        }
    }
}

package dev.magi.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Low-level GGUF encoding: numbers in a chosen byte order, length-prefixed strings, padding. It
 * writes whatever it is told, including lengths and counts that lie, which is how the reader's
 * tests build hostile files; {@link GgufWriter} builds well-formed ones on top of it.
 *
 * <pre>{@code
 * byte[] hostile = GgufBytes.littleEndian().magic().u32(3).u64(0).u64(1)
 *         .string("general.name").valueType(MetadataType.STRING).u64(1L << 62)
 *         .toByteArray();
 * }</pre>
 */
public final class GgufBytes {
    private static final int CHUNK = 64 * 1024;

    private final OutputStream sink;
    private final ByteArrayOutputStream memory;
    private final ByteBuffer chunk;
    private long flushed;

    private GgufBytes(OutputStream sink, ByteArrayOutputStream memory, ByteOrder order) {
        this.sink = sink;
        this.memory = memory;
        this.chunk = ByteBuffer.allocate(CHUNK).order(order);
    }

    /** An in-memory encoder; see {@link #toByteArray()}. */
    public static GgufBytes of(ByteOrder order) {
        ByteArrayOutputStream memory = new ByteArrayOutputStream();
        return new GgufBytes(memory, memory, order);
    }

    public static GgufBytes littleEndian() {
        return of(ByteOrder.LITTLE_ENDIAN);
    }

    public static GgufBytes bigEndian() {
        return of(ByteOrder.BIG_ENDIAN);
    }

    /** An encoder that streams to {@code out}; call {@link #flush()} when done. */
    public static GgufBytes to(OutputStream out, ByteOrder order) {
        return new GgufBytes(out, null, order);
    }

    public ByteOrder order() {
        return chunk.order();
    }

    /** The number of bytes written so far. */
    public long position() {
        return flushed + chunk.position();
    }

    /** The four bytes {@code GGUF}, which are the same in both byte orders. */
    public GgufBytes magic() {
        return raw('G', 'G', 'U', 'F');
    }

    public GgufBytes raw(byte... bytes) {
        for (int start = 0; start < bytes.length; ) {
            room(1);
            int length = Math.min(chunk.remaining(), bytes.length - start);
            chunk.put(bytes, start, length);
            start += length;
        }
        return this;
    }

    /** Raw bytes given as ints, so that {@code raw(0x47, 0xFF)} needs no casts. */
    public GgufBytes raw(int... bytes) {
        for (int b : bytes) {
            u8(b);
        }
        return this;
    }

    public GgufBytes u8(int value) {
        room(1).put((byte) value);
        return this;
    }

    public GgufBytes i8(int value) {
        return u8(value);
    }

    public GgufBytes u16(int value) {
        room(2).putShort((short) value);
        return this;
    }

    public GgufBytes i16(int value) {
        return u16(value);
    }

    /** The low 32 bits of {@code value}, so that uint32 values above {@link Integer#MAX_VALUE} fit. */
    public GgufBytes u32(long value) {
        room(4).putInt((int) value);
        return this;
    }

    public GgufBytes i32(int value) {
        room(4).putInt(value);
        return this;
    }

    /** The 64 bits of {@code value}; a uint64 above {@link Long#MAX_VALUE} is passed as its negative bits. */
    public GgufBytes u64(long value) {
        room(8).putLong(value);
        return this;
    }

    public GgufBytes i64(long value) {
        return u64(value);
    }

    public GgufBytes f32(float value) {
        room(4).putFloat(value);
        return this;
    }

    public GgufBytes f64(double value) {
        room(8).putDouble(value);
        return this;
    }

    public GgufBytes bool(boolean value) {
        return u8(value ? 1 : 0);
    }

    public GgufBytes valueType(MetadataType type) {
        return u32(type.id());
    }

    /**
     * A value of {@code type} given as a Java object, as {@link GgufWriter#put(String, MetadataType, Object)}
     * takes it: a {@link Number}, a {@link Boolean}, a {@link String} (or {@code byte[]} for raw string
     * bytes), or a {@link GgufWriter.Array}.
     */
    public GgufBytes value(MetadataType type, Object value) {
        switch (type) {
            case UINT8, INT8 -> u8(((Number) value).intValue());
            case UINT16, INT16 -> u16(((Number) value).intValue());
            case UINT32, INT32 -> u32(((Number) value).longValue());
            case UINT64, INT64 -> u64(((Number) value).longValue());
            case FLOAT32 -> f32(((Number) value).floatValue());
            case FLOAT64 -> f64(((Number) value).doubleValue());
            case BOOL -> bool((Boolean) value);
            case STRING -> {
                if (value instanceof byte[] raw) {
                    stringBytes(raw);
                } else {
                    string((String) value);
                }
            }
            case ARRAY -> array((GgufWriter.Array) value);
        }
        return this;
    }

    /** An array value: its element type, its count, then its elements. */
    public GgufBytes array(GgufWriter.Array array) {
        valueType(array.elementType()).u64(array.elements().size());
        for (Object element : array.elements()) {
            value(array.elementType(), element);
        }
        return this;
    }

    /** A GGUF string: its UTF-8 length as uint64, then the bytes. */
    public GgufBytes string(String value) {
        return stringBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A GGUF string made of arbitrary bytes (malformed UTF-8, for instance). */
    public GgufBytes stringBytes(byte[] bytes) {
        u64(bytes.length);
        return raw(bytes);
    }

    public GgufBytes zeros(long count) {
        for (long left = count; left > 0; ) {
            room(1);
            int length = (int) Math.min(chunk.remaining(), left);
            // A flushed chunk still holds its old bytes, so zero them explicitly.
            Arrays.fill(chunk.array(), chunk.position(), chunk.position() + length, (byte) 0);
            chunk.position(chunk.position() + length);
            left -= length;
        }
        return this;
    }

    /** Zeros up to the next multiple of {@code alignment}, as GGUF pads before tensor data. */
    public GgufBytes padTo(long alignment) {
        long misalignment = position() % alignment;
        return misalignment == 0 ? this : zeros(alignment - misalignment);
    }

    /** Everything written so far; only for encoders made by {@link #of(ByteOrder)}. */
    public byte[] toByteArray() {
        if (memory == null) {
            throw new IllegalStateException("this encoder streams to an OutputStream");
        }
        flush();
        return memory.toByteArray();
    }

    /** Writes {@link #toByteArray()} to {@code file} and returns the file. */
    public Path writeTo(Path file) {
        try {
            return Files.write(file, toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public GgufBytes flush() {
        try {
            sink.write(chunk.array(), 0, chunk.position());
            sink.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        flushed += chunk.position();
        chunk.clear();
        return this;
    }

    private ByteBuffer room(int bytes) {
        if (chunk.remaining() < bytes) {
            flush();
        }
        return chunk;
    }
}

package dev.magi.core.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A window of a file, read through a {@link FileChannel} into one reusable buffer and refilled as
 * the reader moves on. Skipping is position arithmetic: bytes that are skipped past the window are
 * never read, which is what keeps a header with a 150,000-token vocabulary cheap.
 *
 * <p>Every read first checks that the file still holds the bytes it needs, so a truncated file
 * ends in a {@link GgufFormatException} naming what was being read, not in a buffer underflow.
 */
final class GgufInput implements AutoCloseable {
    /**
     * Big enough that a vocabulary costs a few dozen reads, small enough to stay in a core's cache:
     * the fastest of 64 KiB, 256 KiB and 1 MiB on a Qwen-sized header.
     */
    static final int WINDOW_SIZE = 256 * 1024;

    /**
     * Direct windows, reused across files: a heap buffer would make every channel read copy through
     * the JDK's own temporary direct buffer, which costs as much again as the read. A small shared
     * pool rather than one per thread, so that many short-lived threads do not each pin one.
     */
    private static final BlockingQueue<ByteBuffer> WINDOWS =
            new ArrayBlockingQueue<>(Math.max(2, Runtime.getRuntime().availableProcessors()));

    private final FileChannel channel;
    private final long fileSize;
    private final ByteBuffer window;
    /** Scratch for decoding short strings out of the direct window. */
    private byte[] text = new byte[256];
    /** The file offset of {@code window}'s index 0. */
    private long windowStart;
    /** What is being read, for messages; set by the reader, never formatted unless something fails. */
    private String what = "the header";
    private String whatName;

    GgufInput(FileChannel channel, long fileSize) {
        this.channel = channel;
        this.fileSize = fileSize;
        ByteBuffer pooled = WINDOWS.poll();
        this.window = pooled != null ? pooled : ByteBuffer.allocateDirect(WINDOW_SIZE);
        this.window.order(ByteOrder.LITTLE_ENDIAN).clear().limit(0);
    }

    /** Returns the window to the pool; this input must not be used afterwards. */
    @Override
    public void close() {
        WINDOWS.offer(window);
    }

    void order(ByteOrder order) {
        window.order(order);
    }

    ByteOrder order() {
        return window.order();
    }

    /** Names what the following reads are for; {@code name} is quoted in messages when not null. */
    void reading(String what, String name) {
        this.what = what;
        this.whatName = name;
    }

    String describeReading() {
        return whatName == null ? what : what + " '" + whatName + "'";
    }

    long fileSize() {
        return fileSize;
    }

    long position() {
        return windowStart + window.position();
    }

    long remaining() {
        return fileSize - position();
    }

    int u8() throws IOException {
        ensure(1);
        return window.get() & 0xFF;
    }

    byte i8() throws IOException {
        ensure(1);
        return window.get();
    }

    short i16() throws IOException {
        ensure(2);
        return window.getShort();
    }

    int i32() throws IOException {
        ensure(4);
        return window.getInt();
    }

    long u32() throws IOException {
        return Integer.toUnsignedLong(i32());
    }

    long i64() throws IOException {
        ensure(8);
        return window.getLong();
    }

    float f32() throws IOException {
        ensure(4);
        return window.getFloat();
    }

    double f64() throws IOException {
        ensure(8);
        return window.getDouble();
    }

    /** The next {@code length} bytes as UTF-8; malformed sequences become U+FFFD, as in llama.cpp's tools. */
    String utf8(int length) throws IOException {
        if (length <= window.capacity()) {
            ensure(length);
            if (text.length < length) {
                text = new byte[Math.max(length, text.length * 2)];
            }
            window.get(text, 0, length);
            return new String(text, 0, length, StandardCharsets.UTF_8);
        }
        // Longer than the window (a long chat template): read it whole, once, into its own array.
        long start = position();
        if (length > fileSize - start) {
            throw truncated(length);
        }
        byte[] whole = new byte[length];
        int buffered = window.remaining();
        window.get(whole, 0, buffered);
        ByteBuffer rest = ByteBuffer.wrap(whole, buffered, length - buffered);
        while (rest.hasRemaining()) {
            if (channel.read(rest, start + rest.position()) <= 0) {
                throw truncated(length);
            }
        }
        windowStart = start + length;
        window.clear().limit(0);
        return new String(whole, StandardCharsets.UTF_8);
    }

    /**
     * Reads a string's length prefix and checks it: at most {@code maxLength}, and no more than the
     * file has left.
     */
    int stringLength(int maxLength) throws IOException {
        long length = i64();
        if (length >= 0 && length <= maxLength && length <= remaining()) {
            return (int) length;
        }
        throw badStringLength(length, maxLength);
    }

    /**
     * Moves past {@code count} strings, checking each length as {@link #stringLength(int)} does. The
     * loop for a vocabulary's 150,000 tokens: while a string lies within the window, skipping it is
     * one bounds check and one position update.
     */
    void skipStrings(long count, int maxLength) throws IOException {
        ByteBuffer w = window;
        for (long i = 0; i < count; i++) {
            if (w.remaining() < Long.BYTES) {
                refill(Long.BYTES);
            }
            int at = w.position();
            long length = w.getLong(at);
            int afterPrefix = at + Long.BYTES;
            w.position(afterPrefix);
            if (length >= 0 && length <= w.limit() - afterPrefix && length <= maxLength) {
                w.position(afterPrefix + (int) length);
            } else if (length >= 0 && length <= maxLength && length <= remaining()) {
                skip(length);
            } else {
                throw badStringLength(length, maxLength);
            }
        }
    }

    private GgufFormatException badStringLength(long length, int maxLength) {
        long at = position() - Long.BYTES;
        String declared = Long.toUnsignedString(length);
        if (length < 0 || length > maxLength) {
            return new GgufFormatException("string length " + declared + " of " + describeReading()
                    + " is over the limit of " + maxLength + " bytes (" + (maxLength >> 20) + " MiB)", at);
        }
        return new GgufFormatException("truncated or corrupt file: string length " + declared + " of "
                + describeReading() + " is more than the " + remaining() + " bytes left in the file", at);
    }

    void skip(long count) throws GgufFormatException {
        if (count <= window.remaining()) {
            window.position(window.position() + (int) count);
            return;
        }
        long target = position() + count;
        if (count > remaining()) {
            throw truncated(count);
        }
        windowStart = target;
        window.clear().limit(0);
    }

    /** Makes the next {@code count} bytes (at most the window's size) readable from the window. */
    private void ensure(int count) throws IOException {
        if (window.remaining() < count) {
            refill(count);
        }
    }

    private void refill(int count) throws IOException {
        long start = position();
        if (count > fileSize - start) {
            throw truncated(count);
        }
        window.compact();
        windowStart = start;
        while (window.position() < count) {
            // A file that shrinks while it is read (a download being replaced) ends here, not in a loop.
            if (channel.read(window, windowStart + window.position()) <= 0) {
                window.flip();
                throw truncated(count);
            }
        }
        window.flip();
    }

    GgufFormatException truncated(long needed) {
        long at = position();
        return new GgufFormatException("truncated file: " + describeReading() + " needs " + needed
                + " bytes but only " + Math.max(0, fileSize - at) + " of the file's " + fileSize
                + " bytes are left", at);
    }
}

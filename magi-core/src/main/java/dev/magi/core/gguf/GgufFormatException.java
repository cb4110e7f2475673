package dev.magi.core.gguf;

import java.io.IOException;

/**
 * A file is not a GGUF file MAGI can read: bad magic, an unsupported version, a length or count the
 * file cannot hold, or a header cut short. The message says what is wrong and at which byte offset,
 * so a scan can report it next to the file's name without further context.
 */
public class GgufFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    public GgufFormatException(String problem, long offset) {
        this(problem, offset, null);
    }

    public GgufFormatException(String problem, long offset, Throwable cause) {
        super(problem + " (at byte offset " + offset + ")", cause);
        this.offset = offset;
    }

    /** The byte offset in the file at which the problem was found. */
    public long offset() {
        return offset;
    }
}

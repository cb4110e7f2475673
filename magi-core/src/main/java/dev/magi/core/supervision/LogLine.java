package dev.magi.core.supervision;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;

import java.time.Instant;
import java.util.Objects;

/**
 * One line a server wrote, as kept for {@code /logs}.
 *
 * @param timestamp when MAGI read it
 * @param stream    {@value #STDOUT} or {@value #STDERR} for what the server wrote, {@value #MAGI} for what
 *                  MAGI says about it (a start, an exit, a restart, the lines a slow follower lost), so
 *                  one log tells the whole story
 * @param line      the text, without its line break
 */
public record LogLine(
        @JsonSerialize(using = ToStringSerializer.class) Instant timestamp,
        String stream,
        String line) {
    public static final String STDOUT = "stdout";
    public static final String STDERR = "stderr";
    public static final String MAGI = "magi";

    public LogLine {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(line, "line");
        if (!STDOUT.equals(stream) && !STDERR.equals(stream) && !MAGI.equals(stream)) {
            throw new IllegalArgumentException("stream must be stdout, stderr or magi, got " + stream);
        }
    }
}

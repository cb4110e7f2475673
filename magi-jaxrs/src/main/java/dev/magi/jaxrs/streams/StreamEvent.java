package dev.magi.jaxrs.streams;

import java.util.Objects;

/**
 * One thing to send on a stream: a named event whose data is written as JSON, or a comment (which
 * clients ignore; MAGI uses it for keep-alives and notes about the stream itself).
 *
 * @param name    the event's name, null for a comment
 * @param data    the event's data (written as JSON), or the comment's text
 */
public record StreamEvent(String name, Object data) {
    public StreamEvent {
        Objects.requireNonNull(data, "data");
    }

    /** A named event carrying {@code data} as JSON. */
    public static StreamEvent of(String name, Object data) {
        return new StreamEvent(Objects.requireNonNull(name, "name"), data);
    }

    /** A comment line. */
    public static StreamEvent comment(String text) {
        return new StreamEvent(null, text);
    }

    boolean isComment() {
        return name == null;
    }
}

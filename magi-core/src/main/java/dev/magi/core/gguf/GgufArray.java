package dev.magi.core.gguf;

import java.util.List;
import java.util.Objects;

/**
 * An array value of GGUF metadata. Small arrays keep their elements (as the same Java types as
 * single values); large ones, such as a tokenizer's 150,000 tokens, are skipped while reading and
 * keep only their type and count, because a header scan never needs them and decoding them would
 * cost more than the rest of the header.
 *
 * @param elementType the type of every element
 * @param count       the number of elements the file declares
 * @param values      the elements, or {@code null} when the reader skipped them
 */
public record GgufArray(GgufValueType elementType, long count, List<Object> values) {

    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        if (values != null) {
            values = List.copyOf(values);
            if (values.size() != count) {
                throw new IllegalArgumentException("count " + count + " but " + values.size() + " values");
            }
        }
    }

    /** Whether the elements were kept; {@code false} when the reader skipped them. */
    public boolean hasValues() {
        return values != null;
    }
}

package dev.magi.core.profile.format;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;

import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a profile's YAML came from, and the one place that words its problems: every message starts
 * with this source and names the field, with the same error code and details wherever the problem is
 * found. Values are quoted only clipped, since the text may be hostile and huge, and never from a
 * file: a file's text is not the caller's own, so an error must not become a way to read it.
 *
 * @param label    how messages name the source ("Profile", "Profile file 'x.yaml'")
 * @param fileName the file's name for the details, or null when the profile did not come from a file
 */
record ProfileSource(String label, String fileName) {
    private static final int MAX_MESSAGE_TEXT = 60;

    Map<String, Object> details(String field) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (fileName != null) {
            details.put("file", fileName);
        }
        if (field != null) {
            details.put("field", field);
        }
        return details;
    }

    MagiException invalid(String field, String problem, Throwable cause) {
        String subject = field == null ? label : label + ": " + field;
        return new MagiException(ErrorCode.INVALID_PROFILE, subject + " " + problem, details(field), cause);
    }

    MagiException notAllowed(String field, Object value, List<String> allowed) {
        Map<String, Object> details = details(field);
        details.put("allowed", allowed);
        String is = fileName == null ? " is " + show(value) : " has a value that is not allowed";
        return new MagiException(ErrorCode.INVALID_PROFILE,
                label + ": " + field + is + "; expected one of " + String.join(", ", allowed), details);
    }

    MagiException wrongType(String field, Object value, String expected) {
        return invalid(field, "must be " + expected + ", not " + describe(value), null);
    }

    /** A value for a message: {@link #show} for the caller's own text, only its kind for a file's. */
    String describe(Object value) {
        return fileName != null && value instanceof String ? "text" : show(value);
    }

    /** A value as a person would recognise it, never its full text or structure (which may be huge or cyclic). */
    static String show(Object value) {
        if (value == null) {
            return "empty";
        }
        if (value instanceof String text) {
            return "'" + clip(text) + "'";
        }
        if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return d.isNaN() ? ".nan" : d > 0 ? ".inf" : "-.inf";
        }
        if (value instanceof Boolean || value instanceof Number) {
            return clip(value.toString());
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        if (value instanceof Map<?, ?>) {
            return "a map";
        }
        if (value instanceof Collection<?>) {
            return "a set";
        }
        if (value instanceof byte[]) {
            return "binary data";
        }
        if (value instanceof Date) {
            return "a date";
        }
        return "a value of another kind";
    }

    static String clip(String text) {
        return text.length() > MAX_MESSAGE_TEXT ? text.substring(0, MAX_MESSAGE_TEXT) + "..." : text;
    }
}

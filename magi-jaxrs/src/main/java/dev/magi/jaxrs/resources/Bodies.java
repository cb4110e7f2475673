package dev.magi.jaxrs.resources;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.magi.spi.MagiException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reading small JSON command bodies precisely: a missing field, a null and a wrong type are three
 * different answers, each naming the field.
 */
final class Bodies {

    private Bodies() {
    }

    static ObjectNode object(JsonNode body) {
        if (body == null || body.isMissingNode()) {
            throw MagiException.invalidRequest("A JSON object body is required", null);
        }
        if (!body.isObject()) {
            throw MagiException.invalidRequest("The body must be a JSON object", null);
        }
        return (ObjectNode) body;
    }

    static JsonNode required(ObjectNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null) {
            throw MagiException.invalidRequest("Missing field '" + field + "'", field);
        }
        return value;
    }

    static Boolean booleanOrNull(JsonNode value, String field) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw wrongType(field, "true, false or null");
        }
        return value.booleanValue();
    }

    static Integer integerOrNull(JsonNode value, String field) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw wrongType(field, "a whole number or null");
        }
        return value.intValue();
    }

    static int integer(JsonNode value, String field) {
        Integer number = integerOrNull(value, field);
        if (number == null) {
            throw wrongType(field, "a whole number");
        }
        return number;
    }

    static double number(JsonNode value, String field) {
        if (!value.isNumber()) {
            throw wrongType(field, "a number");
        }
        return value.doubleValue();
    }

    static String textOrNull(JsonNode value, String field) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(field, "a string or null");
        }
        return value.textValue();
    }

    /** A JSON array of strings, or null; any other element is a wrong type naming the field. */
    static List<String> textListOrNull(JsonNode value, String field) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            throw wrongType(field, "a list of strings or null");
        }
        List<String> texts = new ArrayList<>();
        for (JsonNode element : value) {
            if (!element.isTextual()) {
                throw MagiException.invalidRequest("Field '" + field + "' must be a list of strings; item "
                        + texts.size() + " is not a string", field);
            }
            texts.add(element.textValue());
        }
        return texts;
    }

    /** A JSON object whose values are all strings, or null; any other value is a wrong type naming the field. */
    static Map<String, String> textMapOrNull(JsonNode value, String field) {
        if (value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw wrongType(field, "an object of strings or null");
        }
        Map<String, String> texts = new LinkedHashMap<>();
        for (var entries = value.fields(); entries.hasNext(); ) {
            var entry = entries.next();
            if (!entry.getValue().isTextual()) {
                throw MagiException.invalidRequest("Field '" + field + "' must be an object of strings; the value of '"
                        + entry.getKey() + "' is not a string", field);
            }
            texts.put(entry.getKey(), entry.getValue().textValue());
        }
        return texts;
    }

    static MagiException wrongType(String field, String expected) {
        return MagiException.invalidRequest("Field '" + field + "' must be " + expected, field);
    }

    /** A command's success body: {@code message}, the given fields, then {@code timestamp}. */
    static Map<String, Object> success(String message, Object... keyValues) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("message", message);
        for (int i = 0; i < keyValues.length; i += 2) {
            body.put((String) keyValues[i], keyValues[i + 1]);
        }
        body.put("timestamp", Instant.now().toString());
        return body;
    }
}

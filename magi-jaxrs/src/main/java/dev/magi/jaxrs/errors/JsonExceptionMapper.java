package dev.magi.jaxrs.errors;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import dev.magi.spi.ErrorCode;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A body that is not JSON, or JSON of the wrong shape: 400 {@code InvalidRequest}. */
@Provider
public final class JsonExceptionMapper implements ExceptionMapper<JsonProcessingException> {

    @Override
    public Response toResponse(JsonProcessingException e) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (e.getLocation() != null) {
            details.put("line", e.getLocation().getLineNr());
            details.put("column", e.getLocation().getColumnNr());
        }
        String message;
        if (e instanceof JsonParseException || !(e instanceof JsonMappingException)) {
            message = "Malformed JSON: " + clip(e.getOriginalMessage());
        } else {
            JsonMappingException mapping = (JsonMappingException) e;
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            if (!field.isEmpty()) {
                details.put("field", field);
            }
            message = "Invalid request body" + (field.isEmpty() ? "" : " at '" + field + "'") + ": "
                    + clip(e.getOriginalMessage());
        }
        return ErrorBodies.response(ErrorCode.INVALID_REQUEST, message, details);
    }

    /**
     * Parser messages quote the input; keep them short and free of Java class names and of Jackson's
     * advice to its own users (feature and constraint names, the redacted source location).
     */
    static String clip(String text) {
        if (text == null) {
            return "cannot be read";
        }
        String line = text.replaceAll("\\s+", " ")
                .replaceAll("\\(class [^)]*\\)", "")
                .replaceAll("\\s*\\(start marker at \\[Source:.*?\\]\\)", "")
                .replaceAll("\\s*\\[Source:.*?\\]", "")
                .replaceAll("\\s*\\(bound as `[^`]*`\\)", "")
                .replaceAll(":? ?not allowed as per `[^`]*`", "")
                .replaceAll(":? ?enable `[^`]*` to allow", "")
                .replaceAll(", from `[^`]*`", "")
                .replaceAll("`[^`]*\\.[^`]*`", "a value")
                .replaceAll("\\bTrailing token \\(of type [A-Z_]+\\) found after value",
                        "content after the end of the JSON value")
                .trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }
}

package dev.magi.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one unchecked root of every failure MAGI reports to a caller. It carries an {@link ErrorCode}
 * (which fixes the API's {@code error} string and HTTP status), a message meant for a person, and
 * details meant for a program. Messages never contain stack traces or internal class names.
 */
public class MagiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final transient Map<String, Object> details;

    public MagiException(ErrorCode code, String message) {
        this(code, message, Map.of(), null);
    }

    public MagiException(ErrorCode code, String message, Map<String, ?> details) {
        this(code, message, details, null);
    }

    public MagiException(ErrorCode code, String message, Map<String, ?> details, Throwable cause) {
        super(message, cause);
        if (code == null) {
            throw new IllegalArgumentException("code is required");
        }
        this.code = code;
        // LinkedHashMap keeps the order callers gave and, unlike Map.copyOf, allows null values.
        this.details = details == null || details.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public ErrorCode code() {
        return code;
    }

    public Map<String, Object> details() {
        return details;
    }

    /** A model id that the registry does not hold. */
    public static MagiException modelNotFound(String modelId) {
        return new MagiException(ErrorCode.MODEL_NOT_FOUND, "Model '" + modelId + "' not found",
                Collections.singletonMap("modelId", modelId));
    }

    /** A request whose content is wrong; {@code field} names what is wrong, or is null. */
    public static MagiException invalidRequest(String message, String field) {
        return new MagiException(ErrorCode.INVALID_REQUEST, message,
                field == null ? Map.of() : Collections.singletonMap("field", field));
    }
}

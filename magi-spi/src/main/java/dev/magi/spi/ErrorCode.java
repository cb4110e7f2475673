package dev.magi.spi;

/**
 * Every error MAGI reports, with the {@code error} string of the API's error body and its HTTP status.
 * Layers below HTTP throw {@link MagiException} with one of these; the HTTP layer only translates.
 */
public enum ErrorCode {
    INVALID_REQUEST("InvalidRequest", 400),
    INVALID_TIER("InvalidTier", 400),
    PORT_OUT_OF_RANGE("PortOutOfRange", 400),
    INVALID_PORT_RANGE("InvalidPortRange", 400),
    INVALID_PROFILE("InvalidProfile", 400),
    INVALID_PROFILE_NAME("InvalidProfileName", 400),
    UNAUTHORIZED("Unauthorized", 401),
    NOT_FOUND("NotFound", 404),
    MODEL_NOT_FOUND("ModelNotFound", 404),
    PROFILE_NOT_FOUND("ProfileNotFound", 404),
    METHOD_NOT_ALLOWED("MethodNotAllowed", 405),
    PORT_IN_USE("PortInUse", 409),
    PORT_RANGE_EXHAUSTED("PortRangeExhausted", 409),
    MODEL_NOT_RUNNABLE("ModelNotRunnable", 409),
    PROFILE_EXISTS("ProfileExists", 409),
    PROFILE_ACTIVE("ProfileActive", 409),
    PAYLOAD_TOO_LARGE("PayloadTooLarge", 413),
    INTERNAL_ERROR("InternalError", 500),
    RESCAN_FAILED("RescanFailed", 500),
    STORAGE_FAILED("StorageFailed", 500),
    INVALID_CONFIGURATION("InvalidConfiguration", 500),
    SERVER_START_FAILED("ServerStartFailed", 502),
    SERVICE_UNAVAILABLE("ServiceUnavailable", 503),
    SERVER_START_TIMEOUT("ServerStartTimeout", 504);

    private final String wireName;
    private final int httpStatus;

    ErrorCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    /** The {@code error} string of the API's error body. */
    public String wireName() {
        return wireName;
    }

    /** The HTTP status the API answers with. */
    public int httpStatus() {
        return httpStatus;
    }
}

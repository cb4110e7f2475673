package dev.magi.core.launch;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The errors of a start that failed, with the details the API documents. */
public final class StartErrors {
    private StartErrors() {
    }

    /** A start that failed, with what the server wrote last when there was one. */
    public static MagiException startFailed(String modelId, String message, Integer exitCode, List<String> logTail,
                                            Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.putAll(extra);
        details.put("exitCode", exitCode);
        details.put("logTail", List.copyOf(logTail));
        return new MagiException(ErrorCode.SERVER_START_FAILED, message, details);
    }

    /** The user's port of this model is held by another program. */
    public static MagiException portInUse(String modelId, int port, Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("modelId", modelId);
        details.put("port", port);
        details.putAll(extra);
        return new MagiException(ErrorCode.PORT_IN_USE,
                "Port " + port + " of model '" + modelId + "' is in use by another program", details);
    }
}

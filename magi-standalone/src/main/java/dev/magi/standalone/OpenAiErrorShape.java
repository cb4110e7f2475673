package dev.magi.standalone;

import dev.magi.core.gateway.GatewayError;
import dev.magi.jaxrs.gateway.OpenAiErrors;
import org.eclipse.jetty.http.HttpStatus;

/**
 * What the HTTP layer answers on the gateway's paths, in OpenAI's error shape as the gateway's own
 * answers are: OpenAI's client libraries read {@code error.message}, {@code error.type} and
 * {@code error.code}, and find nothing in MAGI's API shape.
 *
 * <p>A body that could not be read whole is 400 {@code invalid_json} whatever went wrong with it
 * (broken, cut off, too slow), as the gateway answers a body over 1 MiB that it reads itself, and as a
 * WAR's gateway answers every body: the same failure gets the same answer whatever the body's size or
 * the container. Other statuses keep theirs, with the gateway's code for it where one fits ({@code
 * unknown_url}, {@code payload_too_large}) and {@code null} where none does, as OpenAI's own errors
 * often have.
 */
final class OpenAiErrorShape {

    private OpenAiErrorShape() {
    }

    /** The status of the answer: a body not read whole is 400, as the gateway answers it. */
    static int status(int status, Throwable cause) {
        return cause instanceof UnreadableBodyException ? GatewayError.INVALID_JSON.httpStatus() : status;
    }

    /**
     * The body of the answer.
     *
     * @param status the status of the answer, from {@link #status}
     * @param message what the client is told, already free of internals
     * @param cause the failure behind the answer, or null
     */
    static byte[] body(int status, String message, Throwable cause) {
        String code = cause instanceof UnreadableBodyException ? GatewayError.INVALID_JSON.code() : code(status);
        return OpenAiErrors.bytes(message, type(status), null, code);
    }

    private static String code(int status) {
        return switch (status) {
            case HttpStatus.NOT_FOUND_404 -> "unknown_url";
            case HttpStatus.PAYLOAD_TOO_LARGE_413 -> GatewayError.PAYLOAD_TOO_LARGE.code();
            default -> null;
        };
    }

    /** OpenAI's error type for a status, as the gateway's own errors have them. */
    private static String type(int status) {
        if (status == HttpStatus.UNAUTHORIZED_401) {
            return GatewayError.Type.AUTHENTICATION.wireName();
        }
        if (status == HttpStatus.FORBIDDEN_403) {
            // Not one of the gateway's own errors: the Host and Origin guard's type.
            return "permission_error";
        }
        if (status == HttpStatus.TOO_MANY_REQUESTS_429) {
            return GatewayError.Type.RATE_LIMIT.wireName();
        }
        return (status >= 500 ? GatewayError.Type.SERVER : GatewayError.Type.INVALID_REQUEST).wireName();
    }
}

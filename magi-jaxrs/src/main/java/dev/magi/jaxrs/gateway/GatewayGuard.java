package dev.magi.jaxrs.gateway;

import java.util.function.Function;

/**
 * The checks a gateway request passes before anything else is done with it (the host, the origin, the
 * API key), decided by the security rules and given to {@link GatewayServlet}, which knows nothing of
 * them.
 */
public interface GatewayGuard {
    /** Lets every request through: for a host that guards the gateway's paths itself. */
    GatewayGuard NONE = (method, header) -> null;

    /**
     * @param method the request's method
     * @param header the request's header of a name, null when absent
     * @return null when the request may go on, else its refusal
     */
    Refusal check(String method, Function<String, String> header);

    /** A refusal in OpenAI's shape: its status, and the error's type, code and message. */
    record Refusal(int status, String type, String code, String message) {
    }
}

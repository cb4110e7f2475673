package dev.magi.jaxrs.security;

import dev.magi.core.gateway.GatewayError;
import dev.magi.jaxrs.gateway.GatewayGuard;

import java.util.Set;
import java.util.function.Function;

/**
 * The gateway's own paths pass the same checks as the API's, in the same order, answered in OpenAI's
 * shape: the {@code Host} (DNS rebinding), the {@code Origin} of a state-changing request (a page of
 * another site must not spend this machine's models), then the API key when one is set.
 */
public final class GatewayRequestGuard implements GatewayGuard {
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "DELETE", "PATCH");

    private final HostOriginPolicy policy;
    private final ApiKey key;

    /** @param apiKey null when MAGI has no key */
    public GatewayRequestGuard(HostOriginPolicy policy, String apiKey) {
        this.policy = policy;
        this.key = apiKey == null ? null : new ApiKey(apiKey);
    }

    @Override
    public Refusal check(String method, Function<String, String> header) {
        String host = header.apply("Host");
        if (!policy.hostAllowed(host)) {
            return new Refusal(403, "permission_error", "forbidden_host",
                    "This server does not answer to the host name '" + host + "'");
        }
        String origin = header.apply("Origin");
        if (STATE_CHANGING.contains(method) && !policy.originAllowed(origin, host)) {
            return new Refusal(403, "permission_error", "forbidden_origin", "Requests from the web page at '"
                    + origin + "' may not use this gateway: add its origin to --allowed-origins /"
                    + " MAGI_ALLOWED_ORIGINS to allow it");
        }
        if (key == null) {
            return null;
        }
        String presented = ApiKey.presented(header.apply("X-API-Key"), header.apply("Authorization"));
        if (presented == null || !key.matches(presented)) {
            GatewayError error = GatewayError.INVALID_API_KEY;
            return new Refusal(error.httpStatus(), error.type().wireName(), error.code(), presented == null
                    ? "This endpoint needs a key: send Authorization: Bearer KEY" : "The API key is not valid");
        }
        return null;
    }
}

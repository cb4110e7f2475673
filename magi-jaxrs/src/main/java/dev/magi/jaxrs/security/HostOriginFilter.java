package dev.magi.jaxrs.security;

import dev.magi.jaxrs.errors.ErrorBodies;
import dev.magi.jaxrs.gateway.GatewayPaths;
import dev.magi.jaxrs.gateway.OpenAiErrors;
import dev.magi.spi.ErrorCode;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;

import java.util.Map;
import java.util.Set;

/**
 * Refuses, with 403 {@code Forbidden}, a request whose {@code Host} MAGI does not answer to (DNS
 * rebinding) and a state-changing request sent by a page of another origin (cross-site requests),
 * as {@link HostOriginPolicy} decides. Runs before the API key, so it also guards MAGI without one.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public final class HostOriginFilter implements ContainerRequestFilter {
    private static final Set<String> STATE_CHANGING = Set.of("POST", "PUT", "DELETE", "PATCH");

    private final HostOriginPolicy policy;

    public HostOriginFilter(HostOriginPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String host = request.getHeaderString(HttpHeaders.HOST);
        boolean gateway = GatewayPaths.isGateway(request);
        if (!policy.hostAllowed(host)) {
            if (gateway) {
                request.abortWith(OpenAiErrors.response(403, "permission_error", "forbidden_host",
                        "This server does not answer to the host name '" + host + "'"));
                return;
            }
            request.abortWith(ErrorBodies.response(ErrorCode.FORBIDDEN,
                    "This server does not answer to the host name '" + host
                            + "': add it to --allowed-hosts / MAGI_ALLOWED_HOSTS to reach it by that name",
                    Map.of("host", host)));
            return;
        }
        String origin = request.getHeaderString("Origin");
        if (STATE_CHANGING.contains(request.getMethod()) && !policy.originAllowed(origin, host)) {
            if (gateway) {
                // An OpenAI client sends no Origin; a page of another site must not spend this machine's models.
                request.abortWith(OpenAiErrors.response(403, "permission_error", "forbidden_origin",
                        "Requests from the web page at '" + origin + "' may not use this gateway: add its origin"
                                + " to --allowed-origins / MAGI_ALLOWED_ORIGINS to allow it"));
                return;
            }
            request.abortWith(ErrorBodies.response(ErrorCode.FORBIDDEN,
                    "Requests from the web page at '" + origin + "' may not change anything here: add its origin"
                            + " to --allowed-origins / MAGI_ALLOWED_ORIGINS to allow it",
                    Map.of("origin", origin)));
        }
    }
}

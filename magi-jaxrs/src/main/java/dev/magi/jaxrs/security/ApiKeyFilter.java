package dev.magi.jaxrs.security;

import dev.magi.core.gateway.GatewayError;
import dev.magi.core.gateway.GatewayException;
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
import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/**
 * With an API key configured, every {@code /api/**} request except the health endpoints, and every
 * request to the gateway ({@code /v1/**}, llama-server's endpoints; errors in OpenAI's shape), must carry it
 * as {@code Authorization: Bearer KEY} or {@code X-API-Key: KEY}. Runs before matching, so unknown
 * paths reveal nothing either. Keys are compared as SHA-256 digests ({@link ApiKey}),
 * in constant time whatever their lengths.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public final class ApiKeyFilter implements ContainerRequestFilter {
    private static final List<String> READINESS = List.of("api", "models", "health", "ready");

    private final ApiKey key;

    private static final List<String> METRICS = List.of("metrics");

    public ApiKeyFilter(String apiKey) {
        this.key = new ApiKey(apiKey);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        // Decided on the path segments without their matrix parameters, as Jersey matches them:
        // the raw path of /api;x=1/models/registry does not start with "api/", yet it is routed there.
        List<String> segments = GatewayPaths.segments(request);
        boolean gateway = GatewayPaths.isGateway(segments);
        // Metrics name the models and their traffic: as private as the API.
        boolean metrics = segments.equals(METRICS);
        if (!gateway && !metrics && (segments.isEmpty() || !segments.get(0).equals("api") || segments.equals(READINESS))) {
            return;
        }
        String presented = ApiKey.presented(request.getHeaderString("X-API-Key"),
                request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (presented == null || !key.matches(presented)) {
            if (gateway) {
                // OpenAI clients send the key as a bearer token and read errors in OpenAI's shape.
                request.abortWith(OpenAiErrors.response(new GatewayException(GatewayError.INVALID_API_KEY,
                        presented == null ? "This endpoint needs a key: send Authorization: Bearer KEY"
                                : "The API key is not valid", null, null)));
                return;
            }
            request.abortWith(Response.fromResponse(ErrorBodies.response(ErrorCode.UNAUTHORIZED,
                            presented == null ? "This API needs a key: send Authorization: Bearer KEY or X-API-Key: KEY"
                                    : "The API key is not valid", Map.of()))
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"magi\"")
                    .build());
        }
    }
}

package dev.magi.jaxrs.gateway;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.PathSegment;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which request paths belong to the gateway: everything under {@code /v1} and {@code /upstream}, and llama-server's own
 * endpoints at the root. Their errors are OpenAI-shaped and their bodies may be larger than the API's.
 */
public final class GatewayPaths {
    /** llama-server's own endpoints, served at the root as llama-server serves them. */
    public static final Set<String> LLAMA_ENDPOINTS = Set.of("completion", "infill", "tokenize", "detokenize",
            "apply-template");

    private GatewayPaths() {
    }

    /** Whether the request is the gateway's, decided on its path segments as Jersey matches them. */
    public static boolean isGateway(ContainerRequestContext request) {
        return isGateway(segments(request));
    }

    /** The path's segments without their matrix parameters and without empty leading ones. */
    public static List<String> segments(ContainerRequestContext request) {
        List<String> segments = new ArrayList<>();
        for (PathSegment segment : request.getUriInfo().getPathSegments()) {
            segments.add(segment.getPath());
        }
        while (!segments.isEmpty() && segments.get(0).isEmpty()) {
            segments.remove(0);
        }
        return segments;
    }

    /** @param segments the request path's segments, without the empty leading ones */
    public static boolean isGateway(List<String> segments) {
        if (segments.isEmpty()) {
            return false;
        }
        String first = segments.get(0);
        return first.equals("v1") || first.equals("upstream") || (segments.size() == 1 && LLAMA_ENDPOINTS.contains(first));
    }
}

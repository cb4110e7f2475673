package dev.magi.jaxrs.security;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;
import java.util.TreeSet;

/**
 * Jersey answers {@code OPTIONS} itself with a plain-text list of methods; every body of this API is
 * JSON, so the same list is sent as {@code {"allow": [...]}} (the {@code Allow} header stays).
 */
public final class OptionsAsJsonFilter implements ContainerResponseFilter {

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (!HttpMethod.OPTIONS.equals(request.getMethod()) || response.getStatus() != 200
                || MediaType.APPLICATION_JSON_TYPE.isCompatible(response.getMediaType())) {
            return;
        }
        response.setEntity(Map.of("allow", new TreeSet<>(response.getAllowedMethods())), null,
                MediaType.APPLICATION_JSON_TYPE);
    }
}

package dev.magi.core.gateway;

import java.util.Locale;

/**
 * How a request's {@code model} led to the model that served it ({@code X-MAGI-Route}); {@code UPSTREAM}
 * for a request passed through {@code /upstream/{id}/...}, whose model is the id in its path.
 */
public enum Route {
    MODEL, ALIAS, TIER, AUTO, TWO_STAGE, UPSTREAM;

    private final String wireName = name().toLowerCase(Locale.ROOT).replace('_', '-');

    public String wireName() {
        return wireName;
    }
}

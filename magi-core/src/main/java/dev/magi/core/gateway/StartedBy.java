package dev.magi.core.gateway;

import java.util.Locale;

/**
 * Who asked for a server to run. Only servers the gateway started on demand may later be unloaded
 * for idleness; those started through the API or by a profile stay until someone stops them.
 */
public enum StartedBy {
    API, PROFILE, GATEWAY;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    public String wireName() {
        return wireName;
    }
}

package dev.magi.jaxrs.security;

import dev.magi.core.config.MagiConfig;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which {@code Host} and {@code Origin} headers MAGI answers, decided without HTTP. Without an API
 * key any page a browser shows could otherwise drive MAGI: a page on another origin by a cross-site
 * POST, and a page on a rebound DNS name (whose answers then come from this machine) by reading the
 * API as if it were its own. A rebinding attack needs a name, so the localhost names, the bound
 * address and, when bound to every interface, any address literal are answered; other names only
 * when listed.
 */
public final class HostOriginPolicy {
    private static final Set<String> LOCAL_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "[::]", "*");

    private final String boundHost;
    private final List<String> allowedHosts;
    private final List<String> allowedOrigins;

    /**
     * @param boundHost the configured address MAGI binds
     * @param allowedHosts extra names, lower-case, each with a port (that port only) or without (any port); {@code *} for any
     * @param allowedOrigins extra origins as browsers send them, lower-case; {@code *} for any
     */
    public HostOriginPolicy(String boundHost, List<String> allowedHosts, List<String> allowedOrigins) {
        String bound = boundHost.toLowerCase(Locale.ROOT);
        this.boundHost = bound.contains(":") && !bound.startsWith("[") ? "[" + bound + "]" : bound;
        this.allowedHosts = List.copyOf(allowedHosts);
        this.allowedOrigins = List.copyOf(allowedOrigins);
    }

    public static HostOriginPolicy of(MagiConfig config) {
        return new HostOriginPolicy(config.host(), config.allowedHosts(), config.allowedOrigins());
    }

    /**
     * Whether a request naming {@code host} (the {@code Host} header, with or without its port) is
     * answered. A request without one is: only a client of HTTP/1.0 omits it, never a browser.
     */
    public boolean hostAllowed(String host) {
        if (host == null || host.isBlank() || allowedHosts.contains("*")) {
            return true;
        }
        String full = host.trim().toLowerCase(Locale.ROOT);
        String name = withoutPort(full);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (LOCAL_NAMES.contains(name) || name.equals(boundHost) || allowedHosts.contains(name)
                || allowedHosts.contains(full)) {
            return true;
        }
        return WILDCARDS.contains(boundHost) && isAddressLiteral(name);
    }

    /**
     * Whether a request changing state may come from {@code origin} (the {@code Origin} header) when it
     * named {@code host}. No origin means no browser page sent it (curl, a script), so it may. MAGI's
     * own origin is the one whose host and port are the request's {@code Host}, over either scheme, so
     * that a proxy ending TLS in front of MAGI needs no setting.
     */
    public boolean originAllowed(String origin, String host) {
        if (origin == null || allowedOrigins.contains("*")) {
            return true;
        }
        String given = origin.trim().toLowerCase(Locale.ROOT);
        if (allowedOrigins.contains(given)) {
            return true;
        }
        if (host == null || host.isBlank()) {
            return false;
        }
        String own = host.trim().toLowerCase(Locale.ROOT);
        return given.equals("http://" + own) || given.equals("https://" + own);
    }

    private static String withoutPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    private static boolean isAddressLiteral(String name) {
        return name.startsWith("[") && name.endsWith("]") || name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    }
}

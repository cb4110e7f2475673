package dev.magi.core.launch.slurm;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The first line of a job's output, where the job script says where its server listens:
 * {@code MAGI endpoint http://HOST:PORT}. The same address goes into the job's comment; the line is the
 * fallback for a cluster where a user may not update a job's comment.
 */
final class EndpointLine {
    static final String PREFIX = "MAGI endpoint ";

    private EndpointLine() {
    }

    /** The endpoint the line announces; empty for any other line. */
    static Optional<URI> parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            return Optional.empty();
        }
        return toEndpoint(line.substring(PREFIX.length()).strip());
    }

    /** An {@code http://HOST:PORT} address with a port in 1..65535; empty for anything else. */
    static Optional<URI> toEndpoint(String text) {
        try {
            URI uri = new URI(text);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }
}

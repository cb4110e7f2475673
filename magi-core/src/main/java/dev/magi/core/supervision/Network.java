package dev.magi.core.supervision;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;

/** The network question supervision asks, whatever the launcher: does a server say it is ready. */
final class Network {
    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final int READ_TIMEOUT_MS = 2_000;

    private Network() {
    }

    /**
     * Whether {@code GET ENDPOINT/health} answers 200. A refused connection (not listening yet), a 503
     * (still loading) or any other failure all mean "not yet".
     */
    static boolean isReady(URI endpoint) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) endpoint.resolve("/health").toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            connection.setUseCaches(false);
            // The status line decides; the body is not waited for. A server that writes its headers
            // and its body apart (as the JDK's and cpp-httplib's do) can otherwise hold the body back
            // until the probe's delayed ACK, 40 ms on Linux. disconnect() closes the socket.
            return connection.getResponseCode() == 200;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }
}

package dev.magi.core.supervision;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;

/** The two network questions supervision asks: is a port free, and does a server say it is ready. */
final class Network {
    private static final int CONNECT_TIMEOUT_MS = 1_000;
    private static final int READ_TIMEOUT_MS = 2_000;

    private Network() {
    }

    /** Whether a server could bind {@code address:port} now, found by binding it for a moment. */
    static boolean isFree(InetAddress address, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // As llama-server does: a socket of a closed connection in TIME_WAIT does not make a port busy.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Whether {@code GET /health} answers 200. A refused connection (not listening yet), a 503 (still
     * loading) or any other failure all mean "not yet".
     */
    static boolean isReady(String bindHost, int port) {
        HttpURLConnection connection = null;
        try {
            URI uri = new URI("http", null, probeHost(bindHost), port, "/health", null, null);
            connection = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(READ_TIMEOUT_MS);
            connection.setUseCaches(false);
            // The status line decides; the body is not waited for. A server that writes its headers
            // and its body apart (as the JDK's and cpp-httplib's do) can otherwise hold the body back
            // until the probe's delayed ACK, 40 ms on Linux. disconnect() closes the socket.
            return connection.getResponseCode() == 200;
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            return false;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** A server bound to every address is asked on the loopback one; an IPv6 literal needs brackets. */
    static String probeHost(String bindHost) {
        String host = bindHost.trim();
        if (host.equals("0.0.0.0") || host.isEmpty()) {
            return "127.0.0.1";
        }
        if (host.equals("::") || host.equals("[::]")) {
            return "[::1]";
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            return "[" + host + "]";
        }
        return host;
    }
}

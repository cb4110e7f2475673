package dev.magi.core.launch.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;

/** The two network questions of local servers: is a port free, and where does MAGI reach a server. */
final class LocalNetwork {
    private LocalNetwork() {
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

    /** The endpoint of a server bound to {@code bindHost:port}, as this machine reaches it. */
    static URI endpoint(String bindHost, int port) {
        return URI.create("http://" + probeHost(bindHost) + ":" + port);
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

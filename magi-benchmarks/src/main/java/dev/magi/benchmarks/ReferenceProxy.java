package dev.magi.benchmarks;

import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A reverse proxy with no rules at all, in front of the fake llama-server: what passing a request on
 * costs by itself on this machine, beside what MAGI's gateway costs. Two kinds: Jetty's own reverse
 * proxy (the same server and client libraries as MAGI's gateway, in the same JVM) and nginx (a proxy
 * written in C, in its own process), when its binary is given.
 */
interface ReferenceProxy extends AutoCloseable {
    /** What the benchmark's table calls it. */
    String name();

    int port();

    @Override
    void close() throws Exception;

    /** Jetty's {@code ProxyHandler.Reverse}: every request passed to the target port as it came. */
    static ReferenceProxy jetty(String host, int targetPort) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        server.addConnector(connector);
        server.setHandler(new ProxyHandler.Reverse(request -> HttpURI.build(request.getHttpURI())
                .scheme("http").host(host).port(targetPort)));
        server.start();
        return new ReferenceProxy() {
            @Override
            public String name() {
                return "jetty proxy";
            }

            @Override
            public int port() {
                return connector.getLocalPort();
            }

            @Override
            public void close() throws Exception {
                server.stop();
            }
        };
    }

    /**
     * nginx as a reverse proxy with kept-alive upstream connections and no buffering (answers pass as they
     * come, as MAGI passes them), one worker per core, no access log.
     */
    static ReferenceProxy nginx(Path binary, Path dir, String host, int targetPort) throws Exception {
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.writeString(prefix.resolve("nginx.conf"), String.join("\n",
                "worker_processes auto;",
                "pid " + prefix.resolve("nginx.pid") + ";",
                "error_log " + prefix.resolve("error.log") + " warn;",
                "events { worker_connections 1024; }",
                "http {",
                "  access_log off;",
                "  keepalive_requests 100000000;",
                "  keepalive_timeout 600s;",
                "  client_body_temp_path " + prefix.resolve("body") + ";",
                "  proxy_temp_path " + prefix.resolve("proxy") + ";",
                "  upstream fake { server " + host + ":" + targetPort + "; keepalive 64; keepalive_requests 100000000; }",
                "  server {",
                "    listen " + host + ":" + port + ";",
                "    location / {",
                "      proxy_pass http://fake;",
                "      proxy_http_version 1.1;",
                "      proxy_set_header Connection \"\";",
                "      proxy_buffering off;",
                "    }",
                "  }",
                "}", ""));
        Process process = new ProcessBuilder(binary.toString(), "-p", prefix.toString(), "-c",
                prefix.resolve("nginx.conf").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(prefix.resolve("out.log").toFile()).start();
        awaitListening(host, port, process, prefix);
        int listening = port;
        return new ReferenceProxy() {
            @Override
            public String name() {
                return "nginx";
            }

            @Override
            public int port() {
                return listening;
            }

            @Override
            public void close() throws Exception {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        };
    }

    private static void awaitListening(String host, int port, Process process, Path prefix) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nginx ended with " + process.exitValue() + ": "
                        + Files.readString(prefix.resolve("out.log")).strip());
            }
            try (Socket probe = new Socket(host, port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        process.destroyForcibly();
        throw new IOException("nginx did not listen on port " + port + " within 10 s");
    }
}

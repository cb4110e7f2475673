package dev.magi.standalone;

import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.MagiJaxrs;
import dev.magi.jaxrs.gateway.GatewayServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The standalone's HTTP server: embedded Jetty (ee10) with Jersey's servlet at {@code /*} serving the
 * MAGI API of one engine. {@link #newServer} is kept apart from {@link MagiMain#main} so tests start
 * the very same server in-process on port 0.
 *
 * <p>The server owns its engine: {@link #close()} stops Jetty, letting requests in flight finish for
 * up to {@link #GRACE}, then closes the engine.
 */
public final class MagiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MagiServer.class);

    /** How long requests in flight may take to finish once a stop is asked for. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    private final MagiEngine engine;
    private final Server jetty;
    private final ServerConnector connector;
    private final GracefulHandler graceful;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MagiServer(MagiEngine engine, String host, int port) {
        this.engine = engine;
        jetty = new Server();
        connector = new ServerConnector(jetty);
        connector.setHost(host);
        connector.setPort(port);
        // Once stopping, a kept-alive connection idle this long is closed (Jetty waits 1 s by default).
        connector.setShutdownIdleTimeout(200);
        // A silent connection, between requests or part-way through one, is closed after this long.
        connector.setIdleTimeout(engine.config().httpIdleTimeout().toMillis());
        jetty.addConnector(connector);

        ResourceConfig application = MagiJaxrs.application(engine);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder jersey = new ServletHolder("magi-api", new ServletContainer(application));
        // Server-sent events (the log stream, /events) need asynchronous requests.
        jersey.setAsyncSupported(true);
        context.addServlet(jersey, "/*");
        if (engine.config().gateway()) {
            // The gateway's byte-moving paths, apart from Jersey: exact paths win over /*.
            ServletHolder gateway = new ServletHolder("magi-gateway", MagiJaxrs.gatewayServlet(engine,
                    new ClosedConnectionWatch()));
            gateway.setAsyncSupported(true);
            GatewayServlet.PATHS.forEach(path -> context.addServlet(gateway, path));
        }
        context.setErrorHandler(new JsonErrorHandler());

        // Bodies are gathered before the API runs, so a slow client holds no thread while it sends one.
        RequestBodyHandler bodies = new RequestBodyHandler(context, engine.config().requestBodyTimeout());
        // Tracks requests in flight so that a stop waits for them (up to the stop timeout).
        graceful = new GracefulHandler(bodies);
        jetty.setHandler(graceful);
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setStopTimeout(GRACE.toMillis());
        // The version would only help an attacker pick an exploit.
        connector.getConnectionFactories().forEach(factory -> {
            if (factory instanceof HttpConnectionFactory http) {
                http.getHttpConfiguration().setSendServerVersion(false);
            }
        });
    }

    /**
     * A server for {@code engine} bound to {@code host} and {@code port} (0 = any free port), not yet
     * started.
     */
    public static MagiServer newServer(MagiEngine engine, String host, int port) {
        return new MagiServer(engine, host, port);
    }

    /** A server bound where the engine's configuration says ({@code MAGI_HOST}, {@code MAGI_PORT}). */
    public static MagiServer newServer(MagiEngine engine) {
        return newServer(engine, engine.config().host(), engine.config().port());
    }

    /** Binds the port and starts serving; answers this server. */
    public MagiServer start() throws Exception {
        jetty.start();
        return this;
    }

    /** The port bound, which is the free port chosen when 0 was asked for; -1 before the start. */
    public int port() {
        return connector.getLocalPort();
    }

    /** The base address, such as {@code http://127.0.0.1:8000/}. */
    public URI uri() {
        String host = connector.getHost() == null ? "0.0.0.0" : connector.getHost();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    public MagiEngine engine() {
        return engine;
    }

    /** Requests being handled now: the ones a stop waits for. */
    long requestsInFlight() {
        return graceful.getCurrentRequestCount();
    }

    /** Connections open now, idle ones included. */
    int connections() {
        return connector.getConnectedEndPoints().size();
    }

    /** Blocks until the server has stopped. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Stops Jetty gracefully, then closes the engine. Safe to call more than once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            // Live streams would hold the graceful stop until their next heartbeat: end them first.
            engine.events().close();
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("The HTTP server did not stop cleanly: {}", e.toString());
        } finally {
            engine.close();
        }
    }
}

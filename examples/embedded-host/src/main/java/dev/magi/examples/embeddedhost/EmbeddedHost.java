package dev.magi.examples.embeddedhost;

import dev.magi.core.engine.MagiEngine;
import dev.magi.jaxrs.MagiJaxrs;
import dev.magi.jaxrs.gateway.GatewayServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.servlet.ServletContainer;

/**
 * A host application with MAGI inside: {@code java ... EmbeddedHost [PORT]}, 9000 by default. MAGI's
 * settings come from the environment ({@code MODEL_SCAN_PATH}, {@code REGISTRY_PATH}, ...) because
 * the builder falls back to it; a host may as well {@code set} them from its own configuration.
 */
public final class EmbeddedHost {

    private EmbeddedHost() {
    }

    /**
     * A Jetty server on {@code port} (0 = any free port) serving {@link HostApplication} at {@code /*},
     * not yet started. Kept apart from {@link #main} so tests start the same server on port 0.
     */
    public static Server newServer(int port, MagiEngine engine) {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        // Server-sent event streams (logs, events) are asynchronous servlet requests.
        ServletHolder jersey = new ServletHolder(new ServletContainer(new HostApplication(engine)));
        jersey.setAsyncSupported(true);
        context.addServlet(jersey, "/*");
        // The gateway's inference and /upstream paths are a servlet of their own, beside Jersey.
        ServletHolder gateway = new ServletHolder(MagiJaxrs.gatewayServlet(engine));
        gateway.setAsyncSupported(true);
        GatewayServlet.PATHS.forEach(path -> context.addServlet(gateway, path));
        server.setHandler(context);
        return server;
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        MagiEngine engine = MagiEngine.builder().build();
        Server server = newServer(port, engine);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                // The host owns the engine: closing it stops what MAGI started.
                engine.close();
            }
        }));
        server.start();
        System.out.println("Host listening on " + server.getURI() + " (try /hello and /api/models/registry)");
        server.join();
    }
}

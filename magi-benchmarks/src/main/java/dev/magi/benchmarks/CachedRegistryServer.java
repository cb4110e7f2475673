package dev.magi.benchmarks;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.json.RegistryJson;
import dev.magi.jaxrs.MagiJaxrs;
import dev.magi.spi.RegistrySnapshot;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;

import java.io.UncheckedIOException;

/**
 * A prototype of a change, not MAGI as shipped: the same Jetty, servlet context and Jersey
 * application as {@link dev.magi.standalone.MagiServer}, plus one resource,
 * {@code GET /prototype/registry}, that answers the registry's JSON serialized once per registry
 * snapshot instead of once per request. Snapshots are immutable and replaced on every change, so the
 * bytes of the current one can be kept until the next. It measures how far that alone would bring
 * {@code GET /api/models/registry} towards the bare-Jetty baseline.
 */
final class CachedRegistryServer implements AutoCloseable {
    static final String PATH = "/prototype/registry";

    private final Server jetty;
    private final ServerConnector connector;

    private CachedRegistryServer(MagiEngine engine) {
        jetty = new Server();
        connector = new ServerConnector(jetty);
        connector.setHost(ApiServer.HOST);
        connector.setPort(0);
        jetty.addConnector(connector);
        ResourceConfig application = MagiJaxrs.application(engine).register(CachedRegistryResource.class);
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder jersey = new ServletHolder("magi-api", new ServletContainer(application));
        jersey.setAsyncSupported(true);
        context.addServlet(jersey, "/*");
        jetty.setHandler(new GracefulHandler(context));
        connector.getConnectionFactories().forEach(factory -> {
            if (factory instanceof HttpConnectionFactory http) {
                http.getHttpConfiguration().setSendServerVersion(false);
            }
        });
    }

    static CachedRegistryServer start(MagiEngine engine) throws Exception {
        CachedRegistryServer server = new CachedRegistryServer(engine);
        server.jetty.start();
        return server;
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }

    /** The registry's JSON, serialized when the snapshot changes and answered as bytes until then. */
    @Path("prototype/registry")
    @Singleton
    public static final class CachedRegistryResource {
        private final MagiEngine engine;
        private volatile Cached cached;

        private record Cached(RegistrySnapshot snapshot, byte[] json) {
        }

        @Inject
        public CachedRegistryResource(MagiEngine engine) {
            this.engine = engine;
        }

        @GET
        @Produces(MediaType.APPLICATION_JSON)
        public byte[] registry() {
            RegistrySnapshot snapshot = engine.registry().snapshot();
            Cached current = cached;
            if (current == null || current.snapshot() != snapshot) {
                try {
                    current = new Cached(snapshot, RegistryJson.newMapper().writeValueAsBytes(snapshot));
                } catch (JsonProcessingException e) {
                    throw new UncheckedIOException(e);
                }
                cached = current;
            }
            return current.json();
        }
    }
}

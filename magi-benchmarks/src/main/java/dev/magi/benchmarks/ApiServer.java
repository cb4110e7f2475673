package dev.magi.benchmarks;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.standalone.MagiServer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The standalone's own server ({@link MagiServer}: Jetty, Jersey, the whole MAGI API) on a free port
 * of 127.0.0.1, in this JVM, serving an engine with the default {@code json} store over a
 * {@link ModelTree}. The data directory (registry file, profiles) is beside the scan path, so that
 * the store's writes land on the same disk as the models, as in a real installation.
 */
final class ApiServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final ModelTree tree;
    private final MagiServer server;

    private ApiServer(ModelTree tree, MagiServer server) {
        this.tree = tree;
        this.server = server;
    }

    static ApiServer start(ModelTree tree) throws Exception {
        Path data = tree.directory().resolve("data");
        MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, tree.root().toString())
                .set(ConfigKey.REGISTRY_PATH, registryFile(data).toString())
                .set(ConfigKey.PROFILES_PATH, data.resolve("profiles").toString())
                // Nothing under the scan path changes during a run; the watcher would only sit idle.
                .set(ConfigKey.WATCH, "false")
                .build();
        MagiServer server = MagiServer.newServer(engine, HOST, 0);
        try {
            server.start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return new ApiServer(tree, server);
    }

    static Path registryFile(Path data) {
        return data.resolve("model_registry.json");
    }

    Path registryFile() {
        return registryFile(tree.directory().resolve("data"));
    }

    int port() {
        return server.port();
    }

    MagiEngine engine() {
        return server.engine();
    }

    HttpConnection connect() throws IOException {
        return new HttpConnection(HOST, port());
    }

    @Override
    public void close() {
        server.close();
    }
}

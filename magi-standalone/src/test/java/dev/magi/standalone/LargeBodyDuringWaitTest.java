package dev.magi.standalone;

import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A body too large to be gathered before the gateway sees it: an {@code /upstream} one is passed on only
 * once its request is admitted, so while the request waits its connection's watch must leave the rest of
 * the body alone, or the server would never get all of it; a chat's is read whole by the gateway before
 * the wait, which is then watched.
 */
@DisplayName("A request whose body is larger than the standalone gathers")
class LargeBodyDuringWaitTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String MODEL = "small-1b-q4_0";
    /** Over the 1 MiB the standalone gathers before the gateway sees a body: the gateway streams it. */
    private static final int LENGTH = 1024 * 1024 + 4096;
    /** What the client sends only once its request waits. */
    private static final int TAIL = 1000;

    @TempDir
    Path dir;
    private MagiServer server;

    @AfterEach
    void close() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("to /upstream reaches the server whole, with the bytes sent while it waits")
    void bodyReachesTheServer() throws Exception {
        Path gate = dir.resolve("load-gate");
        MagiEngine engine = start(gate);
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.sendHead("POST", "/upstream/" + MODEL + "/echo", "Content-Type", "text/plain",
                    "Content-Length", String.valueOf(LENGTH));
            connection.sendFiller(LENGTH - TAIL);
            // The model's server is loading (the gate is closed): the request waits for it.
            Eventually.await(PATIENCE, "the request queued", () -> engine.gateway().queued(MODEL) == 1);
            connection.sendFiller(TAIL);
            Files.createFile(gate);

            RawHttp.Reply answer = connection.read();
            assertThat(answer.status()).as(answer.body()).isEqualTo(200);
            assertThat(answer.body()).contains("\"bodyBytes\":" + LENGTH);
            // Its connection was not watched (its body was still to come), so it is kept alive as any other.
            assertThat(answer.headers().get("connection")).as(answer.headers().toString()).isNull();
            connection.sendHead("GET", "/health");
            assertThat(connection.read().status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("to /v1/chat/completions, read whole before its wait, leaves the queue when its client closes")
    void chatBodyReadWholeIsWatched() throws Exception {
        MagiEngine engine = start(dir.resolve("load-gate"));
        String padding = "a".repeat(LENGTH);
        byte[] body = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + padding
                + "\"}]}").getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Eventually.await(PATIENCE, "the request queued", () -> engine.gateway().queued(MODEL) == 1);
        }
        // The model's server is still loading (the gate stays closed): only the close empties the queue.
        Eventually.await(PATIENCE, "the queue emptied by the close", () -> engine.gateway().queued(MODEL) == 0);
    }

    private MagiEngine start(Path gate) throws Exception {
        MagiEngine engine = FakeServedEngine.builder(dir, FakeLlamaServer.launcher().loadGate(gate), List.of(MODEL))
                .build();
        engine.registry().setAllEnabled(true);
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        return engine;
    }
}

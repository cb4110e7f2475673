package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that asks for a stream and then never reads it: the stream fills the TCP buffers, MAGI's
 * writes stall, and the connection's idle timeout must fail the stalled write so that the gateway
 * cancels the request to llama-server and frees its slot. Without that, one such client would hold a
 * model's only slot for as long as it keeps its connection open.
 */
@DisplayName("A client that stops reading a streamed answer, against the standalone server over real HTTP")
class StalledReaderTest {
    private static final String MODEL = "small-1b-q4_k_m";
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** Far more than any TCP buffers hold: the stream can only end by being cut. */
    private static final int ENDLESS_CHUNKS = 1_000_000;
    /** A small window, so that the stream stalls after a few kilobytes rather than megabytes. */
    private static final int RECEIVE_BUFFER_BYTES = 4 * 1024;

    @TempDir
    Path dir;
    private MagiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("its stream is cut after --http-idle-timeout: the upstream request is cancelled, the slot is"
            + " freed while the client still holds its connection, and the next request is answered")
    void stalledReaderFreesItsSlot() throws Exception {
        Path events = dir.resolve("fake-events");
        server = start(FakeLlamaServer.launcher().stream(ENDLESS_CHUNKS, 0).eventsFile(events), "1");
        MagiEngine engine = server.engine();
        String chat = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

        try (Socket stalled = new Socket()) {
            // Set before connecting: the window is agreed on in the handshake.
            stalled.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
            stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
            byte[] body = (chat + ",\"stream\":true}").getBytes(StandardCharsets.UTF_8);
            OutputStream out = stalled.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // Not a byte of the answer is read from here on.

            Eventually.await(PATIENCE, "the stream to hold the model's slot", () -> engine.gateway().inFlight(MODEL) == 1);
            Eventually.await(PATIENCE, () -> "the fake to see its client go (events: " + read(events) + ")",
                    () -> read(events).contains("client-gone /v1/chat/completions"));
            Eventually.await(PATIENCE, () -> "the slot to be freed (in flight: " + engine.gateway().inFlight(MODEL) + ")",
                    () -> engine.gateway().inFlight(MODEL) == 0);
            // Freed by MAGI's timeout, not by the client: this test closes its socket only after this point.

            Http.Reply next = new Http(server.uri()).send("POST", "/v1/chat/completions", chat + "}");
            assertThat(next.status()).as(next.body()).isEqualTo(200);
            assertThat(next.json().path("choices").get(0).path("message").path("content").asText())
                    .isEqualTo("fake answer from " + MODEL);
        }
    }

    private static String read(Path events) {
        try {
            return Files.exists(events) ? Files.readString(events, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The standalone over one model whose llama-server is the fake, with {@code --http-idle-timeout}. */
    private MagiServer start(FakeLlamaServer.Launcher fake, String idleTimeoutSeconds) throws Exception {
        MagiEngine engine = FakeServedEngine.builder(dir, fake, List.of("Small-1B-Q4_K_M"))
                .set(ConfigKey.HTTP_IDLE_TIMEOUT, idleTimeoutSeconds)
                .build();
        return MagiServer.newServer(engine, "127.0.0.1", 0).start();
    }
}

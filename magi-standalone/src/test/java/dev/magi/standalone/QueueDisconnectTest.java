package dev.magi.standalone;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.RequestRecord;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.RawHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Here and not beside the other gateway tests: noticing a close while a request waits takes the
 * standalone's Jetty ({@link ClosedConnectionWatch}); the servlet API alone cannot.
 */
@DisplayName("A client that goes away while its request waits in the queue leaves the queue")
class QueueDisconnectTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String MODEL = "small-1b-q4_0";
    private static final int CLIENTS = 5;
    private static final String MID = "mid-8b-q4_0";
    private static final String BIG = "big-70b-q4_0";
    /** Scores as powerful, above the drafting tier (balanced): answered in two stages. */
    private static final String HARD = "Analyze X and compare Y";

    @TempDir
    Path dir;
    private MagiEngine engine;
    private MagiServer server;

    @AfterEach
    void close() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("clients queued on a model still loading disconnect: its queue empties, and a later request is"
            + " served")
    void disconnectedClientsLeave() throws Exception {
        Path gate = dir.resolve("load-gate");
        URI base = startWithLoadGate(gate);

        byte[] body = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Socket socket = new Socket(base.getHost(), base.getPort());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            clients.add(socket);
        }
        Eventually.await(PATIENCE, CLIENTS + " requests queued", () -> engine.gateway().queued(MODEL) == CLIENTS);

        for (Socket socket : clients) {
            socket.close();
        }
        // The model is still loading (the gate is closed): only the disconnects can empty the queue.
        Eventually.await(Duration.ofSeconds(20), "the queue emptied by the disconnects", () -> engine.gateway().queued(MODEL) == 0);
        assertThat(engine.gateway().inFlight(MODEL)).isZero();

        Files.createFile(gate);
        Http http = new Http(base);
        Http.Reply served = http.send("POST", "/v1/chat/completions", new String(body, StandardCharsets.UTF_8));
        assertThat(served.status()).as(served.body()).isEqualTo(200);
        // The connection of a request that waited is still answered on (or replaced) for the next one.
        Http.Reply next = http.send("POST", "/v1/chat/completions", new String(body, StandardCharsets.UTF_8));
        assertThat(next.status()).as(next.body()).isEqualTo(200);
        assertThat(engine.gateway().queued(MODEL)).isZero();
        // The slot is given back once the answer is complete on MAGI's side, which the client may see first.
        Eventually.await(PATIENCE, "the last request's slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
    }

    private URI startWithLoadGate(Path gate) throws Exception {
        return start(FakeLlamaServer.launcher().loadGate(gate), List.of(MODEL));
    }

    private URI start(FakeLlamaServer.Launcher fake, List<String> models) throws Exception {
        engine = FakeServedEngine.builder(dir, fake, models)
                .build();
        engine.registry().setAllEnabled(true);
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        return server.uri();
    }

    /** Sends a chat completion on a connection of its own, without reading the answer. */
    private static RawHttp post(URI base, String json) throws Exception {
        RawHttp connection = RawHttp.connect(base.getPort());
        connection.sendJsonHead("POST", "/v1/chat/completions", json.getBytes(StandardCharsets.UTF_8).length);
        connection.send(json);
        return connection;
    }

    @Test
    @DisplayName("a two-stage request that waited for its draft's server, then queues for its answering model,"
            + " leaves that second queue when its client disconnects")
    void leavesTheSecondWait() throws Exception {
        Path loadGate = dir.resolve("load-gate");
        Path streamGate = dir.resolve("stream-gate");
        Files.createFile(loadGate);
        URI base = start(FakeLlamaServer.launcher().loadGate(loadGate).streamGate(streamGate).slots(1),
                List.of(MODEL, MID, BIG));
        engine.registry().setTierOverride(MODEL, Tier.FAST);
        engine.registry().setTierOverride(MID, Tier.BALANCED);
        engine.registry().setTierOverride(BIG, Tier.POWERFUL);
        engine.profiles().create(new ModelProfile("drafts", "two stages", List.of(MODEL, MID, BIG), null,
                new TwoStage(true, Tier.BALANCED, Tier.POWERFUL, 500), null));
        engine.profiles().setActive("drafts");

        // The answering model's only slot is taken by a stream that stalls after its first chunk.
        try (RawHttp blocker = post(base, "{\"model\":\"" + BIG + "\",\"stream\":true,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hold the slot\"}]}")) {
            Eventually.await(PATIENCE, "the blocking stream to hold " + BIG + "'s slot",
                    () -> engine.gateway().inFlight(BIG) == 1);
            Files.delete(loadGate);

            RawHttp client = post(base, "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\""
                    + HARD + "\"}]}");
            // First wait: the drafting model's server is loading.
            Eventually.await(PATIENCE, "stage 1 waiting for " + MID + " to load", () -> engine.gateway().queued(MID) == 1);
            Files.createFile(loadGate);
            // Second wait, on the same connection: stage 2 queues behind the blocking stream.
            Eventually.await(PATIENCE, "stage 2 queued for " + BIG, () -> engine.gateway().queued(BIG) == 1);

            client.close();
            // The blocking stream still holds the slot: only the disconnect can empty the queue.
            Eventually.await(Duration.ofSeconds(20), "stage 2 to leave the queue on the disconnect",
                    () -> engine.gateway().queued(BIG) == 0);
            assertThat(engine.gateway().inFlight(BIG)).as("the blocking stream still runs").isEqualTo(1);
            RequestRecord left = Eventually.awaitValue(PATIENCE, "the two-stage request in the log",
                    () -> engine.gateway().requests().tail(10).stream()
                            .filter(r -> "auto".equals(r.asked())).findFirst().orElse(null),
                    r -> r != null);
            assertThat(left.status()).isEqualTo(499);
            assertThat(engine.gateway().inFlight(BIG)).as("the blocking stream still runs").isEqualTo(1);
        } finally {
            Files.createFile(streamGate);
        }
    }

    @Test
    @DisplayName("the answer to a request that waited says Connection: close, since its watched connection is"
            + " not kept alive")
    void waitedAnswerClosesConnection() throws Exception {
        Path gate = dir.resolve("load-gate");
        URI base = startWithLoadGate(gate);
        byte[] body = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            Eventually.await(PATIENCE, "the request queued", () -> engine.gateway().queued(MODEL) == 1);
            Files.createFile(gate);

            socket.setSoTimeout((int) PATIENCE.toMillis());
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("the answer's head, so far: " + head).isNotNegative();
                head.append((char) b);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 200");
            // Without the header, a client would send its next request on a connection about to be closed.
            assertThat(head.toString().toLowerCase(Locale.ROOT)).contains("\r\nconnection: close\r\n");
        }
    }
}

package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.RequestRecord;
import dev.magi.core.gateway.Route;
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

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that leaves while its answer, not streamed, is generated. Here and not beside the other
 * gateway tests: noticing the close before the answer's first write takes the standalone's Jetty
 * ({@link ClosedConnectionWatch}).
 */
@DisplayName("A client that goes away while its non-streamed answer is generated")
class AnswerDisconnectTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String MODEL = "small-1b-q4_0";
    private static final String MID = "mid-8b-q4_0";
    private static final String BIG = "big-70b-q4_0";
    /** Scores as powerful, above the drafting tier (balanced): answered in two stages. */
    private static final String HARD = "Analyze X and compare Y";
    private static final String CHAT = "/v1/chat/completions";
    private static final String PLAIN = "{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"hi\"}]}";

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
    @DisplayName("stops the generation: llama-server's request is closed, the slot freed and 499 logged while"
            + " the answer is still held")
    void generationStops() throws Exception {
        Path gate = dir.resolve("answer-gate");
        Path events = dir.resolve("events");
        URI base = start(FakeLlamaServer.launcher().answerGate(gate).eventsFile(events));
        try {
            warmUp(base);
            int requestsBefore = count(events, "request " + CHAT);
            int doneBefore = count(events, "done " + CHAT);

            try (RawHttp client = RawHttp.connect(base.getPort())) {
                send(client, PLAIN);
                // Admitted at once (the server is ready) and held by the fake: the generation under way.
                Eventually.await(PATIENCE, "the fake to be asked for the answer",
                        () -> count(events, "request " + CHAT) == requestsBefore + 1);
                assertThat(engine.gateway().inFlight(MODEL)).isEqualTo(1);
            }

            Eventually.await(PATIENCE, "the fake to see its request closed",
                    () -> count(events, "client-gone " + CHAT) == 1);
            Eventually.await(PATIENCE, "the slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
            RequestRecord left = Eventually.awaitValue(PATIENCE, "the request in the log with 499",
                    () -> engine.gateway().requests().tail(10).stream()
                            .filter(r -> r.status() == 499).findFirst().orElse(null),
                    r -> r != null);
            assertThat(left.asked()).isEqualTo(MODEL);
            // Recorded as the model's: it had the request, and generated for it until the client left.
            assertThat(left.modelId()).as(left.toString()).isEqualTo(MODEL);
            assertThat(left.route()).isEqualTo(Route.MODEL);
            assertThat(gate).as("the answer is still held").doesNotExist();
            assertThat(count(events, "done " + CHAT)).as("no answer was finished").isEqualTo(doneBefore);
        } finally {
            Files.createFile(gate);
        }
    }

    @Test
    @DisplayName("stops stage 2 of a two-stage answer: its request is closed, its slot freed and 499 logged")
    void secondStageStops() throws Exception {
        Path gate = dir.resolve("answer-gate");
        Path events = dir.resolve("events");
        // The drafting model fails its chats at once, so stage 2 answers alone, held by the gate.
        URI base = start(FakeLlamaServer.launcher().answerGate(gate).eventsFile(events).failChat(MID),
                List.of(MODEL, MID, BIG));
        try {
            engine.registry().setTierOverride(MODEL, Tier.FAST);
            engine.registry().setTierOverride(MID, Tier.BALANCED);
            engine.registry().setTierOverride(BIG, Tier.POWERFUL);
            engine.profiles().create(new ModelProfile("drafts", "two stages", List.of(MODEL, MID, BIG), null,
                    new TwoStage(true, Tier.BALANCED, Tier.POWERFUL, 500), null));
            engine.profiles().setActive("drafts");
            warmUp(base, BIG);
            int requestsBefore = count(events, "request " + CHAT);

            try (RawHttp client = RawHttp.connect(base.getPort())) {
                send(client, "{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + HARD
                        + "\"}]}");
                Eventually.await(PATIENCE, "the draft to fail and stage 2 to be asked of " + BIG,
                        () -> count(events, "failed " + CHAT) == 1
                                && count(events, "request " + CHAT) == requestsBefore + 2);
                Eventually.await(PATIENCE, "stage 2 to hold " + BIG + "'s slot",
                        () -> engine.gateway().inFlight(BIG) == 1);
            }

            Eventually.await(PATIENCE, "the fake to see stage 2's request closed",
                    () -> count(events, "client-gone " + CHAT) == 1);
            Eventually.await(PATIENCE, "stage 2's slot to be freed", () -> engine.gateway().inFlight(BIG) == 0);
            RequestRecord left = Eventually.awaitValue(PATIENCE, "the two-stage request in the log",
                    () -> engine.gateway().requests().tail(10).stream()
                            .filter(r -> "auto".equals(r.asked())).findFirst().orElse(null),
                    r -> r != null);
            assertThat(left.status()).isEqualTo(499);
            assertThat(left.modelId()).as(left.toString()).isEqualTo(BIG);
            assertThat(left.route()).isEqualTo(Route.TWO_STAGE);
            assertThat(gate).as("stage 2's answer is still held").doesNotExist();
        } finally {
            Files.createFile(gate);
        }
    }

    @Test
    @DisplayName("a client that stays gets an answer generated for longer than the grace and the idle timeout"
            + " together, on a connection then closed")
    void slowAnswerStillArrives() throws Exception {
        // 1 s idle timeout, 2 s grace: the watch is on for most of the 5 s the fake holds the answer.
        URI base = start(FakeLlamaServer.launcher().answerDelay(5_000), List.of(MODEL), "1");
        warmUp(base);

        try (RawHttp client = RawHttp.connect(base.getPort())) {
            send(client, PLAIN);
            RawHttp.Reply answer = client.read();
            assertThat(answer.status()).isEqualTo(200);
            // Its connection was watched, so it is not kept alive; the client is told.
            assertThat(answer.headers().get("connection")).isEqualToIgnoringCase("close");
            assertThat(answer.body()).contains("fake answer from " + MODEL);
        }
        Eventually.await(PATIENCE, "the slot to be freed", () -> engine.gateway().inFlight(MODEL) == 0);
        assertThat(engine.gateway().requests().tail(10)).extracting(RequestRecord::status).doesNotContain(499);
    }

    @Test
    @DisplayName("leaves answers that come at once kept alive: two requests answered on one connection")
    void quickAnswersKeepTheirConnection() throws Exception {
        Path gate = dir.resolve("answer-gate");
        Files.createFile(gate);
        URI base = start(FakeLlamaServer.launcher().answerGate(gate));
        warmUp(base);

        try (RawHttp client = RawHttp.connect(base.getPort())) {
            for (int i = 0; i < 2; i++) {
                send(client, PLAIN);
                RawHttp.Reply answer = client.read();
                assertThat(answer.status()).as("answer " + (i + 1)).isEqualTo(200);
                assertThat(String.valueOf(answer.headers().get("connection"))).as("answer " + (i + 1))
                        .isNotEqualToIgnoringCase("close");
                assertThat(answer.body()).contains("fake answer from " + MODEL);
            }
        }
    }

    /** Starts the model's server with a stream (not held by the answer gate), so later requests do not wait. */
    private static void warmUp(URI base) throws IOException, InterruptedException {
        warmUp(base, MODEL);
    }

    private static void warmUp(URI base, String model) throws IOException, InterruptedException {
        Http.Reply warm = new Http(base).send("POST", CHAT, "{\"model\":\"" + model + "\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"warm up\"}]}");
        assertThat(warm.status()).as(warm.body()).isEqualTo(200);
    }

    /** Sends a chat completion, without reading its answer. */
    private static void send(RawHttp client, String json) throws IOException {
        client.sendJsonHead("POST", CHAT, json.getBytes(StandardCharsets.UTF_8).length);
        client.send(json);
    }

    private static int count(Path events, String line) {
        try {
            return Files.exists(events) ? (int) Files.readAllLines(events).stream().filter(line::equals).count() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private URI start(FakeLlamaServer.Launcher fake) throws Exception {
        return start(fake, List.of(MODEL));
    }

    private URI start(FakeLlamaServer.Launcher fake, List<String> models) throws Exception {
        return start(fake, models, ConfigKey.HTTP_IDLE_TIMEOUT.defaultValue());
    }

    private URI start(FakeLlamaServer.Launcher fake, List<String> models, String idleTimeoutSeconds)
            throws Exception {
        engine = FakeServedEngine.builder(dir, fake, models)
                .set(ConfigKey.HTTP_IDLE_TIMEOUT, idleTimeoutSeconds)
                .build();
        engine.registry().setAllEnabled(true);
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        return server.uri();
    }
}

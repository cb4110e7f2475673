package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.engine.MagiEngine;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Here and not beside the other two-stage tests: nothing is written to the client while its draft is
 * fetched, so noticing its close takes the standalone's Jetty ({@link ClosedConnectionWatch}).
 */
@DisplayName("A client that goes away while the draft of its two-stage answer is fetched")
class TwoStageDisconnectTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SMALL = "small-1b-q4_0";
    private static final String MID = "mid-8b-q4_0";
    private static final String BIG = "big-70b-q4_0";
    /** Scores powerful, above the drafting tier (balanced): two stages. */
    private static final String HARD = "Analyze X and compare Y";
    /** A space every 20 ms before the draft's JSON: over half an hour, far past the test's patience. */
    private static final int DRAFT_SPACES = 100_000;
    private static final String CHAT = "/v1/chat/completions";

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
    @DisplayName("aborts the draft's request, so the drafting model's slot is freed long before the draft would"
            + " end, and stage 2 is never asked")
    void abortsTheDraft() throws Exception {
        Path events = dir.resolve("events.txt");
        URI base = start(FakeLlamaServer.launcher().eventsFile(events).stream(DRAFT_SPACES, 20).pacedAnswers());
        byte[] body = ("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"" + HARD + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST " + CHAT + " HTTP/1.1\r\nHost: " + base.getAuthority()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // The drafting model was started for the request (its wait for a slot was watched too), and
            // now writes its draft.
            Eventually.await(PATIENCE, "the draft asked of the balanced model", () -> lines(events)
                    .contains("request " + CHAT));
            assertThat(engine.gateway().inFlight(MID)).isEqualTo(1);
        }

        Eventually.await(PATIENCE, "the fake to see MAGI leave the draft", () -> lines(events)
                .contains("client-gone " + CHAT));
        Eventually.await(PATIENCE, "the balanced model's slot freed", () -> engine.gateway().inFlight(MID) == 0);
        assertThat(lines(events)).as("the draft did not end, and stage 2 was never sent")
                .doesNotContain("done " + CHAT).filteredOn(line -> line.equals("request " + CHAT)).hasSize(1);
        assertThat(engine.gateway().inFlight(BIG)).isZero();

        JsonNode logged = Eventually.awaitValue(PATIENCE, "the request in the log", () -> new ObjectMapper()
                .readTree(new Http(base).get("/api/gateway/requests").body()).path("requests"), r -> r.size() == 1)
                .get(0);
        assertThat(logged.path("status").asInt()).as(logged.toString()).isEqualTo(499);
        assertThat(logged.path("route").asText()).isEqualTo("two-stage");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private URI start(FakeLlamaServer.Launcher fake) throws Exception {
        engine = FakeServedEngine.builder(dir, fake, List.of(SMALL, MID, BIG))
                .build();
        engine.registry().setAllEnabled(true);
        engine.registry().setTierOverride(SMALL, Tier.FAST);
        engine.registry().setTierOverride(MID, Tier.BALANCED);
        engine.registry().setTierOverride(BIG, Tier.POWERFUL);
        engine.profiles().create(new ModelProfile("drafts", "two stages", List.of(SMALL, MID, BIG), null,
                new TwoStage(true, Tier.BALANCED, Tier.POWERFUL, 500), null));
        engine.profiles().setActive("drafts");
        server = MagiServer.newServer(engine, "127.0.0.1", 0).start();
        return server.uri();
    }
}

package dev.magi.jaxrs.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.twostage.StageRequests;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.jaxrs.ApiServer;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.ModelProfile.TwoStage;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;

import static dev.magi.jaxrs.gateway.LiveGateway.lines;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Two-stage answers over real HTTP, with the fake llama-server as real processes")
class TwoStageOverHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SMALL = "small-1b-q4_0";
    private static final String MID = "mid-8b-q4_0";
    private static final String BIG = "big-70b-q4_0";
    /** Scores 7.25: powerful, above the drafting tier (balanced). */
    private static final String HARD = "Analyze X and compare Y";
    /** Scores 0.65: fast, at or below the drafting tier. */
    private static final String EASY = "What is Python?";

    @TempDir
    Path dir;
    private LiveGateway gateway;
    private MagiEngine engine;
    private ApiServer api;

    @AfterEach
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    /** MAGI over a fast, a balanced and a powerful model, with a profile whose two stages are on or off. */
    private void start(FakeLlamaServer.Launcher fake, boolean twoStages) throws Exception {
        gateway = LiveGateway.in(dir).model(SMALL, Tier.FAST).model(MID, Tier.BALANCED).model(BIG, Tier.POWERFUL)
                .fake(fake)
                .prepared(magi -> {
                    magi.profiles().create(new ModelProfile("drafts", "two stages", List.of(SMALL, MID, BIG), null,
                            new TwoStage(twoStages, Tier.BALANCED, Tier.POWERFUL, 500), null));
                    magi.profiles().setActive("drafts");
                })
                .start();
        engine = gateway.engine();
        api = gateway.api();
    }

    private static String chat(String text, boolean stream, String extra) {
        return "{\"model\":\"auto\",\"stream\":" + stream + extra + ",\"messages\":[{\"role\":\"system\","
                + "\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    /** What a fake started with {@code echoRequest()} was sent, read back from its answer's content. */
    private static JsonNode heard(String content, String model) throws Exception {
        String prefix = model + " heard: ";
        assertThat(content).startsWith(prefix);
        return JSON.readTree(content.substring(prefix.length()));
    }

    private static String content(ApiServer.Reply reply) {
        return reply.json().path("choices").path(0).path("message").path("content").asText();
    }

    private static String lastUserContent(JsonNode request) {
        JsonNode messages = request.path("messages");
        return messages.path(messages.size() - 1).path("content").asText();
    }

    @Nested
    @DisplayName("in two stages")
    class Done {
        @Test
        @DisplayName("the balanced model drafts, bounded and not streamed; the powerful one answers with the draft")
        void done() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest(), true);
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(HARD, false, ",\"max_tokens\":2000"));

            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Two-Stage")).isEqualTo("done");
            assertThat(reply.header("X-MAGI-Route")).isEqualTo("two-stage");
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(BIG);
            assertThat(reply.header("X-MAGI-Tier")).isEqualTo("powerful");
            assertThat(reply.header("X-MAGI-Score")).isEqualTo("7.2500");
            assertThat(reply.header("X-MAGI-Stage1-Model")).isEqualTo(MID);
            assertThat(Long.parseLong(reply.header("X-MAGI-Stage1-Ms"))).isGreaterThanOrEqualTo(0);

            JsonNode stage2 = heard(content(reply), BIG);
            assertThat(stage2.path("max_tokens").asInt()).as("stage 2 keeps the client's request").isEqualTo(2000);
            String prefix = HARD + "\n\n" + StageRequests.INSTRUCTION + "\n\nDraft:\n";
            String user = lastUserContent(stage2);
            assertThat(user).startsWith(prefix);
            JsonNode stage1 = heard(user.substring(prefix.length()), MID);
            assertThat(stage1.path("max_tokens").asInt()).isEqualTo(500);
            assertThat(stage1.path("stream").asBoolean(true)).isFalse();
            assertThat(lastUserContent(stage1)).isEqualTo(HARD);
        }

        @Test
        @DisplayName("the request log lists it once, routed two-stage, answered by the powerful model")
        void logged() throws Exception {
            start(FakeLlamaServer.launcher(), true);
            assertThat(api.post("/v1/chat/completions", chat(HARD, false, "")).status()).isEqualTo(200);

            JsonNode requests = Eventually.awaitValue("the two-stage request in the log",
                    () -> api.get("/api/gateway/requests").json().path("requests"), r -> r.size() > 0);
            assertThat(requests).hasSize(1);
            assertThat(requests.get(0).path("asked").asText()).isEqualTo("auto");
            assertThat(requests.get(0).path("route").asText()).isEqualTo("two-stage");
            assertThat(requests.get(0).path("model").asText()).isEqualTo(BIG);
            assertThat(requests.get(0).path("status").asInt()).isEqualTo(200);
        }

        @Test
        @DisplayName("streamed when asked: stage 2's events pass through, stage 1 still answers whole")
        void streamed() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest().stream(3, 0), true);
            HttpResponse<InputStream> response = gateway.openStream(chat(HARD, true, ""));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(response.headers().firstValue("X-MAGI-Two-Stage")).contains("done");
            assertThat(response.headers().firstValue("X-MAGI-Stage1-Model")).contains(MID);
            assertThat(response.headers().firstValue("X-MAGI-Model")).contains(BIG);
            List<String> events = lines(response);
            assertThat(events).hasSize(4);
            assertThat(events.get(0)).contains("\"model\":\"" + BIG + "\"").contains("tok0");
            assertThat(events.get(3)).isEqualTo("data: [DONE]");
        }
    }

    @Nested
    @DisplayName("in one stage")
    class Skipped {
        @Test
        @DisplayName("for tools, response_format, n > 1 and logprobs, said by X-MAGI-Two-Stage: skipped:REASON")
        void shapes() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest(), true);
            String[][] cases = {
                {",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "skipped:tools"},
                {",\"response_format\":{\"type\":\"json_object\"}", "skipped:response_format"},
                {",\"n\":2", "skipped:n"},
                {",\"logprobs\":true", "skipped:logprobs"},
            };
            for (String[] shape : cases) {
                ApiServer.Reply reply = api.post("/v1/chat/completions", chat(HARD, false, shape[0]));
                assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
                assertThat(reply.header("X-MAGI-Two-Stage")).as(shape[0]).isEqualTo(shape[1]);
                assertThat(reply.header("X-MAGI-Route")).isEqualTo("auto");
                assertThat(reply.header("X-MAGI-Model")).isEqualTo(BIG);
                assertThat(reply.header("X-MAGI-Stage1-Model")).isNull();
                assertThat(lastUserContent(heard(content(reply), BIG))).as("no draft").isEqualTo(HARD);
            }
            assertThat(engine.supervisor().server(MID).map(ServerStatus::state)).as("nothing drafted")
                    .contains(ServerState.STOPPED);
        }

        @Test
        @DisplayName("for a question scored at or below the drafting tier: skipped:low_score")
        void lowScore() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest(), true);
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(EASY, false, ""));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Two-Stage")).isEqualTo("skipped:low_score");
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(SMALL);
            assertThat(reply.header("X-MAGI-Route")).isEqualTo("auto");
        }

        @Test
        @DisplayName("without a header at all when the active profile's two stages are off")
        void off() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest(), false);
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(HARD, false, ""));
            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Two-Stage")).isNull();
            assertThat(reply.header("X-MAGI-Route")).isEqualTo("auto");
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(BIG);
        }
    }

    @Nested
    @DisplayName("when a stage fails")
    class Failures {
        @Test
        @DisplayName("stage 1: stage 2 answers the request alone, said by stage1-failed")
        void stage1Failed() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest().failChat(MID), true);
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(HARD, false, ""));

            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Two-Stage")).isEqualTo("stage1-failed");
            assertThat(reply.header("X-MAGI-Route")).isEqualTo("two-stage");
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(BIG);
            assertThat(reply.header("X-MAGI-Stage1-Model")).isEqualTo(MID);
            assertThat(lastUserContent(heard(content(reply), BIG))).as("no draft").isEqualTo(HARD);
        }

        @Test
        @DisplayName("stage 2 before its first byte: the draft is the answer, said by degraded and logged as"
                + " the drafting model's 200")
        void degraded() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest().failChat(BIG), true);
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(HARD, false, ""));

            assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
            assertThat(reply.header("X-MAGI-Two-Stage")).isEqualTo("degraded");
            assertThat(reply.header("X-MAGI-Route")).isEqualTo("two-stage");
            assertThat(reply.header("X-MAGI-Model")).isEqualTo(MID);
            assertThat(reply.header("X-MAGI-Stage1-Model")).isEqualTo(MID);
            JsonNode stage1 = heard(content(reply), MID);
            assertThat(stage1.path("max_tokens").asInt()).isEqualTo(500);

            // What the client got, not stage 2's failure that nobody saw.
            JsonNode logged = Eventually.awaitValue("the request in the log",
                    () -> api.get("/api/gateway/requests").json().path("requests"), r -> r.size() > 0).get(0);
            assertThat(logged.path("status").asInt()).as(logged.toString()).isEqualTo(200);
            assertThat(logged.path("model").asText()).isEqualTo(MID);
        }

        @Test
        @DisplayName("stage 2 of a streamed request: the draft comes as one event, then [DONE]")
        void degradedStreamed() throws Exception {
            start(FakeLlamaServer.launcher().echoRequest().failChat(BIG), true);
            HttpResponse<InputStream> response = gateway.openStream(chat(HARD, true, ""));

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(response.headers().firstValue("X-MAGI-Two-Stage")).contains("degraded");
            List<String> events = lines(response);
            assertThat(events).hasSize(2);
            JsonNode chunk = JSON.readTree(events.get(0).substring("data: ".length()));
            assertThat(chunk.at("/choices/0/delta/content").asText()).startsWith(MID + " heard: ");
            assertThat(events.get(1)).isEqualTo("data: [DONE]");
        }

        @Test
        @DisplayName("both: stage 2's own error is the answer")
        void both() throws Exception {
            start(FakeLlamaServer.launcher().failChat(MID, BIG), true);
            ApiServer.Reply reply = api.post("/v1/chat/completions", chat(HARD, false, ""));

            assertThat(reply.status()).isEqualTo(500);
            assertThat(reply.header("X-MAGI-Two-Stage")).isEqualTo("stage1-failed");
            assertThat(reply.json().path("error").path("message").asText()).contains(BIG);
        }
    }
}

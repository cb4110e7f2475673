package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.jaxrs.ApiServer;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.magi.jaxrs.supervision.LiveMagi.isRunning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Several servers at once, over HTTP")
class ManyServersOverHttpTest {
    private static final String SERVERS = "/api/models/servers/";

    @TempDir
    Path dir;
    LiveMagi live;

    @BeforeEach
    void setUp() throws Exception {
        live = new LiveMagi(dir).model("alpha-1b-q4_0.gguf").model("beta-1b-q4_0.gguf").model("gamma-1b-q4_0.gguf");
    }

    @AfterEach
    void tearDown() throws Exception {
        live.close();
    }

    @Test
    @DisplayName("start-all starts the enabled models concurrently and lists failures; stop-all stops them")
    void startAllAndStopAll() throws Exception {
        live.model("split-7b-q4_0-00001-of-00002.gguf").install(live.fake().loadMillis(2_500)).start();
        for (String id : List.of("alpha-1b-q4_0", "beta-1b-q4_0", "split-7b-q4_0")) {
            assertThat(live.put("/api/models/" + id + "/enabled", "{\"enabled\": true}").status()).isEqualTo(200);
        }
        CompletableFuture<ApiServer.Reply> startAll = CompletableFuture.supplyAsync(() -> {
            try {
                return live.post(SERVERS + "start-all");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // Concurrent means both load at the same time; one after the other, they never would.
        AtomicBoolean together = new AtomicBoolean();
        LiveMagi.await("both servers loading at once, or start-all done", () -> {
            together.compareAndSet(false, startingAtOnce("alpha-1b-q4_0", "beta-1b-q4_0"));
            return together.get() || startAll.isDone();
        });

        JsonNode result = startAll.get().json();

        assertThat(together).as("alpha and beta were starting at the same time").isTrue();
        assertThat(texts(result.path("started"))).containsExactlyInAnyOrder("alpha-1b-q4_0", "beta-1b-q4_0");
        assertThat(result.path("alreadyRunning")).isEmpty();
        assertThat(result.path("failed")).hasSize(1);
        assertThat(result.path("failed").get(0).path("modelId").asText()).isEqualTo("split-7b-q4_0");
        assertThat(result.path("failed").get(0).path("error").asText()).isEqualTo("ModelNotRunnable");
        assertThat(result.path("failed").get(0).path("message").asText()).contains("missing part 2 of 2");
        assertThat(live.server("gamma-1b-q4_0")).as("disabled, so not started").isEmpty();
        List<Long> pids = List.of(live.server("alpha-1b-q4_0").orElseThrow().path("pid").asLong(),
                live.server("beta-1b-q4_0").orElseThrow().path("pid").asLong());

        JsonNode again = live.post(SERVERS + "start-all").json();
        assertThat(again.path("started")).isEmpty();
        assertThat(texts(again.path("alreadyRunning"))).containsExactlyInAnyOrder("alpha-1b-q4_0", "beta-1b-q4_0");

        JsonNode stopped = live.post(SERVERS + "stop-all").json();

        assertThat(stopped.path("stopped").asInt()).isEqualTo(2);
        assertThat(pids).noneMatch(LiveMagi::isRunning);
        assertThat(live.get("/api/models/servers").json().path("runningServers").asInt()).isZero();
    }

    @Test
    @DisplayName("activating a profile runs and enables its models, stops and disables the others")
    void profileActivation() throws Exception {
        live.install(live.fake()).start();
        long gamma = live.post(SERVERS + "gamma-1b-q4_0/start").json().path("pid").asLong();
        live.post("/api/models/profiles",
                "{\"name\": \"work\", \"enabledModels\": [\"alpha-1b-q4_0\", \"beta-1b-q4_0\", \"ghost\"]}");

        ApiServer.Reply reply = live.post("/api/models/profiles/work/activate");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        JsonNode result = reply.json();
        assertThat(result.path("profileName").asText()).isEqualTo("work");
        assertThat(texts(result.path("started"))).containsExactlyInAnyOrder("alpha-1b-q4_0", "beta-1b-q4_0");
        assertThat(texts(result.path("stopped"))).containsExactly("gamma-1b-q4_0");
        assertThat(result.path("failed")).isEmpty();
        assertThat(texts(result.path("unknownModels"))).containsExactly("ghost");
        assertThat(result.path("timestamp").asText()).isNotEmpty();
        assertThat(state("alpha-1b-q4_0")).isEqualTo("ready");
        assertThat(state("beta-1b-q4_0")).isEqualTo("ready");
        assertThat(state("gamma-1b-q4_0")).isEqualTo("stopped");
        assertThat(isRunning(gamma)).isFalse();
        assertThat(enabled("alpha-1b-q4_0")).isTrue();
        assertThat(enabled("beta-1b-q4_0")).isTrue();
        assertThat(enabled("gamma-1b-q4_0")).isFalse();
        assertThat(live.get("/api/models/profiles/active").json().path("profileName").asText()).isEqualTo("work");
    }

    @Test
    @DisplayName("the active profile's servers come back when MAGI starts again")
    void activeProfileRestoredAfterARestart() throws Exception {
        live.install(live.fake()).start();
        live.post("/api/models/profiles", "{\"name\": \"solo\", \"enabledModels\": [\"beta-1b-q4_0\"]}");
        long before = live.post("/api/models/profiles/solo/activate").json().path("started").size();
        assertThat(before).isEqualTo(1);
        long firstPid = live.server("beta-1b-q4_0").orElseThrow().path("pid").asLong();

        live.restart();

        assertThat(isRunning(firstPid)).as("stopped with the first MAGI").isFalse();
        JsonNode back = live.awaitServer("beta-1b-q4_0", "ready", s -> s.path("state").asText().equals("ready"));
        assertThat(back.path("pid").asLong()).isNotEqualTo(firstPid);
        assertThat(live.server("alpha-1b-q4_0")).isEmpty();
        assertThat(live.get("/api/models/profiles/active").json().path("profileName").asText()).isEqualTo("solo");
    }

    @Test
    @DisplayName("ACTIVE_PROFILE is activated at start; a missing one stops the start with a clear error")
    void activeProfileAtStart() throws Exception {
        live.install(live.fake()).start();
        live.post("/api/models/profiles", "{\"name\": \"night\", \"enabledModels\": [\"gamma-1b-q4_0\"]}");
        live.close();

        live.set(ConfigKey.ACTIVE_PROFILE, "ghost");
        assertThatThrownBy(live::build)
                .isInstanceOfSatisfying(MagiException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("'ghost'").hasMessageContaining("ACTIVE_PROFILE").hasMessageContaining("night");

        live.install(live.fake().loadMillis(3_000)).set(ConfigKey.ACTIVE_PROFILE, "night").start();

        // Active from the moment its models are enabled, while their servers still load.
        live.awaitServer("gamma-1b-q4_0", "starting", s -> s.path("state").asText().equals("starting"));
        assertThat(live.get("/api/models/profiles/active").json().path("profileName").asText()).isEqualTo("night");
        live.awaitServer("gamma-1b-q4_0", "ready", s -> s.path("state").asText().equals("ready"));
        assertThat(enabled("gamma-1b-q4_0")).isTrue();
        assertThat(enabled("alpha-1b-q4_0")).isFalse();
        assertThat(live.get("/api/models/profiles/active").json().path("profileName").asText()).isEqualTo("night");
    }

    private boolean startingAtOnce(String... ids) {
        try {
            for (String id : ids) {
                if (!live.server(id).map(s -> s.path("state").asText().equals("starting")).orElse(false)) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String state(String id) throws Exception {
        return live.server(id).orElseThrow().path("state").asText();
    }

    private boolean enabled(String id) throws Exception {
        return live.get("/api/models/" + id).json().path("enabled").asBoolean();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}

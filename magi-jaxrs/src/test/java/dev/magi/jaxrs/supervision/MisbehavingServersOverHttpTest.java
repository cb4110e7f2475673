package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.jaxrs.ApiServer;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.magi.jaxrs.supervision.LiveMagi.isRunning;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A llama-server that misbehaves, seen over HTTP")
class MisbehavingServersOverHttpTest extends OneModelOverHttpTest {
    @Test
    @DisplayName("crashing while it loads fails the start with 502, its exit code and its last lines")
    void crashDuringLoad() throws Exception {
        live.install(live.fake().exitDuringLoad(3)).start();

        ApiServer.Reply reply = live.post(SERVERS + ID + "/start");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(502);
        JsonNode error = reply.json();
        assertThat(error.path("error").asText()).isEqualTo("ServerStartFailed");
        assertThat(error.path("message").asText()).contains("exited with code 3");
        assertThat(error.path("details").path("exitCode").asInt()).isEqualTo(3);
        assertThat(error.path("details").path("logTail").toString())
                .contains("simulated crash during load").contains("exiting with code 3 while loading");
        JsonNode server = live.server(ID).orElseThrow();
        assertThat(server.path("state").asText()).isEqualTo("failed");
        assertThat(server.path("lastExitCode").asInt()).isEqualTo(3);
        assertThat(server.path("lastError").asText()).contains("exited with code 3");
    }

    @Test
    @DisplayName("crashing while ready is restarted: a new pid, restartCount 1")
    void crashAfterReady() throws Exception {
        live.install(live.fake().crashAfterReady(200, 134).misbehaveOnlyInFirstRuns(1)).start();
        long first = live.post(SERVERS + ID + "/start").json().path("pid").asLong();

        JsonNode restarted = live.awaitServer(ID, "ready again with another pid",
                s -> s.path("state").asText().equals("ready") && s.path("pid").asLong() != first);

        assertThat(restarted.path("restartCount").asInt()).isEqualTo(1);
        assertThat(restarted.path("lastExitCode").asInt()).isEqualTo(134);
        assertThat(restarted.path("pid").asLong()).isEqualTo(live.runs().get(1));
        assertThat(isRunning(first)).isFalse();
    }

    @Test
    @DisplayName("crashing five times is left failed, with the last error")
    void fiveCrashes() throws Exception {
        live.install(live.fake().crashAfterReady(100, 134)).start();
        live.post(SERVERS + ID + "/start");

        JsonNode failed = live.awaitServer(ID, "failed", s -> s.path("state").asText().equals("failed"));

        assertThat(failed.path("restartCount").asInt()).isEqualTo(4);
        assertThat(failed.path("lastExitCode").asInt()).isEqualTo(134);
        assertThat(failed.path("lastError").asText()).contains("exited with code 134")
                .contains("5 crashes within 10 minutes");
        assertThat(failed.path("isRunning").asBoolean()).isFalse();
        assertThat(live.runs()).hasSize(5).noneMatch(LiveMagi::isRunning);
        ApiServer.Reply ready = live.get("/api/models/health/ready");
        assertThat(ready.status()).isEqualTo(503);
    }

    @Test
    @DisplayName("ignoring SIGTERM is killed once the stop timeout has passed")
    void sigtermIgnored() throws Exception {
        live.install(live.fake().ignoreSigterm()).start();
        long pid = live.post(SERVERS + ID + "/start").json().path("pid").asLong();

        ApiServer.Reply stopped = live.post(SERVERS + ID + "/stop");

        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().path("state").asText()).isEqualTo("stopped");
        assertThat(stopped.json().path("lastExitCode").asInt()).as("killed by SIGKILL").isEqualTo(137);
        assertThat(isRunning(pid)).isFalse();
        assertThat(logLines()).contains("fake: ignoring SIGTERM");
    }

    @Test
    @DisplayName("is stopped together with the processes it started")
    void grandchildren() throws Exception {
        live.install(live.fake().child("sleep 1000")).start();
        long pid = live.post(SERVERS + ID + "/start").json().path("pid").asLong();
        long child = live.childPid(ID);
        assertThat(isRunning(child)).isTrue();

        live.post(SERVERS + ID + "/stop");

        assertThat(isRunning(pid)).isFalse();
        assertThat(isRunning(child)).as("the grandchild of MAGI").isFalse();
    }

    @Test
    @DisplayName("writing 30 MB of output while it loads still becomes ready")
    void thirtyMegabytesOfOutput() throws Exception {
        live.install(live.fake().outputBytes(30L * 1024 * 1024)).start();

        ApiServer.Reply reply = live.post(SERVERS + ID + "/start");

        assertThat(reply.status()).as(reply.raw().body()).isEqualTo(200);
        assertThat(reply.json().path("state").asText()).isEqualTo("ready");
        LiveMagi.await("the end of the bulk output in the log", () -> logLinesUnchecked().contains(FakeLlamaServer.OUTPUT_DONE));
        assertThat(logLines()).hasSize(1000);
        assertThat(live.server(ID).orElseThrow().path("state").asText()).isEqualTo("ready");
    }

    private List<String> logLinesUnchecked() {
        try {
            return logLines();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> logLines() throws Exception {
        List<String> lines = new ArrayList<>();
        live.get(SERVERS + ID + "/logs?tail=1000").json().path("lines")
                .forEach(line -> lines.add(line.path("line").asText()));
        return lines;
    }
}

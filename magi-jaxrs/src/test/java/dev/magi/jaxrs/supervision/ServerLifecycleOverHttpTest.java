package dev.magi.jaxrs.supervision;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.jaxrs.ApiServer;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.magi.jaxrs.supervision.LiveMagi.await;
import static dev.magi.jaxrs.supervision.LiveMagi.isRunning;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A server started and stopped over HTTP")
class ServerLifecycleOverHttpTest extends OneModelOverHttpTest {
    @Test
    @DisplayName("answers 200 once ready, with its pid and port; is listed, logged, and stops")
    void startToReadyAndStop() throws Exception {
        live.install(live.fake()).start();

        ApiServer.Reply started = live.post(SERVERS + ID + "/start?wait=true");

        assertThat(started.status()).as(started.raw().body()).isEqualTo(200);
        JsonNode server = started.json();
        long pid = server.path("pid").asLong();
        assertThat(server.path("state").asText()).isEqualTo("ready");
        assertThat(server.path("isReady").asBoolean()).isTrue();
        assertThat(server.path("isRunning").asBoolean()).isTrue();
        assertThat(pid).isEqualTo(live.runs().get(0));
        assertThat(isRunning(pid)).isTrue();
        assertThat(server.path("port").asInt()).isEqualTo(live.get("/api/models/" + ID).json().path("port").asInt())
                .isBetween(live.firstPort, live.lastPort);

        JsonNode servers = live.get("/api/models/servers").json();
        assertThat(servers.path("totalServers").asInt()).isEqualTo(1);
        assertThat(servers.path("readyServers").asInt()).isEqualTo(1);
        assertThat(servers.path("runningServers").asInt()).isEqualTo(1);
        ApiServer.Reply ready = live.get("/api/models/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("ready");

        // The fake says it is ready before it says so in its output, on two streams drained apart:
        // wait for the last line of each.
        await("the fake's last lines in the log", () -> lastLinesIn(logs(live, 1000)));
        List<String> all = logs(live, 1000);
        assertThat(all).contains("main: loading model");
        JsonNode tail = live.get(SERVERS + ID + "/logs?tail=2").json();
        assertThat(tail.path("modelId").asText()).isEqualTo(ID);
        assertThat(tail.path("lines")).hasSize(2);
        assertThat(logs(live, 2)).containsExactlyElementsOf(all.subList(all.size() - 2, all.size()));
        assertThat(tail.path("lines").get(1).path("stream").asText()).isIn("stdout", "stderr");
        assertThat(tail.path("lines").get(1).path("timestamp").asText()).isNotEmpty();

        ApiServer.Reply stopped = live.post(SERVERS + ID + "/stop");

        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().path("state").asText()).isEqualTo("stopped");
        assertThat(stopped.json().path("isRunning").asBoolean()).isFalse();
        assertThat(stopped.json().path("pid").isNull()).isTrue();
        assertThat(isRunning(pid)).isFalse();
        ApiServer.Reply again = live.post(SERVERS + ID + "/stop");
        assertThat(again.status()).as("stopping a stopped server").isEqualTo(200);
        assertThat(again.json().path("state").asText()).isEqualTo("stopped");
    }

    @Test
    @DisplayName("with wait=false answers 202 at once; /health/ready says 503 until the server is ready")
    void slowLoadWithoutWaiting() throws Exception {
        live.install(live.fake().loadMillis(2_500)).start();

        ApiServer.Reply accepted = live.post(SERVERS + ID + "/start?wait=false");

        assertThat(accepted.status()).as(accepted.raw().body()).isEqualTo(202);
        assertThat(accepted.json().path("state").asText()).isEqualTo("starting");
        assertThat(accepted.json().path("isReady").asBoolean()).isFalse();
        long pid = accepted.json().path("pid").asLong();
        assertThat(pid).isPositive();
        ApiServer.Reply loading = live.get("/api/models/health/ready");
        assertThat(loading.status()).as(loading.raw().body()).isEqualTo(503);
        assertThat(loading.json().path("status").asText()).isEqualTo("not_ready");

        await("/health/ready answers 200", () -> status(live, "/api/models/health/ready") == 200);
        assertThat(live.server(ID).orElseThrow().path("pid").asLong()).isEqualTo(pid);
        assertThat(live.server(ID).orElseThrow().path("state").asText()).isEqualTo("ready");
    }

    @Test
    @DisplayName("started by four requests at once runs one process, which all four answer")
    void concurrentStarts() throws Exception {
        live.install(live.fake().loadMillis(500)).start();
        CyclicBarrier together = new CyclicBarrier(4);
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<ApiServer.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                replies.add(callers.submit(() -> {
                    together.await();
                    return live.post(SERVERS + ID + "/start");
                }));
            }
            List<Long> pids = new ArrayList<>();
            for (Future<ApiServer.Reply> reply : replies) {
                ApiServer.Reply answer = reply.get();
                assertThat(answer.status()).as(answer.raw().body()).isEqualTo(200);
                assertThat(answer.json().path("state").asText()).isEqualTo("ready");
                pids.add(answer.json().path("pid").asLong());
            }
            assertThat(pids).containsOnly(live.runs().get(0));
            assertThat(live.runs()).hasSize(1);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    @DisplayName("stopped while it starts: the start is cancelled with 409 and one INFO line, and its process is gone")
    void stopDuringStart() throws Exception {
        live.install(live.fake().loadMillis(25_000)).start();
        CapturedStderr stderr = new CapturedStderr();
        CompletableFuture<ApiServer.Reply> start = CompletableFuture.supplyAsync(() -> {
            try {
                return live.post(SERVERS + ID + "/start");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("the fake is loading", () -> !runs().isEmpty());
        long pid = live.runs().get(0);
        assertThat(live.server(ID).orElseThrow().path("state").asText()).isEqualTo("starting");

        ApiServer.Reply stopped = live.post(SERVERS + ID + "/stop");

        assertThat(stopped.status()).isEqualTo(200);
        assertThat(stopped.json().path("state").asText()).isEqualTo("stopped");
        assertThat(isRunning(pid)).isFalse();
        ApiServer.Reply cancelled;
        try (stderr) {
            cancelled = start.get();
        }
        assertThat(stderr.text().lines().filter(line -> line.contains("cancelled by a stop")))
                .singleElement().asString().contains("INFO").contains("StartCancelled");
        assertThat(stderr.text()).doesNotContain("ERROR").doesNotContain("\tat ");
        assertThat(cancelled.status()).as(cancelled.raw().body()).isEqualTo(409);
        assertThat(cancelled.json().path("error").asText()).isEqualTo("StartCancelled");
        assertThat(cancelled.json().path("message").asText()).contains("cancelled by a stop");
        assertThat(live.server(ID).orElseThrow().path("state").asText()).isEqualTo("stopped");
        assertThat(live.runs()).hasSize(1);
    }

    @Test
    @DisplayName("moves off a port another program holds; a port change while it runs needs a restart")
    void portHeldByAnotherProgram() throws Exception {
        live.install(live.fake()).start();
        int port;
        try (ServerSocket other = LiveMagi.hold(live.firstPort)) {
            ApiServer.Reply started = live.post(SERVERS + ID + "/start");

            assertThat(started.status()).as(started.raw().body()).isEqualTo(200);
            port = started.json().path("port").asInt();
            assertThat(port).isNotEqualTo(live.firstPort).isBetween(live.firstPort, live.lastPort);
            assertThat(live.get("/api/models/" + ID).json().path("port").asInt()).isEqualTo(port);
        }

        ApiServer.Reply moved = live.put("/api/models/" + ID + "/port", "{\"port\": " + live.lastPort + "}");

        assertThat(moved.status()).as(moved.raw().body()).isEqualTo(200);
        assertThat(moved.json().path("port").asInt()).isEqualTo(live.lastPort);
        assertThat(moved.json().path("restartRequired").asBoolean()).isTrue();
        ApiServer.Reply back = live.put("/api/models/" + ID + "/port", "{\"port\": " + port + "}");
        assertThat(back.json().path("restartRequired").asBoolean()).as("back to the port it runs on").isFalse();
        live.post(SERVERS + ID + "/stop");
        ApiServer.Reply whileStopped = live.put("/api/models/" + ID + "/port", "{\"port\": " + live.firstPort + "}");
        assertThat(whileStopped.json().path("restartRequired").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("refuses with 409 PortInUse to start on a port the user pinned and another program holds")
    void pinnedPortHeld() throws Exception {
        live.install(live.fake()).start();
        int pinned = live.firstPort + 3;
        assertThat(live.put("/api/models/" + ID + "/port", "{\"port\": " + pinned + "}").status()).isEqualTo(200);
        try (ServerSocket other = LiveMagi.hold(pinned)) {
            ApiServer.Reply refused = live.post(SERVERS + ID + "/start");

            assertThat(refused.status()).as(refused.raw().body()).isEqualTo(409);
            assertThat(refused.json().path("error").asText()).isEqualTo("PortInUse");
            assertThat(refused.json().path("details").path("port").asInt()).isEqualTo(pinned);
        }
        assertThat(live.runs()).isEmpty();
    }

    private List<Long> runs() {
        try {
            return live.runs();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> logs(LiveMagi live, int tail) {
        try {
            List<String> lines = new ArrayList<>();
            live.get(SERVERS + ID + "/logs?tail=" + tail).json().path("lines")
                    .forEach(line -> lines.add(line.path("line").asText()));
            return lines;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int status(LiveMagi live, String path) {
        try {
            return live.get(path).status();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the last line the fake writes on stdout and the last on stderr are both in {@code lines}. */
    static boolean lastLinesIn(List<String> lines) {
        return lines.contains(FakeLlamaServer.LAST_LINE)
                && lines.stream().anyMatch(line -> line.startsWith(FakeLlamaServer.LISTENING));
    }
}

package dev.magi.core.supervision;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.Tier;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.magi.core.supervision.Harness.await;
import static dev.magi.core.supervision.Harness.isRunning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Starting and stopping a server")
class StartAndStopTest extends HarnessTest {
    @Test
    @DisplayName("starts llama-server with the documented command line, reports it ready, and stops it")
    void startToReadyAndStop() throws Exception {
        GgufWriter.typicalModel().writeTo(harness.modelsDir.resolve("mmproj-small-f16.gguf"));
        String id = harness.model("Small-1B-Q4_K_M.gguf");
        harness.registry.updateRuntimeSettings(id, s -> new RuntimeSettings(0, 4096, 2, 256));
        harness.registry.setTierOverride(id, Tier.POWERFUL);
        harness.set(ConfigKey.LLAMA_ARGS, "--log-disable --parallel \"2\"").install(harness.fake());
        ServerSupervisor supervisor = harness.supervisor();
        List<ServerStatus> events = new CopyOnWriteArrayList<>();
        supervisor.addListener(events::add);

        ServerStatus ready = supervisor.start(id, true);

        DiscoveredModel model = harness.registry.require(id);
        assertThat(model.mmprojPath()).endsWith("mmproj-small-f16.gguf");
        assertThat(harness.argv()).containsExactly(
                "--model", model.filePath(), "--host", "127.0.0.1", "--port", model.port().toString(),
                "--alias", id, "--ctx-size", "4096", "--n-gpu-layers", "0", "--threads", "2",
                "--batch-size", "256", "--mmproj", model.mmprojPath(), "--log-disable", "--parallel", "2");
        assertThat(ready.state()).isEqualTo(ServerState.READY);
        assertThat(ready.isReady()).isTrue();
        assertThat(ready.isRunning()).isTrue();
        assertThat(ready.port()).isEqualTo(model.port());
        assertThat(ready.pid()).isEqualTo(harness.runs().get(0));
        assertThat(ready.tier()).isEqualTo(Tier.POWERFUL);
        assertThat(ready.displayName()).isEqualTo(model.displayName());
        assertThat(ready.startedAt()).isNotNull();
        assertThat(ready.uptimeSeconds()).isNotNull().isGreaterThanOrEqualTo(0L);
        assertThat(ready.restartCount()).isZero();
        assertThat(ready.lastError()).isNull();
        assertThat(supervisor.servers()).extracting(ServerStatus::modelId).containsExactly(id);
        // Like llama-server, the fake turns ready a moment before it logs so: the line may come after.
        await("the ready line in the log", () -> supervisor.logs(id, 200).stream()
                .anyMatch(l -> l.line().equals("main: model loaded")));
        assertThat(harness.dataDir.resolve("pids.json")).content().contains("\"pid\" : " + ready.pid());

        ServerStatus stopped = supervisor.stop(id);

        assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
        assertThat(stopped.isRunning()).isFalse();
        assertThat(stopped.pid()).isNull();
        assertThat(stopped.uptimeSeconds()).isNull();
        assertThat(stopped.lastExitCode()).isZero();
        assertThat(isRunning(ready.pid())).isFalse();
        assertThat(supervisor.stop(id).state()).as("stopping again").isEqualTo(ServerState.STOPPED);
        assertThat(harness.dataDir.resolve("pids.json")).content().doesNotContain("\"pid\"");
        await("the stopped event", () -> events.stream().anyMatch(e -> e.state() == ServerState.STOPPED));
        assertThat(events).extracting(ServerStatus::state).containsSubsequence(
                ServerState.STARTING, ServerState.READY, ServerState.STOPPING, ServerState.STOPPED);
    }

    @Test
    @DisplayName("passes the model's own arguments last, after LLAMA_SERVER_ARGS")
    void extraArguments() throws Exception {
        String id = harness.model("Tuned-1B-Q4_K_M.gguf");
        harness.registry.updateRuntimeSettings(id, s -> s.withExtraArgs(
                List.of("--jinja", "--cache-type-k", "q8_0", "--chat-template-file", "/t/with space.jinja")));
        harness.set(ConfigKey.LLAMA_ARGS, "--log-disable").install(harness.fake());

        harness.supervisor().start(id, true);

        DiscoveredModel model = harness.registry.require(id);
        assertThat(harness.argv()).containsExactly(
                "--model", model.filePath(), "--host", "127.0.0.1", "--port", model.port().toString(),
                "--alias", id, "--log-disable",
                "--jinja", "--cache-type-k", "q8_0", "--chat-template-file", "/t/with space.jinja");
    }

    @Test
    @DisplayName("gives the process the model's variables on top of MAGI's environment")
    void environment() throws Exception {
        String id = harness.model("Tuned-1B-Q4_K_M.gguf");
        // The fake reads its behaviour from its environment: this variable, set only on the model,
        // makes it exit with code 7 while loading, which only happens if the variable reached it.
        harness.registry.updateRuntimeSettings(id, s -> s.withEnv(Map.of("FAKE_LLAMA_LOAD_EXIT", "7")));
        harness.install(harness.fake());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = StartFailuresTest.startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.details()).containsEntry("exitCode", 7);

        harness.registry.updateRuntimeSettings(id, s -> s.withEnv(null));
        assertThat(supervisor.start(id, true).state()).isEqualTo(ServerState.READY);
    }

    @Test
    @DisplayName("returns at once in state starting when not asked to wait, and becomes ready later")
    void slowLoadWithoutWaiting() throws Exception {
        String id = harness.model("slow-1b-q4_0.gguf");
        harness.install(harness.fake().loadMillis(3_000));
        ServerSupervisor supervisor = harness.supervisor();

        ServerStatus starting = supervisor.start(id, false);

        assertThat(starting.state()).isEqualTo(ServerState.STARTING);
        assertThat(starting.isReady()).isFalse();
        assertThat(starting.pid()).isNotNull();
        assertThat(supervisor.server(id)).get().extracting(ServerStatus::isReady).isEqualTo(false);
        await("ready", () -> supervisor.server(id).orElseThrow().state() == ServerState.READY);
        assertThat(supervisor.server(id).orElseThrow().pid()).isEqualTo(starting.pid());
    }

    @Test
    @DisplayName("starts one process when four callers start the same model at once")
    void concurrentStarts() throws Exception {
        String id = harness.model("shared-1b-q4_0.gguf");
        harness.install(harness.fake().loadMillis(500));
        ServerSupervisor supervisor = harness.supervisor();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            CyclicBarrier together = new CyclicBarrier(4);
            List<Future<ServerStatus>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                boolean wait = i % 2 == 0;
                results.add(callers.submit(() -> {
                    together.await();
                    return supervisor.start(id, wait);
                }));
            }
            List<Long> pids = new ArrayList<>();
            for (Future<ServerStatus> result : results) {
                pids.add(result.get().pid());
            }
            await("ready", () -> supervisor.server(id).orElseThrow().isReady());
            assertThat(harness.runs()).hasSize(1);
            assertThat(pids).containsOnly(harness.runs().get(0));
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    @DisplayName("cancels a start in progress when stopped, and ends its process")
    void stopDuringStart() throws Exception {
        String id = harness.model("loading-1b-q4_0.gguf");
        harness.install(harness.fake().loadMillis(120_000));
        ServerSupervisor supervisor = harness.supervisor();
        CompletableFuture<ServerStatus> waiting = CompletableFuture.supplyAsync(() -> supervisor.start(id, true));
        ServerStatus starting = Harness.awaitValue("a process loading", () -> supervisor.server(id).orElseThrow(),
                s -> s.state() == ServerState.STARTING && s.pid() != null);

        ServerStatus stopped = supervisor.stop(id);

        assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
        assertThat(isRunning(starting.pid())).isFalse();
        assertThat(waiting).failsWithin(Harness.PATIENCE).withThrowableOfType(Exception.class)
                .havingCause().isInstanceOfSatisfying(MagiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.START_CANCELLED);
                    assertThat(e.getMessage()).contains("cancelled by a stop");
                });
        assertThat(supervisor.server(id).orElseThrow().state()).isEqualTo(ServerState.STOPPED);
        assertThat(harness.runs()).as("no second process").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("kills a server that ignores SIGTERM once the stop timeout has passed")
    void sigtermIgnored() throws Exception {
        String id = harness.model("stubborn-1b-q4_0.gguf");
        harness.install(harness.fake().ignoreSigterm());
        ServerSupervisor supervisor = harness.supervisor();
        long pid = supervisor.start(id, true).pid();

        ServerStatus stopped = supervisor.stop(id);

        assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
        assertThat(isRunning(pid)).isFalse();
        assertThat(stopped.lastExitCode()).isEqualTo(137);
        assertThat(supervisor.logs(id, 50)).extracting(LogLine::line).contains("fake: ignoring SIGTERM");
    }

    @Test
    @DisplayName("stops the processes a server started along with it")
    void grandchildrenStopped() throws Exception {
        String id = harness.model("parent-1b-q4_0.gguf");
        harness.install(harness.fake().child("sleep 1000"));
        ServerSupervisor supervisor = harness.supervisor();
        supervisor.start(id, true);
        long child = childPid(supervisor, id);
        assertThat(isRunning(child)).isTrue();

        supervisor.stop(id);

        assertThat(isRunning(child)).isFalse();
    }

    @Test
    @DisplayName("answers a stopped server for a model never started, and ModelNotFound for an unknown id")
    void neverStartedAndUnknown() throws Exception {
        String id = harness.model("idle-1b-q4_0.gguf");
        ServerSupervisor supervisor = harness.supervisor();

        assertThat(supervisor.stop(id).state()).isEqualTo(ServerState.STOPPED);
        assertThat(supervisor.server(id)).get().extracting(ServerStatus::state).isEqualTo(ServerState.STOPPED);
        assertThat(supervisor.servers()).isEmpty();
        assertThat(supervisor.logs(id, 10)).isEmpty();
        assertThat(supervisor.server("nope")).isEmpty();
        for (var call : List.<Runnable>of(() -> supervisor.start("nope", true), () -> supervisor.stop("nope"),
                () -> supervisor.logs("nope", 1))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(MagiException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_FOUND));
        }
    }

    @Test
    @DisplayName("starts several models at once, reporting each one's outcome")
    void startAll() throws Exception {
        String first = harness.model("first-1b-q4_0.gguf");
        String second = harness.model("second-1b-q4_0.gguf");
        harness.install(harness.fake());
        ServerSupervisor supervisor = harness.supervisor();
        supervisor.start(first, true);

        StartAllResult result = supervisor.startAll(List.of(first, second, "nope"));

        assertThat(result.alreadyRunning()).containsExactly(first);
        assertThat(result.started()).containsExactly(second);
        assertThat(result.failed()).containsExactly(
                new StartAllResult.Failure("nope", "ModelNotFound", "Model 'nope' not found"));
        assertThat(supervisor.servers()).allMatch(ServerStatus::isReady).hasSize(2);
        assertThat(supervisor.stopAll()).isEqualTo(2);
        assertThat(supervisor.servers()).noneMatch(ServerStatus::isRunning);
    }

    /** The pid of the child the fake started, once its line has been drained from the output. */
    static long childPid(ServerSupervisor supervisor, String id) {
        Pattern pattern = Pattern.compile("fake: started child pid (\\d+)");
        long[] pid = {-1};
        await("the fake's line naming its child", () -> {
            for (LogLine line : supervisor.logs(id, 1000)) {
                Matcher matcher = pattern.matcher(line.line());
                if (matcher.matches()) {
                    pid[0] = Long.parseLong(matcher.group(1));
                    return true;
                }
            }
            return false;
        });
        return pid[0];
    }
}

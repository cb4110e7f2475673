package dev.magi.core.supervision;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.magi.core.supervision.Harness.awaitValue;
import static dev.magi.core.supervision.Harness.isRunning;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A server that crashes while ready")
class RestartTest extends HarnessTest {
    @Test
    @DisplayName("is restarted as a new process and counted")
    void restartedAfterCrash() throws Exception {
        String id = harness.model("flaky-1b-q4_0.gguf");
        harness.install(harness.fake().crashAfterReady(300, 7).misbehaveOnlyInFirstRuns(1));
        ServerSupervisor supervisor = harness.supervisor();
        List<ServerStatus> events = new CopyOnWriteArrayList<>();
        supervisor.addListener(events::add);
        long firstPid = supervisor.start(id, true).pid();

        ServerStatus again = awaitValue("ready again as another process", () -> supervisor.server(id).orElseThrow(),
                s -> s.isReady() && s.pid() != null && s.pid() != firstPid);

        assertThat(again.restartCount()).isEqualTo(1);
        assertThat(again.lastExitCode()).isEqualTo(7);
        assertThat(again.lastError()).contains("exited with code 7 while ready");
        assertThat(isRunning(firstPid)).isFalse();
        assertThat(harness.runs()).containsExactly(firstPid, again.pid());
        Harness.await("the ready event", () -> events.stream().anyMatch(e -> e.pid() != null
                && e.pid().equals(again.pid()) && e.isReady()));
        assertThat(events).extracting(ServerStatus::state).containsSubsequence(
                ServerState.READY, ServerState.RESTARTING, ServerState.READY);
    }

    @Test
    @DisplayName("is left failed with the last error after five crashes within ten minutes")
    void failedAfterFiveCrashes() throws Exception {
        String id = harness.model("doomed-1b-q4_0.gguf");
        harness.install(harness.fake().crashAfterReady(100, 9));
        ServerSupervisor supervisor = harness.supervisor();
        supervisor.start(id, true);

        ServerStatus failed = awaitValue("failed", () -> supervisor.server(id).orElseThrow(),
                s -> s.state() == ServerState.FAILED);

        assertThat(failed.restartCount()).isEqualTo(4);
        assertThat(failed.isRunning()).isFalse();
        assertThat(failed.pid()).isNull();
        assertThat(failed.lastExitCode()).isEqualTo(9);
        assertThat(failed.lastError()).contains("exited with code 9").contains("5 crashes within 10 minutes");
        assertThat(harness.runs()).hasSize(5).allMatch(pid -> !isRunning(pid));

        // A start asked for by the user begins again.
        assertThat(supervisor.start(id, false).restartCount()).isZero();
    }

    @Test
    @DisplayName("waits 1, 2, 4 ... seconds between restarts, at most a minute")
    void backOff() throws Exception {
        harness.model("any-1b-q4_0.gguf");
        SupervisorOptions options = harness.options().withRestartPolicy(SupervisorOptions.FIRST_RESTART_DELAY,
                SupervisorOptions.MAX_RESTART_DELAY, 100, SupervisorOptions.CRASH_WINDOW);
        ServerSupervisor supervisor = harness.supervisor(options);
        SupervisedServer server = supervisor.serversById().computeIfAbsent("any-1b-q4_0",
                id -> new SupervisedServer(id, new SupervisedServer.Shared(harness.registry, options, null, null,
                        null, s -> { })));

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(server::backOff).toList()).containsExactly(
                Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("stays stopped when stopped while waiting to be restarted")
    void stopDuringBackOff() throws Exception {
        String id = harness.model("flaky-1b-q4_0.gguf");
        harness.install(harness.fake().crashAfterReady(100, 7));
        SupervisorOptions options = harness.options().withRestartPolicy(Duration.ofMinutes(10),
                Duration.ofMinutes(10), 5, SupervisorOptions.CRASH_WINDOW);
        ServerSupervisor supervisor = harness.supervisor(options);
        supervisor.start(id, true);
        awaitValue("restarting", () -> supervisor.server(id).orElseThrow(),
                s -> s.state() == ServerState.RESTARTING);

        ServerStatus stopped = supervisor.stop(id);

        assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
        assertThat(stopped.restartCount()).isEqualTo(1);
        assertThat(harness.runs()).hasSize(1);
    }
}

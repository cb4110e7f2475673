package dev.magi.core.supervision;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LeftRunning;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A server whose launcher queues it (a job waiting for resources)")
class PendingTest extends HarnessTest {
    @Test
    @DisplayName("is pending with the queue's reason, then starting and ready once it runs, at its endpoint")
    void pendingThenReady() throws Exception {
        String id = harness.model("queued-1b-q4_0.gguf");
        harness.install(harness.fake());
        SupervisorOptions options = harness.options();
        Queue queue = new Queue(Harness.localLauncher(options));
        ServerSupervisor supervisor = harness.supervisor(options, queue);

        supervisor.start(id, false);

        ServerStatus pending = Harness.awaitValue("the server is pending", () -> supervisor.server(id).orElseThrow(),
                status -> status.state() == ServerState.PENDING);
        assertThat(pending.lastError()).isEqualTo("Resources");
        assertThat(pending.isRunning()).isFalse();
        assertThat(pending.pid()).isNull();
        assertThat(pending.endpoint()).isNull();
        assertThat(pending.launcher()).isEqualTo("queue");
        assertThat(pending.launch()).containsEntry("jobId", "1");
        assertThat(harness.runs()).as("nothing runs while it waits").isEmpty();

        queue.last.release();

        ServerStatus ready = Harness.awaitValue("the server is ready", () -> supervisor.server(id).orElseThrow(),
                status -> status.state() == ServerState.READY);
        assertThat(ready.lastError()).isNull();
        assertThat(ready.endpoint()).isEqualTo(queue.last.endpoint().orElseThrow());
        assertThat(ready.port()).isEqualTo(ready.endpoint().getPort());
        assertThat(ready.launch()).containsEntry("jobId", "1").containsEntry("node", "n01");
        assertThat(supervisor.logs(id, 100)).extracting(LogLine::line).contains("waiting for a place: Resources");

        assertThat(supervisor.stop(id).state()).isEqualTo(ServerState.STOPPED);
    }

    @Test
    @DisplayName("is stopped while it waits: the job is called off and nothing ever runs")
    void stoppedWhilePending() throws Exception {
        String id = harness.model("cancelled-1b-q4_0.gguf");
        harness.install(harness.fake());
        SupervisorOptions options = harness.options();
        Queue queue = new Queue(Harness.localLauncher(options));
        ServerSupervisor supervisor = harness.supervisor(options, queue);
        supervisor.start(id, false);
        Harness.await("the server is pending", () -> supervisor.server(id).orElseThrow().state() == ServerState.PENDING);

        ServerStatus stopped = supervisor.stop(id);

        assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
        assertThat(queue.last.state()).isEqualTo(new LaunchState.Ended(null, null, LaunchState.Cause.STOPPED));
        assertThat(harness.runs()).isEmpty();
    }

    @Test
    @DisplayName("does not fail for MAX_STARTUP_TIME while it waits: the start's deadline counts from the moment it runs")
    void deadlineFromRunning() throws Exception {
        harness.set(ConfigKey.MAX_STARTUP_TIME, "8");
        String id = harness.model("patient-1b-q4_0.gguf");
        harness.install(harness.fake());
        SupervisorOptions options = harness.options();
        Queue queue = new Queue(Harness.localLauncher(options));
        ServerSupervisor supervisor = harness.supervisor(options, queue);
        supervisor.start(id, false);
        Harness.await("the server is pending", () -> supervisor.server(id).orElseThrow().state() == ServerState.PENDING);

        Harness.await("the job has waited longer than MAX_STARTUP_TIME",
                () -> queue.last.pendingFor().compareTo(options.maxStartupTime().plusSeconds(1)) > 0);
        assertThat(supervisor.server(id).orElseThrow().state()).isEqualTo(ServerState.PENDING);
        queue.last.release();

        ServerStatus ready = Harness.awaitValue("the server is ready or failed", () -> supervisor.server(id)
                .orElseThrow(), status -> status.state() == ServerState.READY || status.state() == ServerState.FAILED);
        assertThat(ready.state()).as(String.valueOf(ready.lastError())).isEqualTo(ServerState.READY);
    }

    /** A launcher that queues every start until the test releases it, then runs it locally. */
    private static final class Queue implements Launcher {
        private final Launcher local;
        volatile Queued last;

        Queue(Launcher local) {
            this.local = local;
        }

        @Override
        public String name() {
            return "queue";
        }

        @Override
        public Launch start(LaunchSpec spec, LaunchListener listener) {
            last = new Queued(local, spec, listener);
            return last;
        }

        @Override
        public List<LeftRunning> leftRunning() {
            return List.of();
        }
    }

    /** One queued start: pending until released, then the local launch it became. */
    private static final class Queued implements Launch {
        private final Launcher local;
        private final LaunchSpec spec;
        private final LaunchListener listener;
        private final CompletableFuture<LaunchState.Ended> ended = new CompletableFuture<>();
        private volatile Launch running;
        private final long queuedAt = System.nanoTime();

        Queued(Launcher local, LaunchSpec spec, LaunchListener listener) {
            this.local = local;
            this.spec = spec;
            this.listener = listener;
        }

        /** How long it has been queued. */
        Duration pendingFor() {
            return Duration.ofNanos(System.nanoTime() - queuedAt);
        }

        synchronized void release() {
            running = local.start(spec, listener);
            running.ended().thenAccept(ended::complete);
            listener.stateChanged(running.state());
        }

        @Override
        public synchronized LaunchState state() {
            if (running != null) {
                return running.state();
            }
            return ended.isDone() ? ended.join() : new LaunchState.Pending("Resources");
        }

        @Override
        public CompletionStage<LaunchState.Ended> ended() {
            return ended;
        }

        @Override
        public String describe() {
            return "job 1";
        }

        @Override
        public Map<String, Object> details() {
            return running == null ? Map.of("jobId", "1") : Map.of("jobId", "1", "node", "n01");
        }

        @Override
        public LaunchState.Ended stop(Duration grace) {
            Launch launch;
            synchronized (this) {
                launch = running;
                if (launch == null) {
                    LaunchState.Ended end = new LaunchState.Ended(null, null, LaunchState.Cause.STOPPED);
                    if (ended.complete(end)) {
                        listener.stateChanged(end);
                    }
                    return ended.join();
                }
            }
            return launch.stop(grace);
        }
    }
}

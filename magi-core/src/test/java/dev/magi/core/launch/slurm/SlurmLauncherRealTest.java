package dev.magi.core.launch.slurm;

import dev.magi.spi.Settings;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LeftRunning;
import dev.magi.spi.launch.PortAssignment;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.RealSlurm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@code slurm} launcher against a real Slurm cluster (scripts/slurm-setup.sh's one machine with
 * two fake GPUs), the testkit's fake llama-server running as the jobs.
 */
@DisplayName("The slurm launcher on a real cluster")
class SlurmLauncherRealTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Duration GRACE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private final String install = "test-" + UUID.randomUUID();
    private final List<Launcher> launchers = new ArrayList<>();
    private final List<Launch> launches = new ArrayList<>();
    private Path fake;

    @BeforeEach
    void cluster() throws IOException {
        assumeTrue(RealSlurm.availableOrSkip(), RealSlurm::absentMessage);
        fake = FakeLlamaServer.launcher().loadMillis(50).writeTo(dir.resolve("fake-llama-server"));
    }

    @AfterEach
    void stopAll() {
        for (Launch launch : launches) {
            launch.stop(GRACE);
        }
        for (Launcher launcher : launchers) {
            launcher.close();
        }
    }

    @Test
    @DisplayName("runs a model as a job: pending, then running at the endpoint it published, its output heard, stopped with scancel")
    void startAndStop() throws Exception {
        Launcher launcher = open(install);
        Heard heard = new Heard();
        Launch launch = start(launcher, "m1", 0, heard);
        assertThat(launch.state()).isInstanceOf(LaunchState.Pending.class);
        assertThat(launch.describe()).startsWith("job ");

        URI endpoint = awaitRunning(launch);
        Eventually.await(PATIENCE, "the server answers /health with 200", () -> health(endpoint) == 200);
        assertThat(heard.states).first().isInstanceOf(LaunchState.Running.class);
        Eventually.await(PATIENCE, "the server's output is heard", () -> heard.lines.stream().anyMatch(
                l -> l.startsWith(EndpointLine.PREFIX)));
        assertThat(launch.details()).containsKey("jobId");
        Eventually.await(PATIENCE, "the job's node is known", () -> launch.details().containsKey("node"));

        LaunchState.Ended ended = launch.stop(GRACE);
        assertThat(ended.cause()).isEqualTo(LaunchState.Cause.STOPPED);
        assertThat(launch.ended().toCompletableFuture()).isCompletedWithValue(ended);
        assertThat(heard.states).last().isEqualTo(ended);
        String jobId = (String) launch.details().get("jobId");
        assertThat(SlurmCli.forCurrentUser(SlurmCli.DEFAULT_TIMEOUT).jobs()).noneMatch(j -> j.jobId().equals(jobId)
                && (j.state().phase() == JobState.Phase.QUEUED || j.state().phase() == JobState.Phase.RUNNING));
        assertThat(launch.stop(GRACE)).as("a second stop answers the same end").isEqualTo(ended);
    }

    @Test
    @DisplayName("reports a job cancelled from outside as an end MAGI did not ask for")
    void cancelledFromOutside() throws Exception {
        Launcher launcher = open(install);
        Heard heard = new Heard();
        Launch launch = start(launcher, "victim", 0, heard);
        awaitRunning(launch);
        new ProcessBuilder("scancel", (String) launch.details().get("jobId")).inheritIO().start().waitFor();

        LaunchState.Ended ended = launch.ended().toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertThat(ended.cause()).isEqualTo(LaunchState.Cause.EXITED);
        assertThat(ended.reason()).contains("CANCELLED");
    }

    @Test
    @DisplayName("reports a job whose node died as an end MAGI did not ask for, and runs the next job once a node is up")
    void nodeFailure() throws Exception {
        Launcher launcher = open(install);
        Launch launch = start(launcher, "unlucky", 0, new Heard());
        awaitRunning(launch);
        String node = (String) Eventually.awaitValue(PATIENCE, "the job's node is known",
                () -> launch.details().get("node"), n -> n != null);
        try {
            scontrol("update", "NodeName=" + node, "State=DOWN", "Reason=magi-node-failure-test");
            LaunchState.Ended ended = launch.ended().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(ended.cause()).isEqualTo(LaunchState.Cause.EXITED);
            assertThat(ended.reason()).contains("NODE_FAIL");
        } finally {
            // ReturnToService=2 brings the node back by itself once slurmd answers; RESUME in case it has not.
            scontrol("update", "NodeName=" + node, "State=RESUME");
        }
        Launch again = start(launcher, "unlucky", 0, new Heard());
        URI endpoint = awaitRunning(again);
        Eventually.await(PATIENCE, "the new job's server answers", () -> health(endpoint) == 200);
    }

    @Test
    @DisplayName("keeps a job that waits for GPUs pending, with Slurm's reason")
    void pendingForGpus() throws Exception {
        Launcher launcher = open(install);
        Launch first = start(launcher, "big", 2, new Heard());
        awaitRunning(first);
        Heard heard = new Heard();
        Launch second = start(launcher, "waits", 1, heard);
        Eventually.await(PATIENCE, "the second job is pending for Resources", () -> second.state()
                instanceof LaunchState.Pending pending && "Resources".equals(pending.reason()));
        assertThat(heard.states).containsExactly(new LaunchState.Pending("Resources"));

        first.stop(GRACE);
        awaitRunning(second);
    }

    @Test
    @DisplayName("lets a new launcher of the same install adopt a running job, and hides it from other installs")
    void adoption() throws Exception {
        Launcher before = open(install);
        Launch launch = start(before, "kept", 0, new Heard());
        URI endpoint = awaitRunning(launch);
        String jobId = (String) launch.details().get("jobId");
        before.close();

        assertThat(open("another-" + UUID.randomUUID()).leftRunning()).noneMatch(l -> l.modelId().equals("kept"));
        Launcher after = open(install);
        List<LeftRunning> left = after.leftRunning();
        assertThat(left).singleElement().satisfies(l -> {
            assertThat(l.modelId()).isEqualTo("kept");
            assertThat(l.adoptable()).isTrue();
            assertThat(l.details()).containsEntry("jobId", jobId);
        });
        Heard heard = new Heard();
        Launch adopted = left.get(0).adopt(heard);
        launches.add(adopted);
        assertThat(adopted.state()).isEqualTo(new LaunchState.Running(endpoint));
        Eventually.await(PATIENCE, "the adopted server answers /health with 200", () -> health(endpoint) == 200);

        assertThat(adopted.stop(GRACE).cause()).isEqualTo(LaunchState.Cause.STOPPED);
        assertThat(open(install).leftRunning()).isEmpty();
        assertThat(launch.stop(GRACE).cause()).as("the handle of the closed launcher sees the end by itself")
                .isEqualTo(LaunchState.Cause.STOPPED);
    }

    @Test
    @DisplayName("stops a left job that should not run")
    void stopLeft() throws Exception {
        Launcher before = open(install);
        Launch launch = start(before, "unwanted", 0, new Heard());
        awaitRunning(launch);
        before.close();

        LeftRunning left = open(install).leftRunning().get(0);
        left.stop(GRACE);
        assertThat(open(install).leftRunning()).isEmpty();
    }

    @Test
    @DisplayName("says once, as a note, that the job's output file cannot be read, and runs on")
    void unreadableOutput() throws Exception {
        Launcher launcher = open(install);
        Heard heard = new Heard();
        Launch launch = start(launcher, "blind", 0, heard);
        URI endpoint = awaitRunning(launch);
        Eventually.await(PATIENCE, "the server answers /health with 200", () -> health(endpoint) == 200);
        Path output = dir.resolve("logs").resolve("magi-blind-" + launch.details().get("jobId") + ".out");
        Files.delete(output);
        Files.createDirectory(output);
        Eventually.await(PATIENCE, "a note says the output cannot be read",
                () -> heard.notes.stream().anyMatch(n -> n.contains("cannot be read")));
        assertThat(launch.state()).isEqualTo(new LaunchState.Running(endpoint));
        assertThat(health(endpoint)).isEqualTo(200);
    }

    private static void scontrol(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("scontrol");
        command.addAll(List.of(args));
        new ProcessBuilder(command).inheritIO().start().waitFor();
    }

    private Launcher open(String installId) {
        Settings settings = Settings.of(Map.of("MAGI_SLURM_LOG_DIR", dir.resolve("logs").toString()));
        Launcher launcher = new SlurmLauncherProvider().open(
                new LauncherContext(settings, dir.resolve("data"), installId, GRACE));
        launchers.add(launcher);
        return launcher;
    }

    private Launch start(Launcher launcher, String modelId, int gpus, LaunchListener listener) throws IOException {
        Path model = Files.write(dir.resolve(modelId + ".gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0});
        LaunchSpec spec = new LaunchSpec(modelId, fake.toString(), List.of("--model", model.toString(), "--alias", modelId),
                Map.of(), new LaunchSpec.Resources(gpus, 1, 32L * 1024 * 1024), List.of(model), new NoPorts());
        Launch launch = launcher.start(spec, listener);
        launches.add(launch);
        return launch;
    }

    private static URI awaitRunning(Launch launch) {
        return Eventually.awaitValue(PATIENCE, "the job runs with an endpoint", () -> launch.endpoint().orElse(null),
                e -> e != null);
    }

    private static int health(URI endpoint) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(endpoint.resolve("/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** What one launch's listener heard. */
    private static final class Heard implements LaunchListener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<LaunchState> states = new CopyOnWriteArrayList<>();
        final List<String> notes = new CopyOnWriteArrayList<>();

        @Override
        public void output(Stream stream, List<String> read) {
            lines.addAll(read);
        }

        @Override
        public void stateChanged(LaunchState state) {
            states.add(state);
        }

        @Override
        public void note(Level level, String text) {
            notes.add(text);
        }
    }

    /** A job chooses its own port on its node: the slurm launcher never touches MAGI's port range. */
    private static final class NoPorts implements PortAssignment {
        @Override
        public int port() {
            throw new AssertionError("the slurm launcher asked for a port of the range");
        }

        @Override
        public boolean pinned() {
            return false;
        }

        @Override
        public int moveOff(IntPredicate usable) {
            throw new AssertionError("the slurm launcher moved a port of the range");
        }
    }
}

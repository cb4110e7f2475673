package dev.magi.testkit.launch;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LauncherProvider;
import dev.magi.spi.launch.LeftRunning;
import dev.magi.spi.launch.PortAssignment;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.Plugins;
import dev.magi.testkit.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The contract every launcher plugin keeps, as one suite that each launcher's test extends: MAGI's
 * {@code local} launcher runs it from its test, and a third party runs it against its own plugin by
 * depending on magi-testkit and extending this class. The server it starts is the testkit's fake
 * {@code llama-server}, a real child process that binds {@code --host}/{@code --port}, answers
 * {@code /health} and writes llama-server's lines; a launcher that places servers elsewhere (a job,
 * a pod) must be able to run it there, as the subclass arranges.
 *
 * <p>What is checked is what MAGI's supervision relies on: the launcher is found by its name; a
 * start reaches {@code Running} with an endpoint whose {@code /health} answers; output reaches the
 * listener, all of it before the end; an end MAGI did not ask for is told as {@code EXITED} with the
 * exit code, at once; a stop ends the server and its process and is idempotent; a binary that cannot
 * be run fails clearly; and a new launcher of the same installation finds what the last one left
 * running, to adopt or to stop, as {@link #adoptsWhatItLeft()} says.
 */
public abstract class LauncherContract {
    /** How long a condition may take before a test gives up: generous, since machines are busy. */
    protected static final Duration PATIENCE = Duration.ofSeconds(60);
    /** The grace of every stop: the fake stops at once on SIGTERM. */
    protected static final Duration GRACE = Duration.ofSeconds(5);

    @TempDir
    protected Path dir;
    private Path binary;
    private Path model;
    private int rangeStart;
    private final List<Launcher> launchers = new ArrayList<>();
    private final List<Launch> launches = new ArrayList<>();

    /** The provider of the launcher under test, as {@link java.util.ServiceLoader} makes one. */
    protected abstract LauncherProvider provider();

    /**
     * Whether a new launcher of the same installation can adopt what the last one left running. The
     * {@code local} launcher cannot (the pipes died with the MAGI that started its processes); a
     * launcher whose servers' output is a file can.
     */
    protected abstract boolean adoptsWhatItLeft();

    /** The settings the launcher is opened with; by default servers bind the loopback address. */
    protected Map<String, String> settings() {
        return Map.of("LLAMA_SERVER_HOST", "127.0.0.1");
    }

    /** The fake llama-server, as the subclass needs it written (where the servers run can reach it). */
    protected Path writeBinary(FakeLlamaServer.Launcher fake, Path file) throws IOException {
        return fake.writeTo(file);
    }

    @BeforeEach
    void writeFixtures() throws IOException {
        binary = writeBinary(FakeLlamaServer.launcher(), dir.resolve("bin/llama-server"));
        model = GgufWriter.typicalModel().writeTo(Files.createDirectories(dir.resolve("models"))
                .resolve("contract-1b-q4_0.gguf"));
        rangeStart = FreePorts.rangeStart(10);
    }

    @AfterEach
    void stopEverything() {
        for (Launch launch : launches) {
            launch.stop(GRACE);
        }
        for (Launcher launcher : launchers) {
            for (LeftRunning left : launcher.leftRunning()) {
                left.stop(GRACE);
            }
            launcher.close();
        }
    }

    @Test
    @DisplayName("has a lower-case name and is found by it through ServiceLoader")
    void discoverableByName() {
        LauncherProvider provider = provider();
        assertThat(provider.name()).isNotBlank().isEqualTo(provider.name().toLowerCase(Locale.ROOT));
        Map<String, LauncherProvider> available = Plugins.byName(LauncherProvider.class,
                getClass().getClassLoader(), LauncherProvider::name);
        assertThat(available).containsKey(provider.name());
        assertThat(available.get(provider.name())).isExactlyInstanceOf(provider.getClass());
        assertThat(open("install-a", "data").name()).isEqualTo(provider.name());
    }

    @Test
    @DisplayName("starts a server that runs at an endpoint whose /health answers, and stops it and its process")
    void runsAndStops() {
        Recorder recorder = new Recorder();
        Launch launch = start(open("install-a", "data"), "contract-1b", binary, recorder);

        URI endpoint = Eventually.awaitValue(PATIENCE, "the launch runs", () -> launch.endpoint().orElse(null),
                e -> e != null);
        assertThat(launch.state()).isEqualTo(new LaunchState.Running(endpoint));
        Eventually.await(PATIENCE, "GET " + endpoint + "/health answers 200", () -> health(endpoint) == 200);
        assertThat(launch.describe()).isNotBlank();
        Long pid = pid(launch);

        LaunchState.Ended end = launch.stop(GRACE);

        assertThat(end.cause()).isEqualTo(LaunchState.Cause.STOPPED);
        assertThat(launch.state()).isInstanceOf(LaunchState.Ended.class);
        assertThat(launch.ended().toCompletableFuture()).isCompleted();
        assertThat(health(endpoint)).as("nothing answers after the stop").isNotEqualTo(200);
        if (pid != null) {
            assertThat(Processes.isRunning(pid)).as("pid %s after the stop", pid).isFalse();
        }
        assertThat(recorder.ends()).as("the end is told once, last").hasSize(1);
        assertThat(recorder.events.get(recorder.events.size() - 1)).isInstanceOf(LaunchState.Ended.class);
        assertThat(launch.stop(GRACE).cause()).as("a second stop answers how it ended")
                .isEqualTo(LaunchState.Cause.STOPPED);
        assertThat(recorder.ends()).hasSize(1);
    }

    @Test
    @DisplayName("hands the server's output to the listener, line by line, as it is written")
    void outputReachesListener() {
        Recorder recorder = new Recorder();
        Launch launch = start(open("install-a", "data"), "contract-1b", binary, recorder);

        Eventually.await(PATIENCE, "the fake's last line of loading reaches the listener",
                () -> recorder.lines().contains(FakeLlamaServer.LAST_LINE));
        assertThat(recorder.lines()).anyMatch(line -> line.startsWith("build: 0 (fake)"))
                .noneMatch(line -> line.endsWith("\n") || line.endsWith("\r"));
        assertThat(launch.state()).isInstanceOf(LaunchState.Running.class);
    }

    @Test
    @DisplayName("tells an end it was not asked for as EXITED with the exit code, after every line the server wrote")
    void exitIsTold() throws Exception {
        Path failing = writeBinary(FakeLlamaServer.launcher().exitDuringLoad(3), dir.resolve("bin/failing-server"));
        Recorder recorder = new Recorder();
        Launch launch = start(open("install-a", "data"), "contract-1b", failing, recorder);

        LaunchState.Ended end = launch.ended().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(end.cause()).isEqualTo(LaunchState.Cause.EXITED);
        assertThat(end.exitCode()).isEqualTo(3);
        assertThat(launch.state()).isEqualTo(end);
        assertThat(recorder.ends()).containsExactly(end);
        assertThat(recorder.linesBeforeEnd()).anyMatch(line -> line.contains("exiting with code 3"));
    }

    @Test
    @DisplayName("fails clearly when the binary cannot be run: ServerStartFailed, or an end with a failing exit code")
    void missingBinary() throws Exception {
        Recorder recorder = new Recorder();
        Launcher launcher = open("install-a", "data");
        Path missing = dir.resolve("bin/no-such-llama-server");

        Throwable thrown = catchThrowable(() -> start(launcher, "contract-1b", missing, recorder));

        if (thrown != null) {
            assertThat(thrown).isInstanceOf(MagiException.class);
            assertThat(((MagiException) thrown).code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
            assertThat(thrown.getMessage()).contains(missing.toString());
            assertThat(launcher.leftRunning()).isEmpty();
        } else {
            Launch launch = launches.get(launches.size() - 1);
            LaunchState.Ended end = launch.ended().toCompletableFuture().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.cause()).isEqualTo(LaunchState.Cause.EXITED);
            assertThat(end.exitCode()).isNotNull().isNotZero();
        }
    }

    @Test
    @DisplayName("finds what a launcher of the same installation left running, to adopt or stop, and nothing of"
            + " another installation")
    void leftRunning() {
        Launcher first = open("install-a", "data");
        Launch launch = start(first, "contract-1b", binary, new Recorder());
        URI endpoint = Eventually.awaitValue(PATIENCE, "the launch runs", () -> launch.endpoint().orElse(null),
                e -> e != null);
        Eventually.await(PATIENCE, "GET " + endpoint + "/health answers 200", () -> health(endpoint) == 200);
        // As if MAGI were killed: the launch is neither stopped nor closed.
        launches.remove(launch);
        Long pid = pid(launch);

        assertThat(open("install-b", "other-data").leftRunning()).as("another installation's").isEmpty();
        List<LeftRunning> left = open("install-a", "data").leftRunning();

        assertThat(left).extracting(LeftRunning::modelId).containsExactly("contract-1b");
        LeftRunning server = left.get(0);
        assertThat(server.describe()).isNotBlank();
        assertThat(server.adoptable()).isEqualTo(adoptsWhatItLeft());
        if (adoptsWhatItLeft()) {
            Recorder recorder = new Recorder();
            Launch adopted = server.adopt(recorder);
            launches.add(adopted);
            assertThat(Eventually.awaitValue(PATIENCE, "the adopted launch runs",
                    () -> adopted.endpoint().orElse(null), e -> e != null)).isEqualTo(endpoint);
            assertThat(health(endpoint)).isEqualTo(200);
            assertThat(adopted.stop(GRACE).cause()).isEqualTo(LaunchState.Cause.STOPPED);
        } else {
            server.stop(GRACE);
        }
        assertThat(health(endpoint)).as("nothing answers after the stop").isNotEqualTo(200);
        if (pid != null) {
            assertThat(Processes.isRunning(pid)).as("pid %s after the stop", pid).isFalse();
        }
        assertThat(open("install-a", "data").leftRunning()).as("once dealt with, it is not found again").isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** A launcher of the provider under test for one installation over one data directory. */
    protected final Launcher open(String installId, String dataDir) {
        Map<String, String> values = new HashMap<>(settings());
        Launcher launcher = provider().open(new LauncherContext(Settings.of(values), dir.resolve(dataDir), installId,
                GRACE));
        launchers.add(launcher);
        return launcher;
    }

    private Launch start(Launcher launcher, String modelId, Path server, LaunchListener listener) {
        LaunchSpec spec = new LaunchSpec(modelId, server.toString(),
                List.of("--model", model.toString(), "--alias", modelId), Map.of(), LaunchSpec.Resources.MINIMAL,
                List.of(model), new RangePorts(rangeStart, rangeStart + 9));
        Launch launch = launcher.start(spec, listener);
        launches.add(launch);
        return launch;
    }

    private static Long pid(Launch launch) {
        return launch.details().get("pid") instanceof Number pid ? pid.longValue() : null;
    }

    /** The status of {@code GET ENDPOINT/health}, or -1 when nothing answers. */
    protected static int health(URI endpoint) {
        HttpURLConnection connection = null;
        try {
            connection = (HttpURLConnection) endpoint.resolve("/health").toURL().openConnection(Proxy.NO_PROXY);
            connection.setConnectTimeout(2_000);
            connection.setReadTimeout(5_000);
            return connection.getResponseCode();
        } catch (IOException e) {
            return -1;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    /** What a listener heard, in order: lines as strings, states as themselves. */
    private static final class Recorder implements LaunchListener {
        final List<Object> events = new CopyOnWriteArrayList<>();

        @Override
        public void output(Stream stream, List<String> lines) {
            events.addAll(lines);
        }

        @Override
        public void stateChanged(LaunchState state) {
            events.add(state);
        }

        List<String> lines() {
            return events.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }

        List<LaunchState.Ended> ends() {
            return events.stream().filter(LaunchState.Ended.class::isInstance).map(LaunchState.Ended.class::cast)
                    .toList();
        }

        List<String> linesBeforeEnd() {
            List<String> lines = new ArrayList<>();
            for (Object event : events) {
                if (event instanceof LaunchState.Ended) {
                    break;
                }
                if (event instanceof String line) {
                    lines.add(line);
                }
            }
            return lines;
        }
    }

    /** A model's port in a range of its own, for launchers that bind ports of this machine. */
    private static final class RangePorts implements PortAssignment {
        private final int start;
        private final int end;
        private int current;

        RangePorts(int start, int end) {
            this.start = start;
            this.end = end;
            this.current = start;
        }

        @Override
        public synchronized int port() {
            return current;
        }

        @Override
        public boolean pinned() {
            return false;
        }

        @Override
        public synchronized int moveOff(IntPredicate usable) {
            for (int p = start; p <= end; p++) {
                if (usable.test(p)) {
                    current = p;
                    return p;
                }
            }
            throw new MagiException(ErrorCode.PORT_RANGE_EXHAUSTED, "No port of " + start + "-" + end + " is free");
        }
    }
}

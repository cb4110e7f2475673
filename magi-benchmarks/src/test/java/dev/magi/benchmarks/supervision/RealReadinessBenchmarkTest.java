package dev.magi.benchmarks.supervision;

import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.RealLlamaServer;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Keeps the real-server readiness benchmark runnable: its reference observer against the fake, a tiny
 * run against the real binary and model (skipped without them), and its clean skip. No timing
 * assertion: the figures come from running it by hand (BENCHMARKS.md).
 */
@DisplayName("The real-server readiness benchmark")
class RealReadinessBenchmarkTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    @DisplayName("runs two starts of the real server and reports every observer for each")
    void runsAgainstTheRealServer() throws Exception {
        Optional<Path> binary = RealLlamaServer.binary();
        assumeTrue(binary.isPresent(), RealLlamaServer.absentMessage());
        Path model = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(model), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K)
                + " (" + RealLlamaServer.INSTALL_SCRIPT + " installs the server, not the model)");

        RealReadinessBenchmark.Result result = RealReadinessBenchmark.run(
                new RealServerFiles(binary.get(), model), 2, Duration.ofMillis(1), dir, QUIET);

        assertThat(result.lags()).containsOnlyKeys(RealReadinessBenchmark.MAGI_EVENT, RealReadinessBenchmark.MAGI_RETURN,
                "every 250 ms", "every 1 s", "every 2 s (original design)", "llama-swap (250 ms, then every 5 s)");
        assertThat(result.lags().values()).allSatisfy(lags -> assertThat(lags).hasSize(2));
        // The server answered 200 some time after its spawn, and the observer asked at least once per start.
        assertThat(result.firstOkAfterSpawn()).hasSize(2).allMatch(micros -> micros > 0);
        assertThat(result.probes()).isGreaterThanOrEqualTo(2);
        assertThat(result.connections()).isPositive();
        assertThat(result.resolution()).hasSize(2).allMatch(micros -> micros >= 0);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("without the real server, prints why, naming the install script, and runs nothing")
    void skipsWithoutTheServer() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Optional<RealReadinessBenchmark.Result> result = RealReadinessBenchmark.execute(
                List.of("--llama-server", dir.resolve("absent/llama-server").toString(), "--dir", dir.toString()),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(result).isEmpty();
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Skipped: no real llama-server at ")
                .contains(RealLlamaServer.INSTALL_SCRIPT).contains("MAGI_TEST_LLAMA_SERVER");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @DisplayName("without the model, prints where it looked and runs nothing")
    void skipsWithoutTheModel() throws Exception {
        Path launcher = dir.resolve("bin/llama-server");
        FakeLlamaServer.launcher().writeTo(launcher);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Optional<RealReadinessBenchmark.Result> result = RealReadinessBenchmark.execute(
                List.of("--llama-server", launcher.toString(), "--model", dir.resolve("absent.gguf").toString()),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(result).isEmpty();
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Skipped: no real model at ")
                .contains("absent.gguf");
    }

    @Test
    @DisplayName("its reference observer notes the first 200, not an earlier 503, of a server that loads")
    void observerWaitsForTheFirst200() throws Exception {
        Path launcher = dir.resolve("bin/llama-server");
        Path readyFile = dir.resolve("ready.txt");
        FakeLlamaServer.launcher().loadMillis(500).readyFile(readyFile).writeTo(launcher);
        Path model = dir.resolve("tiny-1b-q4_0.gguf");
        GgufWriter.typicalModel().writeTo(model);
        int port = FreePorts.rangeStart(1);

        try (HealthObserver observer = HealthObserver.start(new InetSocketAddress("127.0.0.1", port),
                Duration.ofMillis(1))) {
            Process fake = new ProcessBuilder(launcher.toString(), "--model", model.toString(), "--host", "127.0.0.1",
                    "--port", Integer.toString(port), "--alias", "tiny")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                long firstOk = observer.awaitFirstOkMicros(PATIENCE);

                // The fake takes its ready instant before it answers 200, and writes it to the file just after.
                String readyText = Eventually.awaitValue(PATIENCE, "the fake's ready instant in " + readyFile,
                        () -> Files.exists(readyFile) ? Files.readString(readyFile, StandardCharsets.UTF_8).trim() : "",
                        text -> !text.isEmpty());
                long ready = Long.parseLong(readyText);
                assertThat(firstOk).isGreaterThanOrEqualTo(ready);
                // It asked while the fake loaded (503s) before it heard the 200.
                assertThat(observer.probes()).isGreaterThan(1);
                assertThat(observer.lastNotOkMicros()).isPositive().isLessThanOrEqualTo(firstOk);
            } finally {
                fake.destroy();
                fake.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}

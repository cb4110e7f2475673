package dev.magi.core.supervision;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.registry.RescanSummary;
import dev.magi.spi.PortRange;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.magi.core.supervision.Harness.isRunning;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The engine's servers")
class EngineSupervisionTest {
    @TempDir
    Path dir;

    /** An engine over {@code dir} with the short settings of the tests; {@link KilledMagiMain} uses it too. */
    static MagiEngine engine(Path dir, String llamaServer, String portRange) {
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, llamaServer)
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, portRange)
                .set(ConfigKey.MAX_STARTUP_TIME, "20")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "1")
                .build();
    }

    private String setUp(String... models) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        for (String model : models) {
            GgufWriter.typicalModel().writeTo(dir.resolve("models").resolve(model));
        }
        FakeLlamaServer.launcher().writeTo(dir.resolve("bin/llama-server"));
        return dir.resolve("bin/llama-server").toString();
    }

    @Test
    @DisplayName("are stopped when the engine is closed")
    void closeStopsEverything() throws Exception {
        String launcher = setUp("one-1b-q4_0.gguf", "two-1b-q4_0.gguf");
        PortRange ports = Harness.freeRange(10);
        List<Long> pids = new ArrayList<>();
        try (MagiEngine engine = engine(dir, launcher, ports.toString())) {
            StartAllResult result = engine.supervisor().startAll(engine.registry().snapshot().models().keySet());
            assertThat(result.started()).hasSize(2);
            engine.supervisor().servers().forEach(s -> pids.add(s.pid()));
            assertThat(pids).hasSize(2).allMatch(Harness::isRunning);
        }
        assertThat(pids).noneMatch(Harness::isRunning);
    }

    @Test
    @DisplayName("of a model whose file is gone are stopped by the rescan that notices it; the others keep running")
    void removedModelsServerStopped() throws Exception {
        String launcher = setUp("gone-1b-q4_0.gguf", "kept-1b-q4_0.gguf");
        try (MagiEngine engine = engine(dir, launcher, Harness.freeRange(10).toString())) {
            engine.supervisor().startAll(engine.registry().snapshot().models().keySet());
            ServerStatus gone = engine.supervisor().server("gone-1b-q4_0").orElseThrow();
            ServerStatus kept = engine.supervisor().server("kept-1b-q4_0").orElseThrow();
            assertThat(List.of(gone, kept)).allMatch(ServerStatus::isReady);

            Files.delete(dir.resolve("models/gone-1b-q4_0.gguf"));
            RescanSummary summary = engine.rescan();

            assertThat(summary.modelsRemoved()).isEqualTo(1);
            assertThat(summary.message()).endsWith("; stopping the server of removed model gone-1b-q4_0");
            Harness.await("the removed model's server stopped", () -> !isRunning(gone.pid())
                    && engine.supervisor().server("gone-1b-q4_0").orElseThrow().state() == ServerState.STOPPED);
            assertThat(engine.supervisor().server("kept-1b-q4_0").orElseThrow().isReady()).isTrue();
            assertThat(isRunning(kept.pid())).isTrue();
            assertThat(engine.rescan().message()).as("nothing more to stop").doesNotContain("stopping");
        }
    }

    @Test
    @DisplayName("left running by a MAGI killed with SIGKILL are stopped by the next one")
    void leftoversOfAKilledMagi() throws Exception {
        String launcher = setUp("orphan-1b-q4_0.gguf");
        PortRange ports = Harness.freeRange(10);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process magi = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                KilledMagiMain.class.getName(), dir.toString(), launcher, ports.toString())
                .redirectErrorStream(true).start();
        long serverPid = 0;
        try {
            serverPid = readyPids(magi).get(0);
            assertThat(isRunning(serverPid)).isTrue();

            magi.destroyForcibly();
            assertThat(magi.waitFor(60, TimeUnit.SECONDS)).isTrue();

            assertThat(isRunning(serverPid)).as("the server outlives the killed MAGI").isTrue();
            assertThat(dir.resolve("data/pids.json")).content().contains("\"pid\" : " + serverPid);
            try (MagiEngine next = engine(dir, launcher, ports.toString())) {
                assertThat(isRunning(serverPid)).as("stopped by the next MAGI").isFalse();
                assertThat(next.supervisor().servers()).isEmpty();
            }
        } finally {
            magi.destroyForcibly();
            if (serverPid != 0) {
                ProcessHandle.of(serverPid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Reads the child MAGI's output up to its READY line; everything before it is kept for the failure message. */
    private static List<Long> readyPids(Process magi) throws Exception {
        StringBuilder seen = new StringBuilder();
        CompletableFuture<List<Long>> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(magi.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        return Arrays.stream(line.substring(6).split(" ")).map(Long::parseLong).toList();
                    }
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("The child MAGI ended before it was ready");
        });
        try {
            return ready.get(Harness.PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (seen) {
                throw new AssertionError("The child MAGI did not start its server; its output:\n" + seen, e);
            }
        }
    }
}

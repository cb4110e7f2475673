package dev.magi.core.gateway;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.LogLine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Health probes of ready servers, against the fake llama-server as a real process")
class HealthOfServersTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String SICK = "small-1b-q4_0";
    private static final String WELL = "other-1b-q4_0";

    @TempDir
    Path dir;
    private MagiEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private Path hang() {
        return dir.resolve("health-hang");
    }

    /** Two ready servers of the fast tier, probed every second; the fake's /health hangs on cue. */
    private Gateway twoReadyServers() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models").resolve(SICK + ".gguf"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models").resolve(WELL + ".gguf"));
        FakeLlamaServer.launcher().healthHang(hang()).writeTo(dir.resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(10);
        engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, dir.resolve("bin/llama-server").toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                .set(ConfigKey.MAX_STARTUP_TIME, "30")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "1")
                .set(ConfigKey.HEALTH_CHECK_INTERVAL, "1")
                .build();
        engine.registry().setAllEnabled(true);
        engine.registry().setTierOverride(SICK, Tier.FAST);
        engine.registry().setTierOverride(WELL, Tier.FAST);
        engine.supervisor().start(SICK, true);
        engine.supervisor().start(WELL, true);
        return engine.gateway();
    }

    private ServerStatus status(String modelId) {
        return engine.supervisor().server(modelId).orElseThrow();
    }

    private boolean logSays(String modelId, String text) {
        return engine.supervisor().logs(modelId, 1000).stream()
                .anyMatch(line -> line.stream().equals(LogLine.MAGI) && line.line().contains(text));
    }

    /** The models that served {@code count} requests for the fast tier, one after another. */
    private Set<String> servedBy(Gateway gateway, int count) throws Exception {
        Set<String> models = new HashSet<>();
        for (int i = 0; i < count; i++) {
            try (Lease lease = gateway.admit(new Admission("fast", "hello", null, true))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                models.add(lease.modelId());
            }
        }
        return models;
    }

    @Test
    @DisplayName("a server whose /health stops answering turns unhealthy and gets no request; it is healthy"
            + " again once /health answers")
    void unhealthyThenHealthy() throws Exception {
        Gateway gateway = twoReadyServers();
        assertThat(status(SICK).healthy()).isTrue();
        assertThat(servedBy(gateway, 4)).containsExactlyInAnyOrder(SICK, WELL);

        Files.writeString(hang(), SICK, StandardCharsets.UTF_8);
        Eventually.await(PATIENCE, "the server to turn unhealthy", () -> !status(SICK).healthy());
        assertThat(status(SICK).state()).isEqualTo(ServerState.READY);
        assertThat(status(WELL).healthy()).isTrue();
        assertThat(servedBy(gateway, 4)).containsExactly(WELL);
        assertThat(logSays(SICK, "unhealthy")).isTrue();

        Files.delete(hang());
        Eventually.await(PATIENCE, "the server to be healthy again", () -> status(SICK).healthy());
        assertThat(servedBy(gateway, 4)).containsExactlyInAnyOrder(SICK, WELL);
        assertThat(logSays(SICK, "healthy again")).isTrue();
        assertThat(status(SICK).restartCount()).isZero();
    }

    @Test
    @DisplayName("a server unhealthy for three intervals while it lives is hung: stopped and restarted, a new"
            + " process counted as a restart")
    void hungIsRestarted() throws Exception {
        twoReadyServers();
        long firstPid = status(SICK).pid();

        Files.writeString(hang(), SICK, StandardCharsets.UTF_8);
        Eventually.await(PATIENCE, "the hung server to be restarted", () -> status(SICK).restartCount() == 1);
        // The new process is to answer: only the hung one hangs.
        Files.delete(hang());
        Eventually.await(PATIENCE, "the new process to be ready", () -> status(SICK).state() == ServerState.READY);

        ServerStatus restarted = status(SICK);
        assertThat(restarted.pid()).isNotEqualTo(firstPid);
        assertThat(restarted.restartCount()).isEqualTo(1);
        assertThat(restarted.healthy()).isTrue();
        assertThat(restarted.lastError()).contains("hung");
        assertThat(logSays(SICK, "hung")).isTrue();
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(status(WELL).restartCount()).isZero();
    }
}

package dev.magi.standalone;

import dev.magi.testkit.Eventually;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.Processes;
import dev.magi.testkit.RealLlamaServer;
import dev.magi.testkit.SharedFixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A MAGI process killed with SIGKILL while it runs the real llama-server: what the stand-in of
 * {@link ServersOutliveNoMagiTest} cannot prove, that the pid record recognises the real process
 * (started through the install script's wrapper, which execs it) so the next MAGI leaves no orphan.
 * Skipped where the binary or {@code ../shared} is absent.
 */
@DisplayName("The real llama-server of a MAGI killed with SIGKILL")
class RealServerAfterSigkillTest {
    private static final String MODEL = "stories260k";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Path binary;
    private String portRange;

    @BeforeEach
    void needsTheRealServerAndModel() throws IOException {
        Optional<Path> installed = RealLlamaServer.binary();
        assumeTrue(installed.isPresent(), RealLlamaServer.absentMessage());
        binary = installed.get();
        Path model = SharedFixtures.file(SharedFixtures.STORIES_260K);
        assumeTrue(Files.isRegularFile(model), SharedFixtures.absentMessage(SharedFixtures.STORIES_260K));
        Files.createDirectories(dir.resolve("models"));
        Files.copy(model, dir.resolve("models/stories260K.gguf"));
        int start = FreePorts.rangeStart(4);
        portRange = start + "-" + (start + 3);
    }

    @Test
    @DisplayName("is stopped by the next MAGI, which then runs the model again on the freed port")
    void noOrphan() throws Exception {
        long pid = 0;
        try {
            int port;
            try (MagiProcess killed = magi()) {
                Http http = new Http(killed.awaitListening());
                Http.Reply started = http.send("POST", "/api/models/servers/" + MODEL + "/start", null);
                assertThat(started.status()).as(started.body()).isEqualTo(200);
                pid = started.json().path("pid").asLong();
                port = started.json().path("port").asInt();
                assertThat(isRunning(pid)).isTrue();

                killed.close(); // SIGKILL: no shutdown hook runs
                assertThat(killed.awaitExit()).isEqualTo(137);
            }
            assertThat(isRunning(pid)).as("the real server outlives the killed MAGI").isTrue();
            assertThat(listens(port)).as("the orphan holds its port").isTrue();

            try (MagiProcess next = magi()) {
                Http http = new Http(next.awaitListening());

                long orphan = pid;
                assertThat(isRunning(orphan)).as(next.output()).isFalse();
                assertThat(next.output()).contains("left running by a previous MAGI").contains("pid " + orphan);
                assertThat(http.get("/api/models/servers").json().path("totalServers").asInt()).isZero();
                Eventually.await(PATIENCE, "port " + port + " to be free", () -> !listens(port));

                Http.Reply again = http.send("POST", "/api/models/servers/" + MODEL + "/start", null);

                assertThat(again.status()).as(again.body()).isEqualTo(200);
                assertThat(again.json().path("port").asInt()).as("the model's own port, freed").isEqualTo(port);
                assertThat(again.json().path("state").asText()).isEqualTo("ready");
                assertThat(next.terminate()).isEqualTo(MagiMain.EXIT_OK);
                assertThat(isRunning(again.json().path("pid").asLong())).isFalse();
            }
        } finally {
            if (pid != 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    private MagiProcess magi() throws IOException {
        return MagiProcess.fromClasspath(System.getProperty("java.class.path"), List.of("--port", "0",
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString(),
                "--watch", "false",
                "--llama-server", binary.toString(),
                "--port-range", portRange,
                "--readiness-interval", "0.2",
                "--max-startup-time", "60",
                "--stop-timeout", "5").toArray(String[]::new));
    }

    /** Whether something listens on the port of the loopback address (binding it fails). */
    private static boolean listens(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static boolean isRunning(long pid) {
        return Processes.isRunning(pid);
    }
}

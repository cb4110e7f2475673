package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.Processes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** MAGI as a process of its own, with real llama-server stand-ins: none of them outlives it. */
@DisplayName("The llama-servers of a MAGI process")
class ServersOutliveNoMagiTest {
    private static final String MODEL = "alpha-1b-q4_0";
    private static final Pattern CHILD_PID = Pattern.compile("fake: started child pid (\\d+)");

    @TempDir
    Path dir;
    private Path launcher;
    private String portRange;

    @BeforeEach
    void setUp() throws IOException {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models/" + MODEL + ".gguf"));
        launcher = dir.resolve("bin/llama-server");
        int start = freeRangeStart(5);
        portRange = start + "-" + (start + 4);
    }

    @Test
    @DisplayName("all stop on SIGTERM, even one that ignores SIGTERM, and the processes they started")
    void sigterm() throws Exception {
        FakeLlamaServer.launcher().ignoreSigterm().child("sleep 1000").writeTo(launcher);
        List<Long> pids = new ArrayList<>();
        try (MagiProcess magi = magi()) {
            Http http = new Http(magi.awaitListening());
            Http.Reply started = http.send("POST", "/api/models/servers/" + MODEL + "/start", null);
            assertThat(started.status()).as(started.body()).isEqualTo(200);
            pids.add(started.json().path("pid").asLong());
            pids.add(childPid(http));
            assertThat(pids).allMatch(ServersOutliveNoMagiTest::isRunning);

            int code = magi.terminate();

            assertThat(code).as(magi.output()).isEqualTo(MagiMain.EXIT_OK);
            assertThat(pids).as(magi.output()).noneMatch(ServersOutliveNoMagiTest::isRunning);
        } finally {
            pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    @Test
    @DisplayName("left running by a MAGI killed with SIGKILL are stopped by the next MAGI")
    void sigkill() throws Exception {
        FakeLlamaServer.launcher().writeTo(launcher);
        long pid = 0;
        try {
            try (MagiProcess killed = magi()) {
                Http http = new Http(killed.awaitListening());
                pid = http.send("POST", "/api/models/servers/" + MODEL + "/start", null).json().path("pid").asLong();
                assertThat(isRunning(pid)).isTrue();

                killed.close(); // SIGKILL: no shutdown hook runs
                assertThat(killed.awaitExit()).isEqualTo(137);
            }
            assertThat(isRunning(pid)).as("the server outlives the killed MAGI").isTrue();

            try (MagiProcess next = magi()) {
                Http http = new Http(next.awaitListening());

                assertThat(isRunning(pid)).as(next.output()).isFalse();
                assertThat(next.output()).contains("left running by a previous MAGI");
                assertThat(http.get("/api/models/servers").json().path("totalServers").asInt()).isZero();
                assertThat(next.terminate()).isEqualTo(MagiMain.EXIT_OK);
            }
        } finally {
            if (pid != 0) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    @DisplayName("none starts when --active-profile names a profile that does not exist: exit 2, one clear line")
    void missingActiveProfile() throws Exception {
        FakeLlamaServer.launcher().writeTo(launcher);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = MagiMain.run(arguments("--active-profile", "ghost"), key -> null,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(MagiMain.EXIT_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("magi: Profile 'ghost'")
                .contains("ACTIVE_PROFILE").hasLineCount(1);
    }

    private MagiProcess magi() throws IOException {
        return MagiProcess.fromClasspath(System.getProperty("java.class.path"), arguments());
    }

    private String[] arguments(String... more) {
        List<String> args = new ArrayList<>(List.of("--port", "0",
                "--scan-path", dir.resolve("models").toString(),
                "--registry-path", dir.resolve("data/model_registry.json").toString(),
                "--profiles-path", dir.resolve("profiles").toString(),
                "--watch", "false",
                "--llama-server", launcher.toString(),
                "--port-range", portRange,
                "--readiness-interval", "0.2",
                "--stop-timeout", "1"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** The pid of the child the fake started, once its line has been drained from the fake's output. */
    private static long childPid(Http http) throws Exception {
        JsonNode lines = Eventually.awaitValue(Duration.ofSeconds(60), "the fake to log its child",
                () -> http.get("/api/models/servers/" + MODEL + "/logs?tail=1000").json().path("lines"),
                seen -> childPidIn(seen) != null);
        return childPidIn(lines);
    }

    /** The child's pid in the fake's log lines; null when no line gives it. */
    private static Long childPidIn(JsonNode lines) {
        for (JsonNode line : lines) {
            Matcher m = CHILD_PID.matcher(line.path("line").asText());
            if (m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        return null;
    }

    private static boolean isRunning(long pid) {
        return Processes.isRunning(pid);
    }

    private static int freeRangeStart(int count) {
        return FreePorts.rangeStart(count);
    }
}

package dev.magi.core.supervision;

import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.magi.core.supervision.Harness.isRunning;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Servers left by a MAGI that was killed")
class LeftoversTest {
    @TempDir
    Path dir;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void tearDown() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    @DisplayName("are stopped by the next supervisor when they are still the same processes, and only then")
    void onlySameProcessesStopped() throws Exception {
        Process leftover = sleeper();
        Process reused = sleeper();
        Instant leftoverStart = leftover.info().startInstant().orElseThrow();
        Instant reusedStart = reused.info().startInstant().orElseThrow();
        Files.createDirectories(dir.resolve("data"));
        JsonMapper.builder().build().writeValue(dir.resolve("data/pids.json").toFile(), Map.of("servers", List.of(
                new PidFile.Entry("left", leftover.pid(), leftoverStart.toString(), List.of("sleep", "1000")),
                // The recorded process ended and another one got its pid: same pid, another start instant.
                new PidFile.Entry("reused", reused.pid(), reusedStart.minus(Duration.ofHours(1)).toString(),
                        List.of("llama-server")),
                new PidFile.Entry("gone", Long.MAX_VALUE / 2, leftoverStart.toString(), List.of()),
                new PidFile.Entry("unknown", reused.pid(), null, List.of()))));

        try (Harness harness = new Harness(dir)) {
            harness.supervisor();

            assertThat(isRunning(leftover.pid())).isFalse();
            assertThat(isRunning(reused.pid())).isTrue();
            assertThat(dir.resolve("data/pids.json")).content().doesNotContain("\"pid\"");
        }
    }

    @Test
    @DisplayName("are recognised by pid and start instant together")
    void sameProcess() throws Exception {
        Process process = sleeper();
        Instant start = process.info().startInstant().orElseThrow();

        assertThat(new PidFile.Entry("m", process.pid(), start.toString(), List.of()).stillRunning()).isPresent();
        assertThat(new PidFile.Entry("m", process.pid(), start.plusSeconds(1).toString(), List.of()).stillRunning())
                .isEmpty();
        assertThat(new PidFile.Entry("m", process.pid(), "not an instant", List.of()).stillRunning()).isEmpty();
        process.destroyForcibly().waitFor();
        assertThat(new PidFile.Entry("m", process.pid(), start.toString(), List.of()).stillRunning()).isEmpty();
    }

    private Process sleeper() throws Exception {
        Process process = new ProcessBuilder("sleep", "1000").start();
        started.add(process);
        return process;
    }
}

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
import java.util.LinkedHashMap;
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
                entry("left", leftover.pid(), leftoverStart.toString(), List.of("sleep", "1000")),
                // The recorded process ended and another one got its pid: same pid, another start instant.
                entry("reused", reused.pid(), reusedStart.minus(Duration.ofHours(1)).toString(),
                        List.of("llama-server")),
                entry("gone", Long.MAX_VALUE / 2, leftoverStart.toString(), List.of()),
                entry("unknown", reused.pid(), null, List.of()))));

        try (Harness harness = new Harness(dir)) {
            harness.supervisor();

            assertThat(isRunning(leftover.pid())).isFalse();
            assertThat(isRunning(reused.pid())).isTrue();
            assertThat(dir.resolve("data/pids.json")).content().doesNotContain("\"pid\"");
        }
    }

    /** An entry of {@code data/pids.json} as the local launcher writes it. */
    private static Map<String, Object> entry(String modelId, long pid, String startInstant, List<String> command) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("modelId", modelId);
        entry.put("pid", pid);
        entry.put("startInstant", startInstant);
        entry.put("command", command);
        return entry;
    }

    private Process sleeper() throws Exception {
        Process process = new ProcessBuilder("sleep", "1000").start();
        started.add(process);
        return process;
    }
}

package dev.magi.core.launch.local;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A recorded local server")
class PidFileTest {
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void tearDown() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    @DisplayName("is recognised by pid and start instant together")
    void sameProcess() throws Exception {
        Process process = new ProcessBuilder("sleep", "1000").start();
        started.add(process);
        Instant start = process.info().startInstant().orElseThrow();

        assertThat(new PidFile.Entry("m", process.pid(), start.toString(), List.of()).stillRunning()).isPresent();
        assertThat(new PidFile.Entry("m", process.pid(), start.plusSeconds(1).toString(), List.of()).stillRunning())
                .isEmpty();
        assertThat(new PidFile.Entry("m", process.pid(), "not an instant", List.of()).stillRunning()).isEmpty();
        process.destroyForcibly().waitFor();
        assertThat(new PidFile.Entry("m", process.pid(), start.toString(), List.of()).stillRunning()).isEmpty();
    }
}

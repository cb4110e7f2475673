package dev.magi.core.binary;

import dev.magi.testkit.Eventually;
import dev.magi.testkit.Processes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The llama-server binary's version as MAGI shows it")
class LlamaServerBinaryTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("is the version of the binary as it is now: installed after the start, then upgraded")
    void followsTheFile() throws IOException {
        Path file = dir.resolve("llama-server");
        LlamaServerBinary binary = new LlamaServerBinary(file, Duration.ofSeconds(5));
        assertThat(binary.current().error()).startsWith("llama-server not found at " + file);

        install(file, "version: 1 (first)");
        assertThat(binary.current().version()).isEqualTo("1 (first)");

        install(file, "version: 22 (second, longer)");
        assertThat(binary.current().version()).isEqualTo("22 (second, longer)");
        assertThat(binary.current().path()).isEqualTo(file.toString());
    }

    @Test
    @DisplayName("is not asked again while the file stays the same")
    void checkedOnce() throws IOException {
        Path runs = dir.resolve("runs");
        Path file = install(dir.resolve("llama-server"), "version: 3 (x)\necho run >> " + runs);
        LlamaServerBinary binary = new LlamaServerBinary(file, Duration.ofSeconds(5));

        for (int i = 0; i < 3; i++) {
            assertThat(binary.current().version()).isEqualTo("3 (x)");
        }

        assertThat(Files.readAllLines(runs)).hasSize(1);
    }

    @Test
    @DisplayName("closed, kills a check still running and says nothing of it")
    void closeKillsTheCheck() throws IOException {
        Path pidFile = dir.resolve("pid");
        Path file = dir.resolve("llama-server");
        Files.writeString(file, "#!/bin/sh\necho $$ > " + pidFile + ".tmp\nmv " + pidFile + ".tmp " + pidFile
                + "\nexec sleep 300\n", StandardCharsets.UTF_8);
        assertThat(file.toFile().setExecutable(true)).isTrue();
        LlamaServerBinary binary = new LlamaServerBinary(file, Duration.ofSeconds(60));
        Eventually.await("the check to run", () -> Files.exists(pidFile));
        long pid = Long.parseLong(Files.readString(pidFile).strip());

        binary.close();

        Eventually.await("the check's process to be gone", () -> !Processes.isRunning(pid));
    }

    private static Path install(Path file, String output) throws IOException {
        String[] lines = output.split("\n", 2);
        Files.writeString(file, "#!/bin/sh\necho '" + lines[0] + "' >&2\n" + (lines.length > 1 ? lines[1] + "\n" : ""),
                StandardCharsets.UTF_8);
        assertThat(file.toFile().setExecutable(true)).isTrue();
        return file;
    }
}

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

@DisplayName("Asking a binary for its --version")
class VersionCheckTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    @DisplayName("reads the version a binary writes on stderr, as llama-server does")
    void versionOnStderr() throws IOException {
        Path binary = script("printf '%s' '" + VersionOutputTest.DEBIAN + "' >&2");

        LlamaServerVersion version = VersionCheck.run(binary, TIMEOUT);

        assertThat(version).isEqualTo(new LlamaServerVersion(binary.toString(),
                "0.7.0 (build 11669, commit Debian)", "GNU 16.2.0 for Linux x86_64", null));
    }

    @Test
    @DisplayName("passes --version and nothing else")
    void argument() throws IOException {
        Path binary = script("echo \"version: args [$*]\"");

        assertThat(VersionCheck.run(binary, TIMEOUT).version()).isEqualTo("args [--version]");
    }

    @Test
    @DisplayName("a binary that fails without a version line: its exit code and its last line")
    void failure() throws IOException {
        Path binary = script("echo 'error while loading shared libraries: libllama.so.0: cannot open' >&2; exit 127");

        LlamaServerVersion version = VersionCheck.run(binary, TIMEOUT);

        assertThat(version.isKnown()).isFalse();
        assertThat(version.error()).contains("exited with code 127 without a version line")
                .contains("libllama.so.0: cannot open");
    }

    @Test
    @DisplayName("a missing file, a directory and a file that is not executable say so")
    void notABinary() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "version: 1\n");

        assertThat(VersionCheck.run(dir.resolve("absent"), TIMEOUT).error())
                .startsWith("llama-server not found at " + dir.resolve("absent")).contains("LLAMA_SERVER_PATH");
        assertThat(VersionCheck.run(dir, TIMEOUT).error()).contains("is not an executable file");
        assertThat(VersionCheck.run(text, TIMEOUT).error()).contains("is not an executable file");
    }

    @Test
    @DisplayName("a binary that hangs is killed at the time limit, with its children")
    void hang() throws IOException {
        Path pids = dir.resolve("pids");
        Path binary = script("sleep 300 & echo $! > " + pids + "; echo $$ >> " + pids + "; wait");

        LlamaServerVersion version = VersionCheck.run(binary, Duration.ofSeconds(1));

        assertThat(version.error()).endsWith("--version did not finish within 1 s and was killed");
        for (String pid : Files.readAllLines(pids)) {
            Eventually.await("pid " + pid + " to be gone", () -> !Processes.isRunning(Long.parseLong(pid)));
        }
    }

    @Test
    @DisplayName("a binary that writes without end is killed at the time limit, and only the start of it is kept")
    void endlessOutput() throws IOException {
        Path binary = script("while :; do echo 'garbage garbage garbage garbage garbage garbage'; done");

        LlamaServerVersion version = VersionCheck.run(binary, Duration.ofSeconds(1));

        assertThat(version.error()).endsWith("did not finish within 1 s and was killed");
    }

    private Path script(String body) throws IOException {
        Path file = dir.resolve("llama-server");
        Files.writeString(file, "#!/bin/sh\n" + body + "\n", StandardCharsets.UTF_8);
        assertThat(file.toFile().setExecutable(true)).isTrue();
        return file;
    }
}

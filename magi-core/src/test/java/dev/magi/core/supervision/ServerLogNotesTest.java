package dev.magi.core.supervision;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("MAGI's notes in a server's log")
class ServerLogNotesTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("are lines of the stream magi, in order among the server's, in the ring, the file and to followers")
    void amongTheServersLines() throws IOException {
        Path file = dir.resolve("logs/m.log");
        ServerLog log = new ServerLog("m", file, 1 << 20, 2);
        List<LogLine> followed = new ArrayList<>();
        log.subscribe(0, followed::add);

        log.note("starting: llama-server --model m.gguf");
        log.append(LogLine.STDERR, List.of("main: loading model"));
        log.note("stopped pid 42");
        log.close();

        assertThat(log.tail(10)).extracting(LogLine::stream).containsExactly("magi", "stderr", "magi");
        assertThat(log.tail(10)).extracting(LogLine::line).containsExactly("starting: llama-server --model m.gguf",
                "main: loading model", "stopped pid 42");
        assertThat(followed).isEqualTo(log.tail(10));
        assertThat(Files.readAllLines(file)).hasSize(3).anyMatch(line -> line.endsWith(" magi stopped pid 42"));
    }

    @Test
    @DisplayName("are left out of the tail an error quotes, which is what the server said")
    void leftOutOfErrorTails() {
        ServerLog log = new ServerLog("m", dir.resolve("m.log"), 1 << 20, 2);
        log.append(LogLine.STDOUT, List.of("an earlier process"));
        long mark = log.total();
        log.note("started pid 7 on port 8080");
        log.append(LogLine.STDERR, List.of("one", "two"));
        log.note("pid 7 exited with code 1 while starting");

        assertThat(log.tailSince(mark, 20)).containsExactly("one", "two");
        assertThat(log.tailSince(mark, 1)).containsExactly("two");
    }
}

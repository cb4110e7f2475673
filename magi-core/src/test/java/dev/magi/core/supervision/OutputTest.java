package dev.magi.core.supervision;

import dev.magi.core.util.Subscription;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.magi.core.supervision.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The output of a server")
class OutputTest extends HarnessTest {
    @Test
    @DisplayName("is drained as it comes: 30 MB of it do not stall the server, the ring keeps 1,000 lines, the file rotates")
    void floodOfOutput() throws Exception {
        String id = harness.model("chatty-1b-q4_0.gguf");
        harness.install(harness.fake().outputBytes(30_000_000));
        ServerSupervisor supervisor = harness.supervisor();

        ServerStatus ready = supervisor.start(id, true);

        assertThat(ready.isReady()).isTrue();
        // llama-server, like the fake, goes on logging for a moment after /health turns ready; wait
        // for the fake's last line on each stream so that the two reads below see the same ring.
        await("the fake's last lines", () -> supervisor.logs(id, 5_000).stream().map(LogLine::line)
                .filter(l -> l.equals(FakeLlamaServer.LAST_LINE) || l.startsWith(FakeLlamaServer.LISTENING))
                .count() == 2);
        List<LogLine> ring = supervisor.logs(id, 5_000);
        assertThat(ring).hasSize(1_000);
        assertThat(ring).extracting(LogLine::line).contains(FakeLlamaServer.OUTPUT_DONE);
        assertThat(ring).extracting(LogLine::stream).contains(LogLine.STDOUT, LogLine.STDERR);
        assertThat(supervisor.logs(id, 10)).hasSize(10).last().isEqualTo(ring.get(ring.size() - 1));
        Path log = harness.dataDir.resolve("logs/" + id + ".log");
        assertThat(log).exists();
        assertThat(Files.size(log)).isLessThanOrEqualTo(SupervisorOptions.LOG_FILE_MAX_BYTES);
        assertThat(log.resolveSibling(id + ".log.1")).exists();
        assertThat(Files.size(log.resolveSibling(id + ".log.1")))
                .isGreaterThanOrEqualTo(SupervisorOptions.LOG_FILE_MAX_BYTES);
        assertThat(log.resolveSibling(id + ".log." + (SupervisorOptions.LOG_FILES_KEPT + 1))).doesNotExist();
    }

    @Test
    @DisplayName("is handed to subscribers line by line, each with its time and stream")
    void subscribers() throws Exception {
        String id = harness.model("quiet-1b-q4_0.gguf");
        harness.install(harness.fake());
        ServerSupervisor supervisor = harness.supervisor();
        List<LogLine> heard = new CopyOnWriteArrayList<>();

        try (Subscription subscription = supervisor.subscribeLogs(id, heard::add)) {
            supervisor.start(id, true);
            await("the ready line", () -> heard.stream().anyMatch(l -> l.line().equals("main: model loaded")));
        }

        LogLine loaded = heard.stream().filter(l -> l.line().equals("main: model loaded")).findFirst().orElseThrow();
        assertThat(loaded.stream()).isEqualTo(LogLine.STDERR);
        assertThat(loaded.timestamp()).isNotNull();
        int count = heard.size();
        supervisor.stop(id);
        assertThat(heard).as("nothing after unsubscribing").hasSize(count);

        List<LogLine> replayed = new CopyOnWriteArrayList<>();
        supervisor.subscribeLogs(id, 3, replayed::add).close();
        assertThat(replayed).containsExactlyElementsOf(supervisor.logs(id, 3));
    }
}

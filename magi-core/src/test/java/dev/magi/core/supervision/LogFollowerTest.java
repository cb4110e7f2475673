package dev.magi.core.supervision;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A follower of a server's log")
class LogFollowerTest {
    private static final long PATIENCE_SECONDS = 60;

    @TempDir
    Path dir;
    private ServerLog log;

    @BeforeEach
    void createLog() {
        log = new ServerLog("chatty-1b", dir.resolve("chatty-1b.log"), 1 << 20, 1);
    }

    @AfterEach
    void closeLog() {
        log.close();
    }

    @Test
    @DisplayName("that never takes its lines does not hold up the drain of 100,000 lines, and learns what it lost when it resumes")
    void neverTakes() throws Exception {
        LogFollower stalled = log.follow(0, LogFollower.CAPACITY, () -> { });
        CountDownLatch lastLineRead = new CountDownLatch(1);
        log.subscribe(0, line -> {
            if (line.line().equals("line 99999")) {
                lastLineRead.countDown();
            }
        });

        // As a launcher drains a pipe: the lines of each read added together, on a thread of its own.
        List<String> all = texts(0, 100_000);
        Thread drain = new Thread(() -> {
            for (int from = 0; from < all.size(); from += 200) {
                log.append(LogLine.STDOUT, all.subList(from, from + 200));
            }
        });
        drain.start();

        assertThat(lastLineRead.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).as("the drain read the last line").isTrue();
        drain.join(TimeUnit.SECONDS.toMillis(PATIENCE_SECONDS));
        assertThat(drain.isAlive()).as("the drain ended").isFalse();
        List<LogLine> ring = log.tail(5_000);
        assertThat(ring).hasSize(1_000);
        assertThat(ring.get(0).line()).isEqualTo("line 99000");
        assertThat(ring.get(999).line()).isEqualTo("line 99999");

        List<LogLine> resumed = stalled.take();
        assertThat(resumed).hasSize(LogFollower.CAPACITY + 1);
        assertThat(resumed.get(LogFollower.CAPACITY - 1).line()).isEqualTo("line 999");
        assertThat(resumed.get(LogFollower.CAPACITY)).extracting(LogLine::stream, LogLine::line)
                .containsExactly(LogLine.MAGI, "99000 lines skipped: this follower was too slow");
    }

    @Test
    @DisplayName("that falls behind gets the lines that fit, then one note of how many it lost, then new lines")
    void fallsBehind() {
        LogFollower slow = log.follow(0, LogFollower.CAPACITY, () -> { });
        for (int i = 0; i < 100_000; i += 1_000) {
            log.append(LogLine.STDOUT, texts(i, i + 1_000));
        }

        List<LogLine> taken = slow.take();

        assertThat(taken).hasSize(LogFollower.CAPACITY + 1);
        assertThat(taken.get(0).line()).isEqualTo("line 0");
        assertThat(taken.get(LogFollower.CAPACITY - 1).line()).isEqualTo("line 999");
        LogLine note = taken.get(LogFollower.CAPACITY);
        assertThat(note.stream()).isEqualTo(LogLine.MAGI);
        assertThat(note.line()).isEqualTo("99000 lines skipped: this follower was too slow");

        log.append(LogLine.STDERR, List.of("after the gap"));
        assertThat(slow.take()).extracting(LogLine::line).containsExactly("after the gap");
        assertThat(slow.take()).isEmpty();
    }

    @Test
    @DisplayName("starts with the tail, is signalled only when lines arrive in its empty buffer, and hears nothing once closed")
    void tailSignalsAndClose() {
        log.append(LogLine.STDOUT, texts(0, 10));
        AtomicInteger signals = new AtomicInteger();

        LogFollower follower = log.follow(3, LogFollower.CAPACITY, signals::incrementAndGet);

        assertThat(signals).hasValue(1);
        log.append(LogLine.STDOUT, texts(10, 12));
        assertThat(signals).as("lines were already waiting").hasValue(1);
        assertThat(follower.take()).extracting(LogLine::line)
                .containsExactly("line 7", "line 8", "line 9", "line 10", "line 11");
        log.append(LogLine.STDOUT, texts(12, 13));
        assertThat(signals).hasValue(2);

        follower.close();
        log.append(LogLine.STDOUT, texts(13, 14));
        assertThat(follower.take()).isEmpty();
        assertThat(signals).hasValue(2);
    }

    private static List<String> texts(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line " + i).toList();
    }
}

package dev.magi.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Eventually")
class EventuallyTest {

    @Test
    @DisplayName("goes on as soon as a condition holds, looking again until it does")
    void condition() {
        AtomicInteger looks = new AtomicInteger();
        Eventually.await("the third look", () -> looks.incrementAndGet() == 3);
        assertThat(looks).hasValue(3);
    }

    @Test
    @DisplayName("waits for what another thread does")
    void otherThread() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        Eventually.await("the other thread", () -> done.getCount() == 0);
        later.get();
    }

    @Test
    @DisplayName("fails after its patience, naming what it waited for")
    void givesUp() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> Eventually.await(Duration.ofMillis(200), "something that never happens", () -> false))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Gave up after 200 ms waiting for: something that never happens");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    @DisplayName("describes the state it last saw only when it fails")
    void lazyDescription() {
        AtomicInteger described = new AtomicInteger();
        Eventually.await(Duration.ofSeconds(5), () -> "n=" + described.incrementAndGet(), () -> true);
        assertThat(described).hasValue(0);
        assertThatThrownBy(() -> Eventually.await(Duration.ofMillis(50), () -> "state " + 42, () -> false))
                .hasMessage("Gave up after 50 ms waiting for: state 42");
    }

    @Test
    @DisplayName("answers the first value accepted, and names the last one seen when none is")
    void value() {
        AtomicInteger counter = new AtomicInteger();
        assertThat(Eventually.awaitValue("a value above 4", counter::incrementAndGet, n -> n > 4)).isEqualTo(5);
        assertThatThrownBy(() -> Eventually.awaitValue(Duration.ofMillis(50), "a negative value", () -> 7, n -> n < 0))
                .hasMessage("Gave up after 50 ms waiting for: a negative value; last seen: 7");
    }

    @Test
    @DisplayName("fails at once when reading the value throws")
    void valueThrows() {
        AtomicInteger reads = new AtomicInteger();
        assertThatThrownBy(() -> Eventually.awaitValue("a file", () -> {
            reads.incrementAndGet();
            throw new IOException("no such file");
        }, v -> true)).isInstanceOf(AssertionError.class).hasMessageContaining("no such file")
                .hasCauseInstanceOf(IOException.class);
        assertThat(reads).hasValue(1);
    }

    @Test
    @DisplayName("runs an assertion until it passes, and fails with its last failure")
    void assertion() {
        AtomicInteger runs = new AtomicInteger();
        Eventually.awaitAsserted(() -> assertThat(runs.incrementAndGet()).isGreaterThan(2));
        assertThat(runs).hasValue(3);

        assertThatThrownBy(() -> Eventually.awaitAsserted(Duration.ofMillis(50),
                () -> assertThat("ready").as("the state").isEqualTo("stopped")))
                .isInstanceOf(AssertionError.class)
                .hasMessageStartingWith("Gave up after 50 ms waiting for an assertion to pass: [the state]")
                .hasCauseInstanceOf(AssertionError.class);
    }

    @Test
    @DisplayName("does not retry an assertion that throws something other than a failed assertion")
    void assertionThrows() {
        AtomicInteger runs = new AtomicInteger();
        assertThatThrownBy(() -> Eventually.awaitAsserted(() -> {
            runs.incrementAndGet();
            throw new IllegalStateException("broken");
        })).isInstanceOf(IllegalStateException.class).hasMessage("broken");
        assertThat(runs).hasValue(1);
    }
}

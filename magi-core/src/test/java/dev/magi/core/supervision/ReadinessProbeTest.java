package dev.magi.core.supervision;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The readiness probe of a server")
class ReadinessProbeTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicInteger probes = new AtomicInteger();
    private HttpServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    @DisplayName("waits 10 ms at first, then a fortieth of the time the server has been loading, at most the longest gap")
    void gaps() {
        Duration longest = Duration.ofMillis(200);

        assertThat(ReadinessProbe.gapMillis(0, longest)).isEqualTo(10);
        assertThat(ReadinessProbe.gapMillis(50, longest)).isEqualTo(10);
        assertThat(ReadinessProbe.gapMillis(400, longest)).isEqualTo(10);
        assertThat(ReadinessProbe.gapMillis(1_000, longest)).isEqualTo(25);
        assertThat(ReadinessProbe.gapMillis(4_000, longest)).isEqualTo(100);
        assertThat(ReadinessProbe.gapMillis(60_000, longest)).isEqualTo(200);
        assertThat(ReadinessProbe.gapMillis(60_000, Duration.ofMillis(1))).isEqualTo(10);
    }

    @Test
    @DisplayName("says not ready while nothing listens, and ready once /health answers 200")
    void oneProbe() throws IOException {
        serve();
        ReadinessProbe probe = new ReadinessProbe(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        assertThat(probe.isReady()).as("503 while loading").isFalse();

        ready.set(true);

        assertThat(probe.isReady()).isTrue();
        assertThat(new ReadinessProbe(URI.create("http://127.0.0.1:" + freePort())).isReady()).as("nothing listening")
                .isFalse();
    }

    @Test
    @DisplayName("waits until the server is ready, probing again as it loads")
    void waitsUntilReady() throws Exception {
        serve();
        ReadinessProbe probe = new ReadinessProbe(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        CompletableFuture<ReadinessProbe.Outcome> outcome = CompletableFuture.supplyAsync(() -> await(probe,
                System.nanoTime(), LONG, () -> false, () -> true));

        Harness.await("a few probes", () -> probes.get() >= 3);
        ready.set(true);

        assertThat(outcome.get(LONG.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ReadinessProbe.Outcome.READY);
    }

    @Test
    @DisplayName("probes at once when woken, however long the gap has grown")
    void wakeBringsProbeForward() throws Exception {
        serve();
        ReadinessProbe probe = new ReadinessProbe(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
        // Loading for ten minutes already: the next gap is the longest one, a minute.
        long startedLongAgo = System.nanoTime() - TimeUnit.MINUTES.toNanos(10);
        CompletableFuture<ReadinessProbe.Outcome> outcome = CompletableFuture.supplyAsync(() -> await(probe,
                startedLongAgo, Duration.ofMinutes(30), () -> false, () -> true));
        Harness.await("the first probe", () -> probes.get() >= 1);

        ready.set(true);
        probe.wake();

        assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(ReadinessProbe.Outcome.READY);
    }

    @Test
    @DisplayName("asks whether the wait is cancelled, then whether the process is gone, before probing")
    void cancelledThenExited() {
        ReadinessProbe probe = new ReadinessProbe(URI.create("http://127.0.0.1:" + freePort()));

        assertThat(await(probe, System.nanoTime(), LONG, () -> true, () -> false))
                .isEqualTo(ReadinessProbe.Outcome.CANCELLED);
        assertThat(await(probe, System.nanoTime(), LONG, () -> false, () -> false))
                .isEqualTo(ReadinessProbe.Outcome.EXITED);
    }

    @Test
    @DisplayName("gives up once the server has had its time")
    void timesOut() throws IOException {
        serve();
        ReadinessProbe probe = new ReadinessProbe(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));

        assertThat(await(probe, System.nanoTime(), Duration.ofMillis(100), () -> false, () -> true))
                .isEqualTo(ReadinessProbe.Outcome.TIMED_OUT);
        assertThat(probes.get()).isPositive();
    }

    /** A /health that answers 503 until {@link #ready} is set, then 200, counting the probes. */
    private void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 16);
        server.createContext("/health", exchange -> {
            probes.incrementAndGet();
            exchange.sendResponseHeaders(ready.get() ? 200 : 503, -1);
            exchange.close();
        });
        server.start();
    }

    private static ReadinessProbe.Outcome await(ReadinessProbe probe, long startedNanos, Duration maxWait,
                                                BooleanSupplier cancelled, BooleanSupplier alive) {
        try {
            return probe.awaitReady(startedNanos, maxWait, Duration.ofMinutes(1), cancelled, alive);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

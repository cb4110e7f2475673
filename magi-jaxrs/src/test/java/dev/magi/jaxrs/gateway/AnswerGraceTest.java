package dev.magi.jaxrs.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The grace before a generation's client is watched waits on the gateway's own timers, and leaves
 * nothing behind once its answer began: under load, a timer per request kept for the whole grace would
 * hold every request (and its body) for that long after its answer.
 */
@DisplayName("The grace before a generation is watched")
class AnswerGraceTest {
    private static final Duration LONG_GRACE = Duration.ofHours(1);

    @Test
    @DisplayName("is a timer of the gateway's, cancelled once the answer begins: nothing waits, nothing is watched")
    void cancelledWhenTheAnswerBegins() {
        AtomicInteger watches = new AtomicInteger();
        ClientWatch counting = (request, closed) -> {
            watches.incrementAndGet();
            return () -> { };
        };
        try (GatewayTimers timers = new GatewayTimers()) {
            Exchange exchange = Exchange.start(ServletStubs.request(), ServletStubs.response(), counting, timers);
            CompletableFuture<String> answering = new CompletableFuture<>();

            exchange.watchAfter(LONG_GRACE, answering);
            assertThat(timers.waiting()).as("the grace's timer").isEqualTo(1);

            answering.complete("the answer's headers");
            assertThat(timers.waiting()).as("timers left once the answer began").isZero();
            assertThat(watches).hasValue(0);
        }
    }

    @Test
    @DisplayName("watches the client once it passed with the answer still to come")
    void watchesAfterTheGrace() throws Exception {
        AtomicInteger watches = new AtomicInteger();
        CompletableFuture<Void> watched = new CompletableFuture<>();
        ClientWatch counting = (request, closed) -> {
            watches.incrementAndGet();
            watched.complete(null);
            return () -> { };
        };
        try (GatewayTimers timers = new GatewayTimers()) {
            Exchange exchange = Exchange.start(ServletStubs.request(), ServletStubs.response(), counting, timers);

            exchange.watchAfter(Duration.ZERO, new CompletableFuture<String>());
            watched.get(1, TimeUnit.MINUTES);
            assertThat(watches).hasValue(1);
        }
    }
}

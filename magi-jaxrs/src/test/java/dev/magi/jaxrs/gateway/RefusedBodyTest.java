package dev.magi.jaxrs.gateway;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The deadline of a refused body's discard")
class RefusedBodyTest {
    private final GatewayTimers timers = new GatewayTimers();

    @AfterEach
    void stop() {
        timers.close();
    }

    @Test
    @DisplayName("a discard the container refuses to start (setReadListener throws) leaves no timer behind to give"
            + " the body up later")
    void noTimerLeftWhenReadingCannotStart() {
        AtomicBoolean cutOff = new AtomicBoolean();
        HttpServletRequest request = request(new RefusingStream());

        assertThatThrownBy(() -> RefusedBody.readRest(request, timers.start(Duration.ofHours(1)),
                () -> cutOff.set(true))).isInstanceOf(IllegalStateException.class);

        assertThat(timers.waiting()).as("timers still waiting").isZero();
        assertThat(cutOff).isFalse();
    }

    @Test
    @DisplayName("a discard under way keeps its timer until its body ends")
    void timerWaitsWhileReading() throws Exception {
        HttpServletRequest request = request(new SilentStream());

        RefusedBody.readRest(request, timers.start(Duration.ofHours(1)), () -> { });

        assertThat(timers.waiting()).isEqualTo(1);
    }

    @Test
    @DisplayName("a discard past its deadline is given up on the gateway's own timer thread, not the JVM-wide one"
            + " of CompletableFuture")
    void givenUpOnTheGatewaysTimer() throws Exception {
        CompletableFuture<String> cutOffOn = new CompletableFuture<>();
        HttpServletRequest request = request(new SilentStream());

        CompletableFuture<Void> done = RefusedBody.readRest(request, timers.start(Duration.ZERO),
                () -> cutOffOn.complete(Thread.currentThread().getName()));

        assertThat(cutOffOn.get(1, TimeUnit.MINUTES)).isEqualTo("magi-gateway-timers");
        // Given up, the body is done: its refusal goes out.
        assertThat(done.get(1, TimeUnit.MINUTES)).isNull();
        assertThat(timers.waiting()).isZero();
    }

    private static HttpServletRequest request(ServletInputStream in) {
        return (HttpServletRequest) Proxy.newProxyInstance(RefusedBodyTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getContentLengthLong" -> 10L;
                    case "getHeader" -> null;
                    case "getInputStream" -> in;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** A stream whose bytes never come. */
    private static class SilentStream extends ServletInputStream {
        @Override
        public boolean isFinished() {
            return false;
        }

        @Override
        public boolean isReady() {
            return false;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            // Never called back: the body stays under way.
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }
    }

    /** As a container that cannot read without blocking here (the request was not made asynchronous). */
    private static final class RefusingStream extends SilentStream {
        @Override
        public void setReadListener(ReadListener listener) {
            throw new IllegalStateException("not asynchronous");
        }
    }
}

package dev.magi.jaxrs.streams;

import dev.magi.testkit.Eventually;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseBroadcaster;
import jakarta.ws.rs.sse.SseEventSink;
import org.glassfish.jersey.media.sse.OutboundEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("One event stream, without HTTP")
class EventStreamTest {
    private static final Sse SSE = new Sse() {
        @Override
        public OutboundSseEvent.Builder newEventBuilder() {
            return new OutboundEvent.Builder();
        }

        @Override
        public SseBroadcaster newBroadcaster() {
            throw new UnsupportedOperationException();
        }
    };

    private final EventStreams streams = new EventStreams(10);
    private final RecordingSink sink = new RecordingSink();
    private final AtomicInteger producersStopped = new AtomicInteger();

    @AfterEach
    void close() {
        streams.close();
    }

    @Test
    @DisplayName("sends what its backlog holds, in order, on the shared threads")
    void sendsInOrder() {
        EventStream stream = streams.open(sink, SSE);
        EventQueue queue = new EventQueue(100, stream::wake);
        queue.add(StreamEvent.of("hello", 0));
        stream.start(queue, producersStopped::incrementAndGet);
        for (int i = 1; i < 50; i++) {
            queue.add(StreamEvent.of("server", i));
        }

        Eventually.await("50 events sent", () -> sink.sent.size() == 50);
        assertThat(sink.sent).extracting(OutboundSseEvent::getData).containsExactlyElementsOf(
                IntStream.range(0, 50).boxed().toList());
        assertThat(sink.senders).allMatch(name -> name.startsWith("magi-event-sender-"));
        assertThat(streams.openCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("a send that fails (the client went away) closes it at once: place given back, producers stopped")
    void failedSend() {
        sink.failing = true;
        EventStream stream = streams.open(sink, SSE);
        EventQueue queue = new EventQueue(100, stream::wake);
        queue.add(StreamEvent.of("hello", 0));

        stream.start(queue, producersStopped::incrementAndGet);

        Eventually.await("the stream released", () -> streams.openCount() == 0);
        assertThat(producersStopped).hasValue(1);
        assertThat(sink.closed).isTrue();
    }

    @Test
    @DisplayName("a quiet stream sends a keep-alive at the heartbeat; one whose client is gone is released there")
    void heartbeat() {
        EventStream stream = streams.open(sink, SSE);
        stream.start(List::of, producersStopped::incrementAndGet);

        stream.heartbeat();

        Eventually.await("a keep-alive sent", () -> sink.sent.size() == 1);
        assertThat(sink.sent.get(0).getComment()).isEqualTo("keep-alive");
        sink.closed = true;
        stream.heartbeat();
        assertThat(streams.openCount()).isZero();
        assertThat(producersStopped).hasValue(1);
    }

    @Test
    @DisplayName("closing every stream (MAGI shuts down) ends each one and stops its producers")
    void closeAll() {
        EventStream stream = streams.open(sink, SSE);
        stream.start(List::of, producersStopped::incrementAndGet);

        streams.close();

        assertThat(sink.closed).isTrue();
        assertThat(producersStopped).hasValue(1);
        assertThat(streams.openCount()).isZero();
    }

    /** A client: records what is sent to it, or fails every send as a connection that broke. */
    private static final class RecordingSink implements SseEventSink {
        final List<OutboundSseEvent> sent = new CopyOnWriteArrayList<>();
        final List<String> senders = new CopyOnWriteArrayList<>();
        volatile boolean failing;
        volatile boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public CompletionStage<?> send(OutboundSseEvent event) {
            if (failing) {
                return CompletableFuture.failedFuture(new IOException("Broken pipe"));
            }
            sent.add(event);
            senders.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}

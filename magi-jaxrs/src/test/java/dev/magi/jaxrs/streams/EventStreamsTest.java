package dev.magi.jaxrs.streams;

import dev.magi.jaxrs.errors.MagiExceptionMapper;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("Event streams, without HTTP")
class EventStreamsTest {
    private final EventStreams streams = new EventStreams(3);

    @AfterEach
    void close() {
        streams.close();
    }

    @Nested
    @DisplayName("the cap")
    class Cap {
        @Test
        @DisplayName("refuses one stream over it with ServiceUnavailable, the limit and when to retry")
        void overTheCap() {
            List<EventStream> open = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                open.add(streams.open(null, null));
            }

            MagiException refused = catchThrowableOfType(() -> streams.open(null, null), MagiException.class);

            assertThat(refused.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
            assertThat(refused.getMessage()).contains("--max-event-streams");
            assertThat(refused.details()).containsEntry("maxEventStreams", 3)
                    .containsEntry(MagiExceptionMapper.RETRY_AFTER_SECONDS, EventStreams.RETRY_AFTER_SECONDS);
            assertThat(streams.openCount()).isEqualTo(3);
        }

        @Test
        @DisplayName("takes a stream again once one is abandoned (a request that failed before streaming)")
        void abandonGivesThePlaceBack() {
            EventStream first = streams.open(null, null);
            streams.open(null, null);
            streams.open(null, null);

            first.abandon();
            first.abandon();

            assertThat(streams.openCount()).isEqualTo(2);
            assertThat(streams.open(null, null)).isNotNull();
        }

        @Test
        @DisplayName("refuses every stream once closed (MAGI is shutting down)")
        void closed() {
            streams.close();

            MagiException refused = catchThrowableOfType(() -> streams.open(null, null), MagiException.class);

            assertThat(refused.code()).isEqualTo(ErrorCode.SERVICE_UNAVAILABLE);
            assertThat(refused.getMessage()).contains("shutting down");
        }
    }

    @Nested
    @DisplayName("the queue of /events")
    class Queue {
        @Test
        @DisplayName("hands out what was added, in order, and signals each addition")
        void inOrder() {
            AtomicInteger signals = new AtomicInteger();
            EventQueue queue = new EventQueue(10, signals::incrementAndGet);

            queue.add(StreamEvent.of("hello", 1));
            queue.add(StreamEvent.of("registry", 2));

            assertThat(signals).hasValue(2);
            assertThat(queue.take()).containsExactly(StreamEvent.of("hello", 1), StreamEvent.of("registry", 2));
            assertThat(queue.take()).isEmpty();
        }

        @Test
        @DisplayName("when full, drops the oldest and says so first")
        void full() {
            EventQueue queue = new EventQueue(2, () -> { });

            for (int i = 0; i < 5; i++) {
                queue.add(StreamEvent.of("server", i));
            }

            assertThat(queue.take()).containsExactly(StreamEvent.comment(EventQueue.DROPPED),
                    StreamEvent.of("server", 3), StreamEvent.of("server", 4));
            queue.add(StreamEvent.of("server", 5));
            assertThat(queue.take()).containsExactly(StreamEvent.of("server", 5));
        }
    }
}

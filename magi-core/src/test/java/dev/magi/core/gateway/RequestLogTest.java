package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The log of the last requests")
class RequestLogTest {

    private static RequestRecord request(int n) {
        return new RequestRecord(Instant.EPOCH.plusSeconds(n), "asked-" + n, "model", null, Route.MODEL, 200, 0, 0,
                n, null, null, null);
    }

    @Test
    @DisplayName("a record keeps only the start of a very long asked name")
    void longAskedNameIsCut() {
        RequestRecord record = new RequestRecord(Instant.EPOCH, "m".repeat(10_000_000), null, null, null, 404, 0, 0,
                0, null, null, null);

        assertThat(record.asked()).hasSize(RequestRecord.MAX_ASKED_CHARS + 3).startsWith("mmm").endsWith("...");
        assertThat(request(1).asked()).isEqualTo("asked-1");
    }

    @Test
    @DisplayName("the tail is the newest requests, newest last")
    void tail() {
        RequestLog log = new RequestLog();
        for (int i = 0; i < 5; i++) {
            log.requestEnded(request(i));
        }
        assertThat(log.tail(2)).extracting(RequestRecord::asked).containsExactly("asked-3", "asked-4");
        assertThat(log.tail(100)).hasSize(5);
    }

    @Test
    @DisplayName("it keeps the last thousand and forgets older ones")
    void bounded() {
        RequestLog log = new RequestLog();
        for (int i = 0; i < RequestLog.CAPACITY + 10; i++) {
            log.requestEnded(request(i));
        }
        assertThat(log.tail(RequestLog.CAPACITY)).hasSize(RequestLog.CAPACITY)
                .first().extracting(RequestRecord::asked).isEqualTo("asked-10");
    }

    @Test
    @DisplayName("a tail below 1 or above the capacity is refused")
    void badTail() {
        RequestLog log = new RequestLog();
        assertThatThrownBy(() -> log.tail(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.tail(RequestLog.CAPACITY + 1)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.magi.jaxrs.gateway;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The tail a request's tokens are read from: the last bytes passed on, across chunk boundaries. */
class RequestClockTest {
    @Test
    void aShortAnswerIsKeptWhole() {
        RequestClock clock = new RequestClock(null, "m");
        clock.passed(bytes("{\"usage\":"));
        clock.passed(bytes("{\"prompt_tokens\":3}}"));

        assertThat(new String(clock.tail(), StandardCharsets.UTF_8)).isEqualTo("{\"usage\":{\"prompt_tokens\":3}}");
    }

    @Test
    void aLongAnswerKeepsExactlyItsLastBytes() {
        Random random = new Random(7);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        RequestClock clock = new RequestClock(null, "m");
        for (int i = 0; i < 500; i++) {
            byte[] chunk = new byte[random.nextInt(300)];
            random.nextBytes(chunk);
            all.writeBytes(chunk);
            clock.passed(chunk);
        }
        byte[] whole = all.toByteArray();

        assertThat(clock.tail()).isEqualTo(Arrays.copyOfRange(whole, whole.length - RequestClock.TAIL_BYTES,
                whole.length));
    }

    @Test
    void oneChunkLongerThanTheTailGivesItsEnd() {
        byte[] big = new byte[RequestClock.TAIL_BYTES * 3 + 5];
        new Random(3).nextBytes(big);
        RequestClock clock = new RequestClock(null, "m");
        clock.passed(bytes("before"));
        clock.passed(big);

        assertThat(clock.tail()).isEqualTo(Arrays.copyOfRange(big, big.length - RequestClock.TAIL_BYTES, big.length));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.magi.jaxrs.errors;

import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A request read the web container timed out")
class ReadTimeoutsTest {

    @Test
    @DisplayName("is recognised as Jetty reports it (a TimeoutException in an IOException) and as Tomcat does")
    void containersTimeouts() {
        assertThat(ReadTimeouts.isReadTimeout(new IOException(new TimeoutException("Idle timeout expired")))).isTrue();
        assertThat(ReadTimeouts.isReadTimeout(new SocketTimeoutException("Read timed out"))).isTrue();
        assertThat(ReadTimeouts.isReadTimeout(
                new ProcessingException(new IOException(new TimeoutException("Idle timeout expired"))))).isTrue();
    }

    @Test
    @DisplayName("is not any I/O failure, nor a timeout that no read reported")
    void otherFailures() {
        assertThat(ReadTimeouts.isReadTimeout(new IOException("Connection reset"))).isFalse();
        assertThat(ReadTimeouts.isReadTimeout(new TimeoutException("a wait of MAGI's own"))).isFalse();
        assertThat(ReadTimeouts.isReadTimeout(new IllegalStateException(new TimeoutException()))).isFalse();
    }

    @Test
    @DisplayName("wherever Jersey read it, is answered 408 RequestTimeout rather than 500")
    void mappedTo408() {
        Response response = new UnexpectedExceptionMapper().toResponse(
                new ProcessingException(new IOException(new TimeoutException("Idle timeout expired"))));

        assertThat(response.getStatus()).isEqualTo(408);
        assertThat(((ErrorBody) response.getEntity()).error()).isEqualTo("RequestTimeout");
    }
}

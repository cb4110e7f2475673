package dev.magi.jaxrs.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The one retry of a request")
class OneRetryTest {
    @Test
    @DisplayName("follows a refused connection, a reset or a server gone before its headers")
    void retriable() {
        assertThat(OneRetry.retriable(new ConnectException("Connection refused"))).isTrue();
        assertThat(OneRetry.retriable(new CompletionException(new IOException("Connection reset")))).isTrue();
        assertThat(OneRetry.retriable(new CompletionException(new IOException("HTTP/1.1 header parser received"
                + " no bytes")))).isTrue();
    }

    @Test
    @DisplayName("does not follow a timeout, nor a refusal of the gateway's own")
    void notRetriable() {
        assertThat(OneRetry.retriable(new HttpTimeoutException("request timed out"))).isFalse();
        assertThat(OneRetry.retriable(new CompletionException(new IllegalStateException("no")))).isFalse();
    }
}

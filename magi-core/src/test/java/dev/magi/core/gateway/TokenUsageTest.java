package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Tokens read from the tail of an answer")
class TokenUsageTest {

    private static TokenUsage of(String tail) {
        byte[] bytes = tail.getBytes(StandardCharsets.UTF_8);
        return TokenUsage.fromTail(bytes, bytes.length);
    }

    @Test
    @DisplayName("an answer's usage gives prompt and completion tokens")
    void usage() {
        assertThat(of("{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":34,"
                + "\"total_tokens\":46}}")).isEqualTo(new TokenUsage(12L, 34L));
    }

    @Test
    @DisplayName("a stream's last usage counts, not the null usage of the chunks before it")
    void lastUsageOfAStream() {
        assertThat(of("data: {\"choices\":[{\"delta\":{}}],\"usage\":null}\n\ndata: {\"choices\":[],\"usage\":"
                + "{\"prompt_tokens\":5,\"completion_tokens\":7}}\n\ndata: {\"choices\":[],\"usage\":null}\n\n"
                + "data: [DONE]\n\n")).isEqualTo(new TokenUsage(5L, 7L));
    }

    @Test
    @DisplayName("llama-server's timings stand in when there is no usage")
    void timings() {
        assertThat(of("data: {\"choices\":[{\"finish_reason\":\"stop\"}],\"timings\":{\"prompt_n\":9,"
                + "\"prompt_ms\":1.5,\"predicted_n\":21,\"predicted_ms\":30.1}}\n\ndata: [DONE]\n\n"))
                .isEqualTo(new TokenUsage(9L, 21L));
    }

    @Test
    @DisplayName("an answer without either, or cut off, says nothing")
    void nothing() {
        assertThat(of("{\"object\":\"list\",\"data\":[]}")).isEqualTo(TokenUsage.UNKNOWN);
        assertThat(of("\"usage\":{\"prompt_tok")).isEqualTo(TokenUsage.UNKNOWN);
        assertThat(of("")).isEqualTo(TokenUsage.UNKNOWN);
    }

    @Test
    @DisplayName("only the given length of the buffer is read")
    void length() {
        byte[] bytes = "{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}".getBytes(StandardCharsets.UTF_8);
        assertThat(TokenUsage.fromTail(bytes, 5)).isEqualTo(TokenUsage.UNKNOWN);
    }
}

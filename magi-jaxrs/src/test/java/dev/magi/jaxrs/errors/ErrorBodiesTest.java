package dev.magi.jaxrs.errors;

import dev.magi.jaxrs.json.ObjectMapperResolver;
import dev.magi.spi.ErrorCode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The error body's bytes: the same fields in the same order, through Jersey or without it. */
class ErrorBodiesTest {

    @Test
    void bytesKeepTheFieldOrderAndTheDetailsOrder() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", 431);
        details.put("errorId", "abc12345");

        String json = new String(ErrorBodies.bytes(new ErrorBody(ErrorCode.INVALID_REQUEST, "Too large", details)),
                StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"error\":\"InvalidRequest\",\"message\":\"Too large\","
                + "\"details\":{\"status\":431,\"errorId\":\"abc12345\"}}");
    }

    @Test
    void missingDetailsAreAnEmptyObject() {
        String json = new String(ErrorBodies.bytes(new ErrorBody(ErrorCode.NOT_FOUND, "No resource", null)),
                StandardCharsets.UTF_8);

        assertThat(json).isEqualTo("{\"error\":\"NotFound\",\"message\":\"No resource\",\"details\":{}}");
    }

    @Test
    void theApiMapperWritesTheSameBytes() throws Exception {
        ErrorBody body = new ErrorBody(ErrorCode.UNAUTHORIZED, "The API key is not valid", Map.of());

        assertThat(new ObjectMapperResolver().mapper().writeValueAsBytes(body)).isEqualTo(ErrorBodies.bytes(body));
    }

    @Test
    void aResponseHasTheStatusOfTheCode() {
        assertThat(ErrorBodies.response(ErrorCode.PAYLOAD_TOO_LARGE, "Too large", Map.of()).getStatus())
                .isEqualTo(413);
    }
}

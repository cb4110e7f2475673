package dev.magi.spi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The error names of bare HTTP statuses, as the container and the JAX-RS runtime answer them. */
class ErrorCodeTest {

    @Test
    void statusesWithACodeOfTheirOwn() {
        assertThat(ErrorCode.forHttpStatus(401).wireName()).isEqualTo("Unauthorized");
        assertThat(ErrorCode.forHttpStatus(404).wireName()).isEqualTo("NotFound");
        assertThat(ErrorCode.forHttpStatus(405).wireName()).isEqualTo("MethodNotAllowed");
        assertThat(ErrorCode.forHttpStatus(406).wireName()).isEqualTo("NotAcceptable");
        assertThat(ErrorCode.forHttpStatus(408).wireName()).isEqualTo("RequestTimeout");
        assertThat(ErrorCode.REQUEST_TIMEOUT.httpStatus()).isEqualTo(408);
        assertThat(ErrorCode.forHttpStatus(413).wireName()).isEqualTo("PayloadTooLarge");
        assertThat(ErrorCode.forHttpStatus(415).wireName()).isEqualTo("UnsupportedMediaType");
        assertThat(ErrorCode.forHttpStatus(503).wireName()).isEqualTo("ServiceUnavailable");
    }

    @Test
    void otherStatusesAreInvalidRequestsBelow500AndInternalErrorsFrom500() {
        assertThat(ErrorCode.forHttpStatus(400).wireName()).isEqualTo("InvalidRequest");
        assertThat(ErrorCode.forHttpStatus(431).wireName()).isEqualTo("InvalidRequest");
        assertThat(ErrorCode.forHttpStatus(500).wireName()).isEqualTo("InternalError");
        assertThat(ErrorCode.forHttpStatus(502).wireName()).isEqualTo("InternalError");
    }
}

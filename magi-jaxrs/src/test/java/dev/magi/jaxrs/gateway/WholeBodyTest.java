package dev.magi.jaxrs.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("What a body read whole sets aside before its bytes arrive")
class WholeBodyTest {
    private static final int CAP = 16 * 1024;

    @Test
    @DisplayName("a small body's Content-Length is set aside whole, so it is read in one go")
    void smallBodyWhole() {
        assertThat(WholeBody.initialCapacity(300)).isEqualTo(300);
        assertThat(WholeBody.initialCapacity(CAP)).isEqualTo(CAP);
    }

    @Test
    @DisplayName("a Content-Length of 32 MiB, or any past 16 KiB, sets aside no more than 16 KiB: headers alone"
            + " cost little")
    void largeDeclaredLengthIsCapped() {
        assertThat(WholeBody.initialCapacity(32L * 1024 * 1024)).isEqualTo(CAP);
        assertThat(WholeBody.initialCapacity(CAP + 1)).isEqualTo(CAP);
        assertThat(WholeBody.initialCapacity(Long.MAX_VALUE)).isEqualTo(CAP);
    }

    @Test
    @DisplayName("a body without a Content-Length sets aside nothing from it")
    void noDeclaredLength() {
        assertThat(WholeBody.initialCapacity(-1)).isZero();
        assertThat(WholeBody.initialCapacity(0)).isZero();
    }
}

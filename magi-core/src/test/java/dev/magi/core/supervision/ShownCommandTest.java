package dev.magi.core.supervision;

import dev.magi.spi.launch.LaunchSpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The command line as the server's log shows it")
class ShownCommandTest {
    @Test
    @DisplayName("is the words joined by spaces")
    void joined() {
        assertThat(LaunchSpec.shown(List.of("/opt/llama-server", "--model", "/m/a.gguf", "--port", "8080")))
                .isEqualTo("/opt/llama-server --model /m/a.gguf --port 8080");
    }

    @Test
    @DisplayName("masks the value of --api-key, given apart or with =")
    void apiKeyMasked() {
        String shown = LaunchSpec.shown(List.of("/opt/llama-server", "--api-key", "k1-secret", "--parallel",
                "2", "--api-key=k2-secret", "--api-key-file", "/etc/keys"));

        assertThat(shown).isEqualTo("/opt/llama-server --api-key *** --parallel 2 --api-key=*** --api-key-file /etc/keys");
    }

    @Test
    @DisplayName("a trailing --api-key without a value is shown as it is")
    void trailingFlag() {
        assertThat(LaunchSpec.shown(List.of("/opt/llama-server", "--api-key"))).isEqualTo(
                "/opt/llama-server --api-key");
    }
}

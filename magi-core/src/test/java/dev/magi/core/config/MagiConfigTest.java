package dev.magi.core.config;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.PortRange;
import dev.magi.spi.Settings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The configuration")
class MagiConfigTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("takes the documented defaults when nothing is set")
    void defaults() {
        MagiConfig config = MagiConfig.from(key -> null);
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8000);
        assertThat(config.scanPath()).isEqualTo(Path.of(System.getProperty("user.home"), "models"));
        assertThat(config.registryPath()).isEqualTo(Path.of("data/model_registry.json").toAbsolutePath());
        assertThat(config.profilesPath()).isEqualTo(Path.of("config/profiles").toAbsolutePath());
        assertThat(config.store()).isEqualTo("json");
        assertThat(config.tierClassifier()).isEqualTo("size");
        assertThat(config.portRange()).isEqualTo(new PortRange(8080, 8099));
        assertThat(config.maxStartupTime()).isEqualTo(Duration.ofSeconds(120));
        assertThat(config.readinessInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.httpIdleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.requestBodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.watch()).isTrue();
        assertThat(config.apiKey()).isNull();
        assertThat(config.activeProfile()).isNull();
        assertThat(config.llamaArgs()).isEmpty();
    }

    @Test
    @DisplayName("serves the gateway with 64 waiters per model and a 300 s wait unless told otherwise")
    void gatewayDefaults() {
        MagiConfig defaults = MagiConfig.from(key -> null);
        assertThat(defaults.gateway()).isTrue();
        assertThat(defaults.queueLimit()).isEqualTo(64);
        assertThat(defaults.queueTimeout()).isEqualTo(Duration.ofSeconds(300));
        MagiConfig set = MagiConfig.from(Settings.of(Map.of("MAGI_GATEWAY", "false", "MAGI_QUEUE_LIMIT", "512",
                "MAGI_QUEUE_TIMEOUT", "2.5")));
        assertThat(set.gateway()).isFalse();
        assertThat(set.queueLimit()).isEqualTo(512);
        assertThat(set.queueTimeout()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    @DisplayName("unloads an on-demand server after 900 s unused unless told otherwise; 0 means never")
    void idleTtl() {
        assertThat(MagiConfig.from(key -> null).idleTtl()).isEqualTo(Duration.ofSeconds(900));
        assertThat(MagiConfig.from(Settings.of(Map.of("MAGI_IDLE_TTL", "0"))).idleTtl()).isZero();
        assertThat(MagiConfig.from(Settings.of(Map.of("MAGI_IDLE_TTL", "1.5"))).idleTtl())
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    @DisplayName("budgets physical memory less 2 GiB unless told a size; loads any number of models unless told")
    void memory() {
        MagiConfig defaults = MagiConfig.from(key -> null);
        assertThat(defaults.memoryBudget()).isPositive();
        assertThat(defaults.maxLoadedModels()).isZero();
        assertThat(MagiConfig.defaultMemoryBudget(16L << 30)).isEqualTo(14L << 30);
        assertThat(MagiConfig.defaultMemoryBudget(3L << 30)).as("half of a small machine").isEqualTo(3L << 29);
        MagiConfig set = MagiConfig.from(Settings.of(Map.of("MAGI_MEMORY_BUDGET", "1.5g",
                "MAGI_MAX_LOADED_MODELS", "2")));
        assertThat(set.memoryBudget()).isEqualTo(3L << 29);
        assertThat(set.maxLoadedModels()).isEqualTo(2);
        assertThat(MagiConfig.from(Settings.of(Map.of("MAGI_MEMORY_BUDGET", "123456"))).memoryBudget())
                .isEqualTo(123_456);
    }

    @Test
    @DisplayName("lets the first source win over the second")
    void precedence() {
        Settings flags = Settings.of(Map.of("MAGI_PORT", "9000"));
        Settings env = Settings.of(Map.of("MAGI_PORT", "7000", "MAGI_HOST", "0.0.0.0"));
        MagiConfig config = MagiConfig.from(flags.orElse(env));
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.host()).isEqualTo("0.0.0.0");
    }

    @Test
    @DisplayName("splits llama-server arguments like a shell would, without a shell")
    void llamaArgs() {
        MagiConfig config = MagiConfig.from(Settings.of(Map.of("LLAMA_SERVER_ARGS",
                "--flash-attn  -c 4096 --chat-template-kwargs '{\"a\": 1}' \"x y\"")));
        assertThat(config.llamaArgs()).containsExactly("--flash-attn", "-c", "4096", "--chat-template-kwargs",
                "{\"a\": 1}", "x y");
    }

    @Test
    @DisplayName("refuses a bad value with one line naming the flag and the variable")
    void badValues() {
        for (Map<String, String> bad : List.of(Map.of("MAGI_PORT", "eighty"), Map.of("MAGI_PORT", "70000"),
                Map.of("PORT_RANGE", "9000"), Map.of("PORT_RANGE", "80-90"), Map.of("MAGI_WATCH", "maybe"),
                Map.of("STOP_TIMEOUT", "-1"), Map.of("MAX_STARTUP_TIME", "soon"),
                Map.of("MAGI_HTTP_IDLE_TIMEOUT", "0"), Map.of("MAGI_REQUEST_BODY_TIMEOUT", "forever"),
                Map.of("LLAMA_SERVER_ARGS", "\"unbalanced"), Map.of("MAGI_GATEWAY", "perhaps"),
                Map.of("MAGI_QUEUE_LIMIT", "0"), Map.of("MAGI_QUEUE_LIMIT", "513"), Map.of("MAGI_QUEUE_TIMEOUT", "0"),
                Map.of("MAGI_IDLE_TTL", "-1"), Map.of("MAGI_IDLE_TTL", "never"),
                Map.of("MAGI_MEMORY_BUDGET", "lots"), Map.of("MAGI_MEMORY_BUDGET", "0"),
                Map.of("MAGI_MEMORY_BUDGET", "-4G"), Map.of("MAGI_MAX_LOADED_MODELS", "-1"))) {
            assertThatThrownBy(() -> MagiConfig.from(Settings.of(bad)))
                    .isInstanceOfSatisfying(MagiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                        assertThat(e.getMessage()).doesNotContain("\n")
                                .contains(ConfigKey.byName(bad.keySet().iterator().next()).flag());
                    });
        }
    }

    @Test
    @DisplayName("reads the allowed hosts and origins as lower-case lists and refuses what is neither")
    void allowedHostsAndOrigins() {
        MagiConfig config = MagiConfig.from(Settings.of(Map.of("MAGI_ALLOWED_HOSTS", " Magi.example, box.lan:8000 ,",
                "MAGI_ALLOWED_ORIGINS", "https://Magi.example/,http://[::1]:8000")));
        assertThat(config.allowedHosts()).containsExactly("magi.example", "box.lan:8000");
        assertThat(config.allowedOrigins()).containsExactly("https://magi.example", "http://[::1]:8000");
        assertThat(MagiConfig.from(key -> null).allowedHosts()).isEmpty();
        for (Map<String, String> bad : List.of(Map.of("MAGI_ALLOWED_HOSTS", "http://magi.example"),
                Map.of("MAGI_ALLOWED_HOSTS", "magi.example/x"), Map.of("MAGI_ALLOWED_ORIGINS", "magi.example"),
                Map.of("MAGI_ALLOWED_ORIGINS", "https://magi.example/app"))) {
            assertThatThrownBy(() -> MagiConfig.from(Settings.of(bad)))
                    .isInstanceOfSatisfying(MagiException.class, e -> assertThat(e.getMessage())
                            .contains(ConfigKey.byName(bad.keySet().iterator().next()).flag()));
        }
    }

    @Test
    @DisplayName("reads the API key from --api-key-file, trimmed, so it stays out of the process list")
    void apiKeyFile() throws IOException {
        Path file = Files.writeString(dir.resolve("api-key"), "  s3cret-key\n");

        MagiConfig config = MagiConfig.from(Settings.of(Map.of("MAGI_API_KEY_FILE", file.toString())));

        assertThat(config.apiKey()).isEqualTo("s3cret-key");
        assertThat(ConfigKey.API_KEY_FILE.flag()).isEqualTo("--api-key-file");
        assertThat(ConfigKey.API_KEY_FILE.description()).contains("process list");
    }

    @Test
    @DisplayName("refuses at start an API key file that is missing, empty or not a file, or given beside --api-key")
    void badApiKeyFile() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty"), " \n\t");
        Path good = Files.writeString(dir.resolve("good"), "key");
        Map<Map<String, String>, String> bad = Map.of(
                Map.of("MAGI_API_KEY_FILE", dir.resolve("missing").toString()), "no such file",
                Map.of("MAGI_API_KEY_FILE", empty.toString()), "the file is empty",
                Map.of("MAGI_API_KEY_FILE", dir.toString()), "not a regular file",
                Map.of("MAGI_API_KEY_FILE", good.toString(), "MAGI_API_KEY", "other"), "give only one");
        bad.forEach((settings, reason) -> assertThatThrownBy(() -> MagiConfig.from(Settings.of(settings)))
                .isInstanceOfSatisfying(MagiException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).doesNotContain("\n").contains("--api-key-file").contains(reason);
                }));
    }
}

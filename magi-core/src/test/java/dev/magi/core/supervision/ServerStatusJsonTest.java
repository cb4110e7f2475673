package dev.magi.core.supervision;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.magi.spi.Tier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The JSON of servers and log lines")
class ServerStatusJsonTest {
    @Test
    @DisplayName("has exactly the documented fields, in order, with any mapper")
    void serverShape() throws Exception {
        ServerStatus status = new ServerStatus("qwen3-4b", "Qwen3 4B", 8080, 1234L, ServerState.READY, true, true,
                42L, Tier.FAST, true, 1, 134, "crashed", Instant.parse("2025-01-02T03:04:05Z"), false,
                new ServerTraffic(1, 2, 4, 9), new ServerRetention("gateway", false,
                Instant.parse("2025-01-02T03:05:00Z"), Instant.parse("2025-01-02T03:20:00Z")), "local",
                URI.create("http://127.0.0.1:8080"), Map.of());

        assertThat(JsonMapper.builder().build().writeValueAsString(status)).isEqualTo("{\"modelId\":\"qwen3-4b\","
                + "\"displayName\":\"Qwen3 4B\",\"port\":8080,\"pid\":1234,\"state\":\"ready\",\"isReady\":true,"
                + "\"isRunning\":true,\"uptimeSeconds\":42,\"tier\":\"fast\",\"isThinking\":true,\"restartCount\":1,"
                + "\"lastExitCode\":134,\"lastError\":\"crashed\",\"startedAt\":\"2025-01-02T03:04:05Z\",\"healthy\":false,"
                + "\"inFlight\":1,\"queued\":2,\"slots\":4,\"requestsTotal\":9,\"startedBy\":\"gateway\",\"pinned\":false,"
                + "\"lastRequestAt\":\"2025-01-02T03:05:00Z\",\"idleExpiresAt\":\"2025-01-02T03:20:00Z\",\"launcher\":\"local\","
                + "\"endpoint\":\"http://127.0.0.1:8080\"}");
    }

    @Test
    @DisplayName("of a server in a job ends with what the launch shows of itself, by name")
    void launchFieldsLast() throws Exception {
        ServerStatus status = new ServerStatus("qwen3-4b", "Qwen3 4B", 40123, null, ServerState.PENDING, false, false,
                null, Tier.FAST, false, 0, null, "Resources", null, true, ServerTraffic.NONE, null, "slurm",
                null, Map.of("node", "n07", "jobId", "5678"));

        assertThat(JsonMapper.builder().build().writeValueAsString(status)).endsWith("\"healthy\":true,"
                + "\"inFlight\":0,\"queued\":0,\"slots\":0,\"requestsTotal\":0,\"startedBy\":null,\"pinned\":false,"
                + "\"lastRequestAt\":null,\"idleExpiresAt\":null,\"launcher\":\"slurm\","
                + "\"endpoint\":null,\"jobId\":\"5678\",\"node\":\"n07\"}")
                .contains("\"state\":\"pending\"").contains("\"lastError\":\"Resources\"");
    }

    @Test
    @DisplayName("of a server the gateway knows nothing of has null startedBy, lastRequestAt and idleExpiresAt")
    void serverWithoutRetention() throws Exception {
        ServerStatus status = new ServerStatus("m", "m", null, null, ServerState.STOPPED, false, false, null, Tier.FAST,
                false, 0, null, null, null, true, null, null, "local", null, Map.of());

        assertThat(JsonMapper.builder().build().writeValueAsString(status)).contains("\"requestsTotal\":0,"
                + "\"startedBy\":null,\"pinned\":false,\"lastRequestAt\":null,\"idleExpiresAt\":null,");
    }

    @Test
    @DisplayName("of a log line is {timestamp, stream, line}")
    void logLineShape() throws Exception {
        LogLine line = new LogLine(Instant.parse("2025-01-02T03:04:05.123Z"), LogLine.STDERR, "main: model loaded");

        assertThat(JsonMapper.builder().build().writeValueAsString(line)).isEqualTo(
                "{\"timestamp\":\"2025-01-02T03:04:05.123Z\",\"stream\":\"stderr\",\"line\":\"main: model loaded\"}");
    }
}

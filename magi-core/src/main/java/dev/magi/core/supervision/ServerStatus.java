package dev.magi.core.supervision;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.magi.spi.Tier;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A model's server as the API shows it ({@code GET /servers}): exactly the fields docs/api.md lists,
 * in that order and spelling whatever mapper writes it.
 *
 * @param modelId       the model
 * @param displayName   the model's display name
 * @param port          the port its server listens on (or will): its endpoint's, else the model's; null
 *                      when it has none
 * @param pid           the process id while there is a local process, else null
 * @param state         where the server is in its life
 * @param isReady       {@code state} is {@link ServerState#READY}
 * @param isRunning     a process is alive (loading, ready or stopping)
 * @param uptimeSeconds whole seconds since the process started, null without a live process
 * @param tier          the model's effective tier
 * @param isThinking    whether the model is treated as a thinking model
 * @param restartCount  automatic restarts after crashes since the last start asked for by a user
 * @param lastExitCode  the exit code of the last process that ended, null when none has
 * @param lastError     why the last start failed or the last process crashed, null when none did
 * @param startedAt     when the current process started, null without one
 * @param healthy       false while a ready server's {@code GET /health} has failed twice in a row or
 *                      more (it gets no new gateway request); true otherwise
 * @param traffic       what the gateway sends it, written as its own fields ({@code inFlight}, {@code queued},
 *                      {@code slots}, {@code requestsTotal}); {@link ServerTraffic#NONE} from the supervisor
 * @param retention     who started it and when idle unload stops it, written as its own fields
 *                      ({@code startedBy}, {@code pinned}, {@code lastRequestAt}, {@code idleExpiresAt});
 *                      {@link ServerRetention#NONE} from the supervisor
 * @param launcher      the name of the launcher that runs it ({@code local}, {@code slurm}...)
 * @param endpoint      its base URL while it runs, else null
 * @param launch        what its launch shows of itself besides the pid ({@code jobId}, {@code node}...),
 *                      written as fields of their own after the others; empty for a local process
 */
@JsonPropertyOrder({"modelId", "displayName", "port", "pid", "state", "isReady", "isRunning", "uptimeSeconds",
        "tier", "isThinking", "restartCount", "lastExitCode", "lastError", "startedAt", "healthy", "traffic",
        "retention", "launcher", "endpoint"})
public record ServerStatus(
        String modelId,
        String displayName,
        Integer port,
        Long pid,
        ServerState state,
        @JsonProperty("isReady") boolean isReady,
        @JsonProperty("isRunning") boolean isRunning,
        Long uptimeSeconds,
        @JsonSerialize(using = ToStringSerializer.class) Tier tier,
        @JsonProperty("isThinking") boolean isThinking,
        int restartCount,
        Integer lastExitCode,
        String lastError,
        @JsonSerialize(using = ToStringSerializer.class) Instant startedAt,
        boolean healthy,
        @JsonUnwrapped ServerTraffic traffic,
        @JsonUnwrapped ServerRetention retention,
        String launcher,
        @JsonSerialize(using = ToStringSerializer.class) URI endpoint,
        @JsonIgnore Map<String, Object> launch) {

    public ServerStatus {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(state, "state");
        traffic = traffic == null ? ServerTraffic.NONE : traffic;
        retention = retention == null ? ServerRetention.NONE : retention;
        launch = launch == null ? Map.of() : Map.copyOf(launch);
    }

    /** The same status with what the gateway sends the server. */
    public ServerStatus withTraffic(ServerTraffic traffic) {
        return new ServerStatus(modelId, displayName, port, pid, state, isReady, isRunning, uptimeSeconds, tier,
                isThinking, restartCount, lastExitCode, lastError, startedAt, healthy, traffic, retention, launcher,
                endpoint, launch);
    }

    /** The same status with who started the server and when idle unload stops it. */
    public ServerStatus withRetention(ServerRetention retention) {
        return new ServerStatus(modelId, displayName, port, pid, state, isReady, isRunning, uptimeSeconds, tier,
                isThinking, restartCount, lastExitCode, lastError, startedAt, healthy, traffic, retention, launcher,
                endpoint, launch);
    }

    /** The launch's own fields, written after the others in a stable order. */
    @JsonAnyGetter
    Map<String, Object> launchFields() {
        return new TreeMap<>(launch);
    }
}

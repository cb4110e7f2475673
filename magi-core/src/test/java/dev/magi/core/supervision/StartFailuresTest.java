package dev.magi.core.supervision;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.magi.core.supervision.Harness.isRunning;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("A start that cannot succeed")
class StartFailuresTest extends HarnessTest {
    @Test
    @DisplayName("fails at once with the exit code and the last lines when the process exits while loading")
    void crashDuringLoad() throws Exception {
        String id = harness.model("fragile-1b-q4_0.gguf");
        harness.install(harness.fake().exitDuringLoad(3));
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.getMessage()).contains("exited with code 3");
        assertThat(e.details()).containsEntry("exitCode", 3);
        assertThat(logTail(e)).last().isEqualTo("fake: exiting with code 3 while loading");
        assertThat(logTail(e)).contains("llama_model_load: error loading model: simulated crash during load");
        ServerStatus failed = supervisor.server(id).orElseThrow();
        assertThat(failed.state()).isEqualTo(ServerState.FAILED);
        assertThat(failed.isRunning()).isFalse();
        assertThat(failed.lastExitCode()).isEqualTo(3);
        assertThat(failed.lastError()).contains("exited with code 3");
        assertThat(failed.restartCount()).as("a failed start is not restarted").isZero();
        assertThat(harness.runs()).hasSize(1);
    }

    @Test
    @DisplayName("reports llama-server's own words when the model file is not GGUF")
    void notGguf() throws Exception {
        Files.writeString(harness.modelsDir.resolve("broken-1b-q4_0.gguf"), "this is not a model");
        harness.rescan();
        String id = harness.idOf("broken-1b-q4_0.gguf");
        harness.install(harness.fake());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.details()).containsEntry("exitCode", 1);
        assertThat(logTail(e)).anyMatch(line -> line.contains("failed to load model"));
    }

    @Test
    @DisplayName("names the path when the llama-server binary is missing")
    void missingBinary() throws Exception {
        String id = harness.model("any-1b-q4_0.gguf");
        Path missing = dir.resolve("nowhere/llama-server");
        harness.set(ConfigKey.LLAMA_SERVER, missing.toString());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.getMessage()).contains("not found at " + missing).contains("LLAMA_SERVER_PATH");
        assertThat(e.details()).containsEntry("path", missing.toString());
        assertThat(supervisor.server(id).orElseThrow().state()).isEqualTo(ServerState.FAILED);
    }

    @Test
    @DisplayName("names the path when the llama-server binary is not executable")
    void nonExecutableBinary() throws Exception {
        String id = harness.model("any-1b-q4_0.gguf");
        Path plain = Files.writeString(dir.resolve("llama-server.txt"), "#!/bin/sh\nexit 0\n");
        harness.set(ConfigKey.LLAMA_SERVER, plain.toString());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.getMessage()).contains(plain + " is not an executable file");
        assertThat(e.details()).containsEntry("path", plain.toString());
    }

    @Test
    @DisplayName("refuses a model with a missing part as ModelNotRunnable, starting nothing")
    void notRunnable() throws Exception {
        GgufWriter.typicalModel().split(2).get(0)
                .writeTo(harness.modelsDir.resolve(GgufWriter.splitFileName("big-7b-q4_0", 0, 2)));
        harness.rescan();
        String id = harness.idOf(GgufWriter.splitFileName("big-7b-q4_0", 0, 2));
        harness.install(harness.fake());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.MODEL_NOT_RUNNABLE);
        assertThat(e.getMessage()).contains("missing part 2 of 2");
        assertThat(supervisor.servers()).isEmpty();
        assertThat(harness.runs()).isEmpty();
    }

    @Test
    @DisplayName("stops a server that is not ready within the maximum startup time, and fails the start")
    void startupTimeout() throws Exception {
        String id = harness.model("glacial-1b-q4_0.gguf");
        harness.set(ConfigKey.MAX_STARTUP_TIME, "2").install(harness.fake().loadMillis(120_000));
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, id);

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_TIMEOUT);
        assertThat(e.getMessage()).contains("did not become ready within 2 s");
        assertThat(e.details()).containsKeys("logTail", "exitCode");
        assertThat(harness.runs()).allMatch(pid -> !isRunning(pid));
        ServerStatus failed = supervisor.server(id).orElseThrow();
        assertThat(failed.state()).isEqualTo(ServerState.FAILED);
        assertThat(failed.isRunning()).isFalse();
        assertThat(failed.lastExitCode()).isNotNull();
    }

    @Test
    @DisplayName("answers a failed start with the same error to a caller that did not wait")
    void failureWithoutWaiting() throws Exception {
        String id = harness.model("any-1b-q4_0.gguf");
        harness.set(ConfigKey.LLAMA_SERVER, dir.resolve("nowhere/llama-server").toString());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = catchThrowableOfType(MagiException.class, () -> supervisor.start(id, false));

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
    }

    static MagiException startFailure(ServerSupervisor supervisor, String id) {
        MagiException e = catchThrowableOfType(MagiException.class, () -> supervisor.start(id, true));
        assertThat(e).as("the start fails").isNotNull();
        return e;
    }

    @SuppressWarnings("unchecked")
    static List<String> logTail(MagiException e) {
        return (List<String>) e.details().get("logTail");
    }
}

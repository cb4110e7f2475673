package dev.magi.core.supervision;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The launch plan of a server")
class LaunchPlanTest {
    @TempDir
    Path dir;
    Harness harness;
    InetAddress loopback;

    @BeforeEach
    void setUp() throws Exception {
        harness = new Harness(dir);
        loopback = InetAddress.getByName("127.0.0.1");
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    @DisplayName("keeps the model's port when nothing listens on it, and tells the server to bind it")
    void freePortKept() throws Exception {
        String id = harness.model("plain-1b-q4_0.gguf");
        harness.install(harness.fake());
        int assigned = harness.registry.ensurePort(id).port();

        LaunchPlan plan = LaunchPlan.prepare(id, harness.registry, harness.options());

        assertThat(plan.port()).isEqualTo(assigned);
        assertThat(plan.model().port()).isEqualTo(assigned);
        assertThat(plan.address()).isEqualTo(loopback);
        assertThat(plan.command()).startsWith(harness.options().llamaServerPath().toString())
                .containsSequence("--port", Integer.toString(assigned));
    }

    @Test
    @DisplayName("moves an automatic port that another program holds to the next free one of the range")
    void automaticPortMoves() throws Exception {
        String id = harness.model("mover-1b-q4_0.gguf");
        harness.install(harness.fake());
        int assigned = harness.registry.ensurePort(id).port();
        try (ServerSocket other = listen(assigned)) {
            LaunchPlan plan = LaunchPlan.prepare(id, harness.registry, harness.options());

            assertThat(plan.port()).isNotEqualTo(assigned).isBetween(harness.ports.start(), harness.ports.end());
            assertThat(harness.registry.require(id).port()).isEqualTo(plan.port());
            assertThat(harness.registry.require(id).portPinned()).isFalse();
            assertThat(plan.command()).containsSequence("--port", Integer.toString(plan.port()));
        }
    }

    @Test
    @DisplayName("gives PortInUse for a port the user chose that another program holds, and keeps it")
    void pinnedPortInUse() throws Exception {
        String id = harness.model("pinned-1b-q4_0.gguf");
        harness.install(harness.fake());
        int chosen = harness.ports.end();
        harness.registry.setPort(id, chosen);
        try (ServerSocket other = listen(chosen)) {
            MagiException e = catchThrowableOfType(MagiException.class,
                    () -> LaunchPlan.prepare(id, harness.registry, harness.options()));

            assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE);
            assertThat(e.getMessage()).isEqualTo("Port " + chosen + " of model '" + id
                    + "' is in use by another program");
            assertThat(e.details()).containsEntry("modelId", id).containsEntry("port", chosen);
            assertThat(harness.registry.require(id).port()).isEqualTo(chosen);
        }
    }

    @Test
    @DisplayName("never moves back to a lost port, even once it is free again")
    void lostPortLeft() {
        String id = harness.model("racer-1b-q4_0.gguf");
        int lost = harness.registry.ensurePort(id).port();

        int moved = LaunchPlan.moveOff(harness.registry, id, lost, loopback).port();

        assertThat(moved).isNotEqualTo(lost).isBetween(harness.ports.start(), harness.ports.end());
        assertThat(harness.registry.require(id).port()).isEqualTo(moved);
    }

    @Test
    @DisplayName("fails the start when the binary is missing, before any port is handed out")
    void missingBinary() {
        String id = harness.model("orphan-1b-q4_0.gguf");
        Path binary = harness.options().llamaServerPath();

        MagiException e = catchThrowableOfType(MagiException.class,
                () -> LaunchPlan.prepare(id, harness.registry, harness.options()));

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.getMessage()).isEqualTo("llama-server not found at " + binary
                + " (set LLAMA_SERVER_PATH or --llama-server)");
        assertThat(e.details()).containsEntry("path", binary.toString()).containsEntry("exitCode", null);
        assertThat(harness.registry.require(id).port()).isNull();
    }

    private ServerSocket listen(int port) throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(loopback, port));
        return socket;
    }
}

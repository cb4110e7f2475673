package dev.magi.core.supervision;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

import static dev.magi.core.supervision.StartFailuresTest.startFailure;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The port of a server")
class PortsTest {
    @TempDir
    Path dir;
    Harness harness;

    @AfterEach
    void tearDown() {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    @DisplayName("moves to the next free port when another program holds the one handed out")
    void automaticPortMoves() throws Exception {
        harness = new Harness(dir);
        String id = harness.model("mover-1b-q4_0.gguf");
        harness.install(harness.fake());
        int assigned = harness.registry.ensurePort(id).port();
        ServerSupervisor supervisor = harness.supervisor();
        try (ServerSocket other = listen(assigned)) {
            ServerStatus ready = supervisor.start(id, true);

            assertThat(ready.port()).isNotEqualTo(assigned).isBetween(harness.ports.start(), harness.ports.end());
            assertThat(harness.registry.require(id).port()).isEqualTo(ready.port());
            assertThat(harness.registry.require(id).portPinned()).isFalse();
            assertThat(harness.argv()).containsSequence("--port", ready.port().toString());
        }
    }

    @Test
    @DisplayName("gives PortInUse, starting nothing, when another program holds the port the user chose")
    void pinnedPortInUse() throws Exception {
        harness = new Harness(dir);
        String id = harness.model("pinned-1b-q4_0.gguf");
        harness.install(harness.fake());
        int chosen = harness.ports.end();
        harness.registry.setPort(id, chosen);
        ServerSupervisor supervisor = harness.supervisor();
        try (ServerSocket other = listen(chosen)) {
            MagiException e = startFailure(supervisor, id);

            assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE);
            assertThat(e.details()).containsEntry("port", chosen);
            assertThat(harness.registry.require(id).port()).isEqualTo(chosen);
            assertThat(harness.runs()).isEmpty();
        }
    }

    @Test
    @DisplayName("gives PortRangeExhausted when every port of the range belongs to another model")
    void rangeExhausted() throws Exception {
        harness = new Harness(dir, 1);
        String first = harness.model("first-1b-q4_0.gguf");
        String second = harness.model("second-1b-q4_0.gguf");
        harness.install(harness.fake());
        harness.registry.ensurePort(first);
        ServerSupervisor supervisor = harness.supervisor();

        MagiException e = startFailure(supervisor, second);

        assertThat(e.code()).isEqualTo(ErrorCode.PORT_RANGE_EXHAUSTED);
        assertThat(harness.runs()).isEmpty();
    }

    private static ServerSocket listen(int port) throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        return socket;
    }
}

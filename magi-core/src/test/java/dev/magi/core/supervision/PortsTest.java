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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    @DisplayName("starts again on the next free port when another program takes the port between the check and the bind")
    void lostBindRaceMovesOn() throws Exception {
        harness = new Harness(dir);
        String id = harness.model("racer-1b-q4_0.gguf");
        harness.install(harness.fake().loseBindRace().misbehaveOnlyInFirstRuns(2));
        int assigned = harness.registry.ensurePort(id).port();
        ServerSupervisor supervisor = harness.supervisor();

        ServerStatus ready = supervisor.start(id, true);

        assertThat(ready.isReady()).isTrue();
        assertThat(harness.runs()).as("two lost binds, then a start").hasSize(3);
        assertThat(ready.pid()).isEqualTo(harness.runs().get(2));
        assertThat(ready.port()).isBetween(harness.ports.start(), harness.ports.end());
        assertThat(harness.registry.require(id).port()).isEqualTo(ready.port());
        assertThat(ready.restartCount()).isZero();
        // Each lost port is left for another: the first one handed out, then the one moved to.
        Pattern moved = Pattern.compile("port (\\d+) was taken by another program .* starting again on port (\\d+)");
        List<int[]> moves = Files.readAllLines(harness.dataDir.resolve("logs/" + id + ".log")).stream()
                .map(moved::matcher)
                .filter(Matcher::find).map(m -> new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))})
                .toList();
        assertThat(moves).hasSize(2);
        assertThat(moves.get(0)[0]).isEqualTo(assigned);
        assertThat(moves.get(1)[0]).isEqualTo(moves.get(0)[1]);
        assertThat(moves.get(1)[1]).isEqualTo(ready.port());
        assertThat(moves).allMatch(move -> move[0] != move[1]);
        assertThat(supervisor.logs(id, 1000)).extracting(LogLine::line)
                .anyMatch(line -> line.contains("couldn't bind HTTP server socket"));
    }

    @Test
    @DisplayName("gives up after three lost binds in a row, and gives PortInUse at once for the user's port")
    void lostBindRaceLimits() throws Exception {
        harness = new Harness(dir);
        String id = harness.model("unlucky-1b-q4_0.gguf");
        harness.install(harness.fake().loseBindRace());
        ServerSupervisor supervisor = harness.supervisor();

        MagiException automatic = startFailure(supervisor, id);

        assertThat(automatic.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(automatic.getMessage()).contains("couldn't bind HTTP server socket");
        assertThat(harness.runs()).as("the first try and three more").hasSize(4);

        int chosen = harness.ports.end();
        harness.registry.setPort(id, chosen);
        MagiException pinned = startFailure(supervisor, id);

        assertThat(pinned.code()).isEqualTo(ErrorCode.PORT_IN_USE);
        assertThat(pinned.details()).containsEntry("port", chosen).containsEntry("exitCode", 1);
        assertThat(harness.runs()).as("one more try, not moved").hasSize(5);
        assertThat(harness.registry.require(id).port()).isEqualTo(chosen);
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

package dev.magi.core.launch.local;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.PortAssignment;
import dev.magi.testkit.FreePorts;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The local launcher's plan of a server")
class LocalPlanTest {
    /** A listener that hears nothing: the plan only says something when it moves a port. */
    private static final LaunchListener QUIET = new LaunchListener() {
        @Override
        public void output(Stream stream, List<String> lines) {
        }

        @Override
        public void stateChanged(LaunchState state) {
        }
    };

    @TempDir
    Path dir;
    Path binary;
    InetAddress loopback;
    int rangeStart;

    @BeforeEach
    void setUp() throws Exception {
        binary = Files.writeString(dir.resolve("llama-server"), "#!/bin/sh\nexit 0\n");
        assertThat(binary.toFile().setExecutable(true)).isTrue();
        loopback = InetAddress.getByName("127.0.0.1");
        rangeStart = FreePorts.rangeStart(5);
    }

    @Test
    @DisplayName("keeps the model's port when nothing listens on it, and tells the server to bind it")
    void freePortKept() {
        RangePorts ports = new RangePorts(rangeStart, rangeStart + 4, rangeStart + 1, false);

        LocalPlan plan = LocalPlan.prepare(spec(ports), "127.0.0.1", QUIET);

        assertThat(plan.port()).isEqualTo(rangeStart + 1);
        assertThat(plan.address()).isEqualTo(loopback);
        assertThat(plan.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + (rangeStart + 1)));
        assertThat(plan.command()).containsExactly(binary.toString(), "--model", "/m/tiny.gguf", "--host",
                "127.0.0.1", "--port", Integer.toString(rangeStart + 1), "--alias", "tiny");
    }

    @Test
    @DisplayName("moves an automatic port that another program holds to the next free one of the range")
    void automaticPortMoves() throws Exception {
        RangePorts ports = new RangePorts(rangeStart, rangeStart + 4, rangeStart, false);
        try (ServerSocket other = listen(rangeStart)) {
            LocalPlan plan = LocalPlan.prepare(spec(ports), "127.0.0.1", QUIET);

            assertThat(plan.port()).isNotEqualTo(rangeStart).isBetween(rangeStart, rangeStart + 4);
            assertThat(ports.current).isEqualTo(plan.port());
            assertThat(plan.command()).containsSequence("--port", Integer.toString(plan.port()));
        }
    }

    @Test
    @DisplayName("gives PortInUse for a port the user chose that another program holds, and keeps it")
    void pinnedPortInUse() throws Exception {
        int chosen = rangeStart + 4;
        RangePorts ports = new RangePorts(rangeStart, rangeStart + 4, chosen, true);
        try (ServerSocket other = listen(chosen)) {
            MagiException e = catchThrowableOfType(MagiException.class,
                    () -> LocalPlan.prepare(spec(ports), "127.0.0.1", QUIET));

            assertThat(e.code()).isEqualTo(ErrorCode.PORT_IN_USE);
            assertThat(e.getMessage()).isEqualTo("Port " + chosen + " of model 'tiny' is in use by another program");
            assertThat(e.details()).containsEntry("modelId", "tiny").containsEntry("port", chosen);
            assertThat(ports.current).isEqualTo(chosen);
        }
    }

    @Test
    @DisplayName("never moves back to a lost port, even once it is free again")
    void lostPortLeft() {
        RangePorts ports = new RangePorts(rangeStart, rangeStart + 4, rangeStart, false);

        int moved = LocalPlan.moveOff(ports, rangeStart, loopback);

        assertThat(moved).isNotEqualTo(rangeStart).isBetween(rangeStart, rangeStart + 4);
        assertThat(ports.current).isEqualTo(moved);
    }

    @Test
    @DisplayName("fails the start when the binary is missing, before any port is handed out")
    void missingBinary() throws Exception {
        Files.delete(binary);
        RangePorts ports = new RangePorts(rangeStart, rangeStart + 4, rangeStart, false);

        MagiException e = catchThrowableOfType(MagiException.class,
                () -> LocalPlan.prepare(spec(ports), "127.0.0.1", QUIET));

        assertThat(e.code()).isEqualTo(ErrorCode.SERVER_START_FAILED);
        assertThat(e.getMessage()).isEqualTo("llama-server not found at " + binary
                + " (set LLAMA_SERVER_PATH or --llama-server)");
        assertThat(e.details()).containsEntry("path", binary.toString()).containsEntry("exitCode", null);
        assertThat(ports.asked).isZero();
    }

    @Nested
    @DisplayName("endpoint")
    class Endpoints {
        @Test
        @DisplayName("of a server bound to every address is the loopback address")
        void everyAddress() {
            assertThat(LocalNetwork.endpoint("0.0.0.0", 8080)).isEqualTo(URI.create("http://127.0.0.1:8080"));
            assertThat(LocalNetwork.probeHost("::")).isEqualTo("[::1]");
            assertThat(LocalNetwork.probeHost("::1")).isEqualTo("[::1]");
            assertThat(LocalNetwork.endpoint("192.168.1.5", 8081)).isEqualTo(URI.create("http://192.168.1.5:8081"));
        }
    }

    private LaunchSpec spec(PortAssignment ports) {
        return new LaunchSpec("tiny", binary.toString(), List.of("--model", "/m/tiny.gguf", "--alias", "tiny"),
                Map.of(), LaunchSpec.Resources.MINIMAL, List.of(Path.of("/m/tiny.gguf")), ports);
    }

    private ServerSocket listen(int port) throws Exception {
        ServerSocket socket = new ServerSocket();
        socket.bind(new InetSocketAddress(loopback, port));
        return socket;
    }

    /** A model's port in a range with no other model: a move takes the first port usable accepts. */
    static final class RangePorts implements PortAssignment {
        private final int start;
        private final int end;
        private final boolean pinned;
        int current;
        int asked;

        RangePorts(int start, int end, int current, boolean pinned) {
            this.start = start;
            this.end = end;
            this.current = current;
            this.pinned = pinned;
        }

        @Override
        public synchronized int port() {
            asked++;
            return current;
        }

        @Override
        public boolean pinned() {
            return pinned;
        }

        @Override
        public synchronized int moveOff(IntPredicate usable) {
            for (int p = start; p <= end; p++) {
                if (usable.test(p)) {
                    current = p;
                    return p;
                }
            }
            throw new MagiException(ErrorCode.PORT_RANGE_EXHAUSTED, "no port left");
        }
    }
}

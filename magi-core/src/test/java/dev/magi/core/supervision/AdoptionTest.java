package dev.magi.core.supervision;

import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LeftRunning;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.magi.core.supervision.Harness.await;
import static dev.magi.core.supervision.Harness.isRunning;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Servers a previous MAGI left running, as a launcher that can adopt them hands them over")
class AdoptionTest extends HarnessTest {
    @Test
    @DisplayName("are adopted when their model can run (no second server, no restart), and stopped otherwise")
    void adoptedOrStopped() throws Exception {
        String kept = harness.model("kept-1b-q4_0.gguf");
        String dropped = harness.model("dropped-1b-q4_0.gguf");
        harness.install(harness.fake());
        SupervisorOptions options = harness.options();
        Launcher earlier = Harness.localLauncher(options);
        Handover keptServer = Handover.start(earlier, LaunchSpecs.of(kept, harness.registry, options));
        Handover droppedServer = Handover.start(earlier, LaunchSpecs.of(dropped, harness.registry, options));
        long keptPid = pid(keptServer.launch);
        long droppedPid = pid(droppedServer.launch);
        // The file of the second server's model is gone meanwhile.
        Files.delete(harness.modelsDir.resolve("dropped-1b-q4_0.gguf"));
        harness.rescan();

        ServerSupervisor supervisor = harness.supervisor(options, new HandingOver(List.of(keptServer, droppedServer)));

        assertThat(isRunning(droppedPid)).as("the server of a model that cannot run is stopped").isFalse();
        ServerStatus ready = Harness.awaitValue("the adopted server is ready", () -> supervisor.server(kept)
                .orElseThrow(), status -> status.state() == ServerState.READY);
        assertThat(ready.pid()).isEqualTo(keptPid);
        assertThat(ready.endpoint()).isEqualTo(keptServer.launch.endpoint().orElseThrow());
        assertThat(ready.restartCount()).isZero();
        // The dropped server may be stopped before the fake recorded its run; no third run is recorded.
        assertThat(harness.runs()).as("no server was started again").containsOnlyOnce(keptPid)
                .allMatch(pid -> pid == keptPid || pid == droppedPid);
        assertThat(supervisor.logs(kept, 100)).extracting(LogLine::line)
                .contains("adopted pid " + keptPid + ", left running by a previous MAGI");

        ServerStatus stopped = supervisor.stop(kept);

        assertThat(stopped.state()).isEqualTo(ServerState.STOPPED);
        await("the adopted process is gone", () -> !isRunning(keptPid));
    }

    private static long pid(Launch launch) {
        return ((Number) launch.details().get("pid")).longValue();
    }

    /** A listener that passes everything on to the one set last: the new MAGI's, once it adopts. */
    private static final class Relay implements LaunchListener {
        private volatile LaunchListener to;

        @Override
        public void output(Stream stream, List<String> lines) {
            LaunchListener listener = to;
            if (listener != null) {
                listener.output(stream, lines);
            }
        }

        @Override
        public void stateChanged(LaunchState state) {
            LaunchListener listener = to;
            if (listener != null) {
                listener.stateChanged(state);
            }
        }
    }

    /** A server left running, adoptable, as a launcher whose servers outlive MAGI (a job) answers it. */
    private record Handover(String modelId, Launch launch, Relay relay) implements LeftRunning {
        static Handover start(Launcher launcher, LaunchSpec spec) {
            Relay relay = new Relay();
            return new Handover(spec.modelId(), launcher.start(spec, relay), relay);
        }

        @Override
        public String describe() {
            return launch.describe();
        }

        @Override
        public Map<String, Object> details() {
            return launch.details();
        }

        @Override
        public boolean adoptable() {
            return true;
        }

        @Override
        public Launch adopt(LaunchListener listener) {
            relay.to = listener;
            return launch;
        }

        @Override
        public void stop(Duration grace) {
            launch.stop(grace);
        }
    }

    /** A launcher that only hands over what it was given, and starts nothing. */
    private record HandingOver(List<LeftRunning> left) implements Launcher {
        @Override
        public String name() {
            return "handover";
        }

        @Override
        public Launch start(LaunchSpec spec, LaunchListener listener) {
            throw new UnsupportedOperationException("this launcher only hands over");
        }

        @Override
        public List<LeftRunning> leftRunning() {
            return new ArrayList<>(left);
        }
    }
}

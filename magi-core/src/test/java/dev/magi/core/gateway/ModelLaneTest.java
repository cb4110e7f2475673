package dev.magi.core.gateway;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lane's taking of a server's run, in the orders the gateway's threads can interleave: a thread
 * reads the server's ready run (outside the gateway's lock, the supervisor having locks of its own),
 * while the supervisor's event thread reports changes of that server to the lane.
 */
@DisplayName("A model's lane")
class ModelLaneTest {
    private static final URI OLD_RUN = URI.create("http://127.0.0.1:24001");
    private static final Instant OLD_START = Instant.parse("2026-01-01T10:00:00Z");

    private static ModelLane warming() {
        ModelLane lane = new ModelLane("m");
        lane.warming = true;
        return lane;
    }

    @Test
    @DisplayName("takes a ready run read when no change of its server was reported since")
    void takesFreshRun() {
        ModelLane lane = warming();
        long before = lane.changesReported;

        assertThat(lane.adopt(OLD_RUN, OLD_START, before, 7, Instant.EPOCH)).isTrue();

        assertThat(lane.ready).isTrue();
        assertThat(lane.warming).isFalse();
        assertThat(lane.baseUri).isEqualTo(OLD_RUN);
        assertThat(lane.runStartedAt).isEqualTo(OLD_START);
        assertThat(lane.slots).isEqualTo(1);
        assertThat(lane.readyAtNanos).isEqualTo(7);
    }

    @Test
    @DisplayName("does not take a run read before its end was reported: it keeps warming, to read the server"
            + " again, instead of keeping the address of a server that is gone")
    void refusesRunEndedSinceRead() {
        ModelLane lane = warming();
        // The starting thread notes the reports so far, then reads the run: ready at OLD_RUN.
        long before = lane.changesReported;
        // The run ends (stopped, crashed); the event thread reports it while the lane still warms, so
        // the report finds nothing to forget.
        lane.changeReported();
        // The starting thread, resumed, offers what it read.
        assertThat(lane.adopt(OLD_RUN, OLD_START, before, 7, Instant.EPOCH)).isFalse();

        assertThat(lane.ready).isFalse();
        assertThat(lane.warming).as("still warming: the thread reads the server again").isTrue();
        assertThat(lane.baseUri).isNull();
        assertThat(lane.hasFreeSlot()).isFalse();
    }

    @Test
    @DisplayName("takes the run read after the last report, once no change comes between")
    void takesRunReadAgain() {
        ModelLane lane = warming();
        long before = lane.changesReported;
        lane.changeReported();
        assertThat(lane.adopt(OLD_RUN, OLD_START, before, 7, Instant.EPOCH)).isFalse();

        URI newRun = URI.create("http://127.0.0.1:24002");
        long again = lane.changesReported;
        assertThat(lane.adopt(newRun, OLD_START.plusSeconds(5), again, 8, Instant.EPOCH)).isTrue();
        assertThat(lane.baseUri).isEqualTo(newRun);
        assertThat(lane.hasFreeSlot()).isTrue();
    }
}

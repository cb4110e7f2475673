package dev.magi.core.gateway;

import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The gateway's bookkeeping for one model's server: whether it is known ready, its slots, the
 * requests in flight and those waiting in order. Guarded by the gateway's lock; never used outside it.
 */
final class ModelLane {
    final String modelId;
    final Deque<Waiter> waiters = new ArrayDeque<>();
    /**
     * Its server answered ready; reset when that run of it is over (stopped, crashed, restarted, whoever
     * did it), since the next run may listen elsewhere and have other slots.
     */
    boolean ready;
    /** A start, or the reading of a new run of its server, is under way on a thread of the gateway. */
    boolean warming;
    /** Requests its server serves at once: 1 from the moment it is ready until its {@code /props} is read. */
    int slots = 1;
    /** Its {@code /props} was read since it turned ready, so {@link #slots} is its own count. */
    boolean slotsRead;
    int inFlight;
    /** Requests handed to the server since MAGI started: never reset, so a scrape sees them all. */
    long requestsTotal;
    URI baseUri;
    /** When the run whose address and slots it knows began: a restart on the same address is another run. */
    Instant runStartedAt;
    long readyAtNanos;
    /** When its last request ended, or when it became ready: what idle unload counts from. */
    Instant lastUsed;
    /** When the gateway last received a request for it; null if never. */
    Instant lastRequestAt;
    /**
     * Changes of its server's state reported to the gateway so far. A run read before a change was
     * reported may be over (the change may be its end), so it is not taken: see {@link #adopt}.
     */
    long changesReported;
    /** Being stopped (idle, or evicted to make room): new requests wait and start it again once it has stopped. */
    boolean unloading;
    /** The memory rules let it start, and its start is under way: its memory counts as taken. */
    boolean admitted;

    ModelLane(String modelId) {
        this.modelId = modelId;
    }

    boolean busy() {
        return inFlight > 0 || !waiters.isEmpty() || warming;
    }

    /** Whether {@code server} is ready and is the very run whose address and slots it learned. */
    boolean follows(ServerStatus server) {
        return server.state() == ServerState.READY && Objects.equals(baseUri, server.endpoint())
                && Objects.equals(runStartedAt, server.startedAt());
    }

    /** A change of its server's state was reported. */
    void changeReported() {
        changesReported++;
    }

    /**
     * Takes the run of its server that listens at {@code base} and began at {@code runStartedAt} as ready,
     * with one slot until its own count is read; unless a change of the server's state was reported
     * since the run was read (when {@code changesBefore} changes had been), which may be that run's end:
     * a lane that took a run whose end was already reported would keep its address and slots, since no
     * later change would come to correct it. Then it stays as it is, to read the run again.
     *
     * @return whether it took the run
     */
    boolean adopt(URI base, Instant runStartedAt, long changesBefore, long readyAt, Instant now) {
        if (changesReported != changesBefore) {
            return false;
        }
        warming = false;
        admitted = false;
        ready = true;
        slots = 1;
        slotsRead = false;
        baseUri = base;
        this.runStartedAt = runStartedAt;
        readyAtNanos = readyAt;
        lastUsed = now;
        return true;
    }

    boolean hasFreeSlot() {
        return ready && inFlight < slots;
    }
}

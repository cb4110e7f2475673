package dev.magi.core.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * A request waiting for a slot: a future, not a thread, so thousands can wait at the cost of a few
 * objects. Cancelling the future (the client went away) takes it out of the queue.
 */
final class Waiter {
    final Routed routed;
    final long arrivedNanos;
    /** Its model's server was not ready when it arrived, so its wait includes the start. */
    final boolean cold;
    final CompletableFuture<Lease> future = new CompletableFuture<>();
    volatile ScheduledFuture<?> timeout;

    Waiter(Routed routed, long arrivedNanos, boolean cold) {
        this.routed = routed;
        this.arrivedNanos = arrivedNanos;
        this.cold = cold;
    }
}

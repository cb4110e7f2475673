package dev.magi.core.supervision;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Asks one server's {@code GET /health} whether it is ready: once, or again and again until it is.
 * It knows the server only by its endpoint, not by the launch behind it, so that whoever needs to
 * know can ask: the owner of a server waits with it for the start, and checks of the health of
 * running servers ask the same question the same way, whatever the launcher.
 *
 * <p>A wait probes fast at first and backs off as the server loads, and {@link #wake()} brings the
 * next probe forward, so that a server that says it has turned ready is seen at once.
 */
final class ReadinessProbe {
    /** The shortest gap between two probes, and the first one's delay. */
    private static final long FIRST_PROBE_DELAY_MS = 10;
    /**
     * The gap between probes grows with the time the server has been loading, as this fraction of it
     * (up to the longest gap): a server that logs nothing is seen ready within a fortieth of its load
     * time (15 ms for a load of 600 ms; a tenth left a cold request waiting 30 ms on average for the
     * probe after the server was ready), at the cost of about 40 more probes for each tenfold of load time,
     * each a refused connection or a 503 that costs the server next to nothing.
     */
    private static final long PROBE_GAP_DIVISOR = 40;

    /** How a wait for readiness ended. */
    enum Outcome {
        /** {@code /health} answered 200. */
        READY,
        /** The one who waited no longer wants to know. */
        CANCELLED,
        /** The server's process is gone. */
        EXITED,
        /** The server was not ready in the time it had. */
        TIMED_OUT
    }

    private final URI endpoint;
    private final Wakeup wakeup = new Wakeup();

    /** @param endpoint the server's base URL, as its launch answers it */
    ReadinessProbe(URI endpoint) {
        this.endpoint = endpoint;
    }

    /** One probe: whether {@code /health} answers 200 now. Not listening, loading or failing all say no. */
    boolean isReady() {
        return Network.isReady(endpoint);
    }

    /**
     * Brings the next probe of a wait forward; say so when the server has news (it wrote output, its
     * process ended). A wake while nobody waits is kept for the next wait.
     */
    void wake() {
        wakeup.signal();
    }

    /**
     * Probes {@code /health} fast at first, backing off to {@code longestGap}, until ready or
     * decided otherwise: the gap is a fortieth of the time the server has been loading, between 10 ms
     * and {@code longestGap}. A {@link #wake()} brings the next probe forward: llama-server logs as
     * it turns ready ("model loaded", "server is listening", "all slots are idle"), so readiness is
     * seen within milliseconds however far the back-off has grown; a server that logs nothing is
     * still found by the back-off. Before each probe it asks whether the wait is cancelled, then
     * whether the process is still alive.
     *
     * @param startedNanos when the server's process started, by {@link System#nanoTime()}
     * @param maxWait      how long after that start the server may take to become ready
     * @param longestGap   the longest gap between two probes
     * @param cancelled    whether the one who waits has stopped wanting to know
     * @param alive        whether the server's process still runs
     * @throws InterruptedException when the waiting thread is interrupted
     */
    Outcome awaitReady(long startedNanos, Duration maxWait, Duration longestGap, BooleanSupplier cancelled,
                       BooleanSupplier alive) throws InterruptedException {
        long deadline = startedNanos + maxWait.toNanos();
        while (true) {
            if (cancelled.getAsBoolean()) {
                return Outcome.CANCELLED;
            }
            if (!alive.getAsBoolean()) {
                return Outcome.EXITED;
            }
            long probed = System.nanoTime();
            if (isReady()) {
                return Outcome.READY;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Outcome.TIMED_OUT;
            }
            long loading = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            long gap = gapMillis(loading, longestGap);
            if (wakeup.await(Math.min(gap, TimeUnit.NANOSECONDS.toMillis(left) + 1))) {
                // Output comes in bursts while a model loads: probe at most every FIRST_PROBE_DELAY_MS.
                long since = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - probed);
                if (since < FIRST_PROBE_DELAY_MS && alive.getAsBoolean()) {
                    Thread.sleep(FIRST_PROBE_DELAY_MS - since);
                }
            }
        }
    }

    /** The gap before the next probe of a server that has been loading for {@code loadingMillis}. */
    static long gapMillis(long loadingMillis, Duration longestGap) {
        long longest = Math.max(FIRST_PROBE_DELAY_MS, longestGap.toMillis());
        return Math.max(FIRST_PROBE_DELAY_MS, Math.min(loadingMillis / PROBE_GAP_DIVISOR, longest));
    }
}

package dev.magi.jaxrs.gateway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's timers: request bodies' deadlines, and the grace after which a generation's client is
 * watched. One thread of the gateway's own, started with its servlet and stopped with it. Not
 * {@code CompletableFuture.orTimeout} or its delayed executor: their timer is a single thread shared by
 * the whole JVM, and what runs at a body's deadline (an answer written, an upstream request aborted, a
 * log line) would run on it and delay every other timeout of the JVM. Nothing of a container's either,
 * so that the gateway runs alike in the standalone's Jetty and in a WAR.
 */
final class GatewayTimers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayTimers.class);

    private final ScheduledThreadPoolExecutor timers;

    GatewayTimers() {
        timers = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "magi-gateway-timers");
            thread.setDaemon(true);
            return thread;
        });
        // A body read in time cancels its timer: cancelled timers leave the queue at once, not at their hour.
        timers.setRemoveOnCancelPolicy(true);
        timers.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** A deadline {@code timeout} from now. */
    BodyDeadline start(Duration timeout) {
        return new BodyDeadline(this, timeout, System.nanoTime() + timeout.toNanos());
    }

    /**
     * Runs {@code task} at {@code atNanos} (of {@link System#nanoTime}).
     *
     * @return cancels the task; harmless once it ran
     */
    Runnable at(long atNanos, Runnable task) {
        try {
            Future<?> timer = timers.schedule(() -> run(task), Math.max(0, atNanos - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
            return () -> timer.cancel(false);
        } catch (RejectedExecutionException e) {
            // Stopped with the servlet: the container ends its requests itself.
            return () -> { };
        }
    }

    /** How many timers wait: what a test sees of a timer that was or was not cancelled. */
    int waiting() {
        return timers.getQueue().size();
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            // Else the executor would keep the failure in a future nobody reads.
            LOG.error("A gateway timer failed", e);
        }
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}

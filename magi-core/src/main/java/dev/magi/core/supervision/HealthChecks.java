package dev.magi.core.supervision;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every interval, asks each ready server's {@code GET /health} whether it still answers. One timer for
 * all servers, not a thread each: a tick only hands each probe to the supervisor's workers (a probe
 * may wait up to its 2 s timeout). The interval is asked again before each tick, so a profile that
 * changes it takes effect from the next one.
 */
final class HealthChecks {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

    private final Supplier<Collection<SupervisedServer>> servers;
    private final Supplier<Duration> interval;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService workers;

    HealthChecks(Supplier<Collection<SupervisedServer>> servers, Supplier<Duration> interval,
                 ScheduledExecutorService scheduler, ExecutorService workers) {
        this.servers = servers;
        this.interval = interval;
        this.scheduler = scheduler;
        this.workers = workers;
    }

    /** Schedules the first tick; each tick schedules the next until the executors shut down. */
    void start() {
        scheduleNext();
    }

    private void scheduleNext() {
        try {
            scheduler.schedule(this::tick, interval.get().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("Supervisor closing; health checks end");
        }
    }

    private void tick() {
        try {
            for (SupervisedServer server : servers.get()) {
                if (server.state() == ServerState.READY) {
                    workers.execute(server::probeHealth);
                }
            }
        } catch (RejectedExecutionException e) {
            return;
        } catch (RuntimeException e) {
            // One bad tick must not end the checks of every server for good.
            LOG.warn("Health check round failed: {}", e.toString());
        }
        scheduleNext();
    }
}

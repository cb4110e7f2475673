package dev.magi.core.launch.slurm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Watches every job of one launcher on one thread: the output files each {@link #TICK} (local reads,
 * cheap), and the queue with one {@code squeue} for all jobs at once, each tick while a job is queued,
 * starting or being stopped, and every {@link #SETTLED_INTERVAL} once all run. One listing for all
 * jobs keeps the load on the controller the same whether MAGI runs one model or a hundred.
 */
final class JobWatcher implements AutoCloseable {
    static final Duration TICK = Duration.ofMillis(250);
    static final Duration SETTLED_INTERVAL = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(JobWatcher.class);

    private final SlurmCli cli;
    private final Object lock = new Object();

    // Guarded by lock.
    private final Set<SlurmJob> jobs = new LinkedHashSet<>();
    private Thread thread;
    private boolean closed;
    private boolean woken;

    // Only on the watcher's thread.
    private Instant lastListing = Instant.EPOCH;
    private String lastFailure;

    JobWatcher(SlurmCli cli) {
        this.cli = cli;
    }

    /** Watches {@code job} until it is over. */
    void watch(SlurmJob job) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the launcher is closed");
            }
            jobs.add(job);
            if (thread == null) {
                thread = new Thread(this::run, "slurm-jobs");
                thread.setDaemon(true);
                thread.start();
            }
            woken = true;
            lock.notifyAll();
        }
    }

    /** Looks again now instead of at the next tick: a stop was asked for. */
    void wake() {
        synchronized (lock) {
            woken = true;
            lock.notifyAll();
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    void forget(SlurmJob job) {
        synchronized (lock) {
            jobs.remove(job);
        }
    }

    @Override
    public void close() {
        Thread running;
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
            running = thread;
        }
        if (running != null) {
            running.interrupt();
        }
    }

    private void run() {
        while (true) {
            List<SlurmJob> current;
            synchronized (lock) {
                while (!closed && jobs.isEmpty()) {
                    waitQuietly(0);
                }
                if (closed) {
                    return;
                }
                current = new ArrayList<>(jobs);
            }
            look(current);
            synchronized (lock) {
                jobs.removeIf(SlurmJob::isOver);
                if (!woken && !closed) {
                    waitQuietly(TICK.toMillis());
                }
                woken = false;
            }
        }
    }

    private void look(List<SlurmJob> current) {
        for (SlurmJob job : current) {
            try {
                job.readOutput();
            } catch (RuntimeException e) {
                LOG.warn("Reading the output of {} failed", job.describe(), e);
            }
        }
        Instant now = Instant.now();
        boolean due = current.stream().anyMatch(SlurmJob::unsettled)
                || Duration.between(lastListing, now).compareTo(SETTLED_INTERVAL) >= 0;
        if (!due) {
            return;
        }
        Map<String, QueuedJob> listed;
        try {
            listed = new HashMap<>();
            for (QueuedJob queued : cli.jobs()) {
                listed.put(queued.jobId(), queued);
            }
            lastListing = now;
            if (lastFailure != null) {
                LOG.info("squeue answers again");
                lastFailure = null;
            }
        } catch (RuntimeException e) {
            // The controller may be restarting: the jobs keep their states until it answers.
            if (!e.getMessage().equals(lastFailure)) {
                LOG.warn("Cannot list the Slurm jobs; trying again: {}", e.getMessage());
                lastFailure = e.getMessage();
            }
            return;
        }
        for (SlurmJob job : current) {
            try {
                job.observe(listed.get(job.jobId()), now);
            } catch (RuntimeException e) {
                LOG.warn("Following {} failed", job.describe(), e);
            }
        }
    }

    private void waitQuietly(long millis) {
        try {
            lock.wait(millis);
        } catch (InterruptedException e) {
            closed = true;
        }
    }
}

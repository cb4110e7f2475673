package dev.magi.core.launch.slurm;

import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One model's job, started or adopted: the {@link Launch} MAGI holds. Its state follows what the
 * {@link JobWatcher} sees, on the watcher's thread only, so the listener hears one launch's output and
 * states in order: {@code Pending} with Slurm's reason while the job is queued, {@code Running} once
 * the job has published its endpoint, {@code Ended} once Slurm says the job is over (or has forgotten
 * it), after the last lines of its output file.
 */
final class SlurmJob implements Launch {
    /** A running job that has not said where its server listens after this long is given up. */
    static final Duration ENDPOINT_PATIENCE = Duration.ofSeconds(60);
    /** How long a stop waits for Slurm to confirm the end after SIGKILL, before it gives up waiting. */
    private static final Duration KILL_PATIENCE = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(SlurmJob.class);

    private final String jobId;
    private final String modelId;
    private final JobOutputFile output;
    private final LaunchListener listener;
    private final SlurmCli cli;
    private final JobWatcher watcher;
    private final CompletableFuture<LaunchState.Ended> ended = new CompletableFuture<>();

    // Guarded by this.
    private LaunchState state;
    private String node;
    private boolean stopRequested;
    private Instant runningWithoutEndpointSince;

    SlurmJob(String jobId, String modelId, JobOutputFile output, LaunchListener listener, SlurmCli cli,
             JobWatcher watcher, LaunchState initial) {
        this.jobId = jobId;
        this.modelId = modelId;
        this.output = output;
        this.listener = listener;
        this.cli = cli;
        this.watcher = watcher;
        this.state = initial;
    }

    String jobId() {
        return jobId;
    }

    String modelId() {
        return modelId;
    }

    @Override
    public synchronized LaunchState state() {
        return state;
    }

    @Override
    public CompletionStage<LaunchState.Ended> ended() {
        return ended;
    }

    @Override
    public String describe() {
        return "job " + jobId;
    }

    @Override
    public synchronized Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("jobId", jobId);
        if (node != null) {
            details.put("node", node);
        }
        return details;
    }

    /** Whether the watcher should ask squeue soon: the job is not settled as running, or is being stopped. */
    synchronized boolean unsettled() {
        return !(state instanceof LaunchState.Running) || stopRequested;
    }

    synchronized boolean isOver() {
        return state instanceof LaunchState.Ended;
    }

    /** On the watcher's thread: new lines of the output file to the listener; an endpoint line starts it. */
    void readOutput() {
        boolean running;
        synchronized (this) {
            if (state instanceof LaunchState.Ended) {
                return;
            }
            running = !(state instanceof LaunchState.Pending) || node != null;
        }
        JobOutputFile.Read read = output.readNew(running);
        if (read.problem() != null) {
            listener.note(Level.WARNING, read.problem());
        }
        if (!read.lines().isEmpty()) {
            for (String line : read.lines()) {
                Optional<URI> endpoint = EndpointLine.parse(line);
                if (endpoint.isPresent()) {
                    becomeRunning(endpoint.get());
                }
            }
            listener.output(LaunchListener.Stream.STDOUT, read.lines());
        }
    }

    /**
     * On the watcher's thread: what squeue says of the job now.
     *
     * @param seen the job as listed, or null when a complete listing no longer has it
     */
    void observe(QueuedJob seen, Instant now) {
        if (isOver()) {
            return;
        }
        if (seen == null) {
            end("job " + jobId + " is no longer known to Slurm");
            return;
        }
        synchronized (this) {
            if (seen.node() != null) {
                node = seen.node();
            }
        }
        switch (seen.state().phase()) {
            case QUEUED -> stillPending(seen.reason());
            case RUNNING -> running(seen, now);
            case ENDING, ENDED -> end(endReason(seen), seen.jobId());
            default -> throw new IllegalStateException("unknown phase " + seen.state().phase());
        }
    }

    private void stillPending(String reason) {
        LaunchState next;
        synchronized (this) {
            if (!(state instanceof LaunchState.Pending pending) || Objects.equals(pending.reason(), reason)) {
                return;
            }
            next = new LaunchState.Pending(reason);
            state = next;
        }
        listener.stateChanged(next);
    }

    private void running(QueuedJob seen, Instant now) {
        Optional<URI> endpoint = JobComment.parse(seen.comment()).map(JobComment::endpoint);
        if (endpoint.isPresent()) {
            becomeRunning(endpoint.get());
            return;
        }
        boolean late;
        synchronized (this) {
            if (state instanceof LaunchState.Running) {
                return;
            }
            if (runningWithoutEndpointSince == null) {
                runningWithoutEndpointSince = now;
            }
            late = Duration.between(runningWithoutEndpointSince, now).compareTo(ENDPOINT_PATIENCE) > 0;
        }
        if (late) {
            cancel(false);
            end("job " + jobId + " ran for " + ENDPOINT_PATIENCE.toSeconds()
                    + " s without publishing its endpoint; it was cancelled");
        }
    }

    private void becomeRunning(URI endpoint) {
        LaunchState next;
        synchronized (this) {
            if (!(state instanceof LaunchState.Pending)) {
                return;
            }
            next = new LaunchState.Running(endpoint);
            state = next;
        }
        listener.note(Level.INFO, "job " + jobId + " runs" + (node == null ? "" : " on " + node) + "; its server is at "
                + endpoint);
        listener.stateChanged(next);
    }

    private void end(String reason) {
        end(reason, null);
    }

    /** @param endedJob the id of a job Slurm says has ended, whose exit code it may still tell; or null */
    private void end(String reason, String endedJob) {
        boolean stopped;
        synchronized (this) {
            if (state instanceof LaunchState.Ended) {
                return;
            }
            stopped = stopRequested;
        }
        Integer exitCode = endedJob == null ? null : cli.exitCode(endedJob).orElse(null);
        LaunchState.Ended last = new LaunchState.Ended(exitCode, reason,
                stopped ? LaunchState.Cause.STOPPED : LaunchState.Cause.EXITED);
        // The job's last words, then its end: the listener hears every line before the end.
        readOutput();
        List<String> rest = output.rest();
        if (!rest.isEmpty()) {
            listener.output(LaunchListener.Stream.STDOUT, rest);
        }
        synchronized (this) {
            if (state instanceof LaunchState.Ended) {
                return;
            }
            state = last;
        }
        listener.stateChanged(last);
        ended.complete(last);
    }

    private static String endReason(QueuedJob seen) {
        String reason = seen.reason() == null ? "" : " (" + seen.reason() + ")";
        return "job " + seen.jobId() + " ended: " + seen.state().name() + reason;
    }

    @Override
    public LaunchState.Ended stop(Duration grace) {
        synchronized (this) {
            if (state instanceof LaunchState.Ended done) {
                return done;
            }
            stopRequested = true;
        }
        cancel(false);
        watcher.wake();
        Optional<LaunchState.Ended> end = await(grace);
        if (end.isPresent()) {
            return end.get();
        }
        LOG.warn("Job {} of model '{}' is still there {} s after scancel; killing it", jobId, modelId,
                grace.toSeconds());
        cancel(true);
        watcher.wake();
        end = await(KILL_PATIENCE);
        if (end.isPresent()) {
            return end.get();
        }
        LOG.error("Slurm has not confirmed the end of job {} of model '{}'; MAGI no longer watches it", jobId, modelId);
        watcher.forget(this);
        end("Slurm did not confirm the end of job " + jobId + " after scancel");
        return ended.join();
    }

    private void cancel(boolean kill) {
        try {
            Optional<String> complaint = kill ? cli.kill(jobId) : cli.cancel(jobId);
            complaint.ifPresent(text -> LOG.info("scancel of job {}: {}", jobId, text));
        } catch (CommandFailedException e) {
            LOG.warn("scancel of job {} failed: {}", jobId, e.getMessage());
        }
    }

    /**
     * Waits for the end the watcher sees; once the launcher is closed nobody watches, so the stopping
     * thread asks squeue itself.
     */
    private Optional<LaunchState.Ended> await(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            if (watcher.isClosed()) {
                lookYourself();
            }
            long left = deadline - System.nanoTime();
            if (ended.isDone() || left <= 0) {
                return ended.isDone() ? Optional.of(ended.join()) : Optional.empty();
            }
            try {
                return Optional.of(ended.get(Math.min(left, JobWatcher.TICK.toNanos()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                // Not yet: look again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException("the end of job " + jobId + " failed", e.getCause());
            }
        }
    }

    private void lookYourself() {
        try {
            QueuedJob seen = cli.jobs().stream().filter(j -> j.jobId().equals(jobId)).findFirst().orElse(null);
            observe(seen, Instant.now());
        } catch (RuntimeException e) {
            LOG.warn("Cannot list the Slurm jobs while stopping job {}: {}", jobId, e.getMessage());
        }
    }
}

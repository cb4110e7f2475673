package dev.magi.core.launch.slurm;

import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.LeftRunning;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A job a previous MAGI of this install left queued or running. Its output is a file and its state is
 * Slurm's, so nothing was lost with that MAGI: it can be adopted as it is.
 */
final class LeftJob implements LeftRunning {
    private final QueuedJob queued;
    private final JobComment comment;
    private final SlurmLauncher launcher;

    LeftJob(QueuedJob queued, JobComment comment, SlurmLauncher launcher) {
        this.queued = queued;
        this.comment = comment;
        this.launcher = launcher;
    }

    @Override
    public String modelId() {
        return comment.modelId();
    }

    @Override
    public String describe() {
        return "job " + queued.jobId();
    }

    @Override
    public Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("jobId", queued.jobId());
        if (queued.node() != null) {
            details.put("node", queued.node());
        }
        return details;
    }

    @Override
    public boolean adoptable() {
        return true;
    }

    @Override
    public Launch adopt(LaunchListener listener) {
        return launcher.follow(queued, comment, listener);
    }

    @Override
    public void stop(Duration grace) {
        launcher.follow(queued, comment, new Unheard()).stop(grace);
    }

    /** The listener of a job that is followed only to be stopped. */
    private static final class Unheard implements LaunchListener {
        @Override
        public void output(Stream stream, List<String> lines) {
        }

        @Override
        public void stateChanged(LaunchState state) {
        }
    }
}

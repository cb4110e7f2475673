package dev.magi.core.launch.slurm;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LeftRunning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code slurm} launcher: one Slurm job per running model, submitted with {@code sbatch}, watched
 * with {@code squeue}, stopped with {@code scancel}. Each job carries this install's id in its comment,
 * so that a restarted MAGI finds its own jobs ({@link #leftRunning()}) among the user's others, adopts
 * those of models that should run, and cancels only the rest of its own.
 */
public final class SlurmLauncher implements Launcher {
    public static final String NAME = "slurm";

    private static final Logger LOG = LoggerFactory.getLogger(SlurmLauncher.class);

    private final SlurmCli cli;
    private final SlurmSettings settings;
    private final String installId;
    private final JobWatcher watcher;

    SlurmLauncher(SlurmCli cli, SlurmSettings settings, String installId) {
        this.cli = cli;
        this.settings = settings;
        this.installId = installId;
        this.watcher = new JobWatcher(cli);
        try {
            Files.createDirectories(settings.logDir());
        } catch (IOException e) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION, "The Slurm log directory " + settings.logDir()
                    + " cannot be created: " + e.getMessage(), Map.of("path", settings.logDir().toString()));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Launch start(LaunchSpec spec, LaunchListener listener) {
        JobComment comment = new JobComment(installId, spec.modelId(), null);
        List<String> command = new ArrayList<>();
        command.add(spec.binary());
        command.addAll(spec.arguments());
        String script;
        try {
            script = JobScript.render(comment, command, spec.sortedEnvironment());
        } catch (IllegalArgumentException e) {
            throw new MagiException(ErrorCode.SERVER_START_FAILED, "The job script of model '" + spec.modelId()
                    + "' cannot be written: " + e.getMessage(), Map.of("modelId", spec.modelId()));
        }
        SbatchRequest request = request(spec, comment);
        SubmittedJob submitted = cli.submit(request, script);
        Path outputFile = request.outputFileOf(submitted.jobId());
        SlurmJob job = new SlurmJob(submitted.jobId(), spec.modelId(), new JobOutputFile(outputFile), listener, cli,
                watcher, new LaunchState.Pending(null));
        listener.note(Level.INFO, "submitted job " + submitted.jobId() + " (" + describe(request) + "); its output goes to "
                + outputFile + "; it runs " + LaunchSpec.shown(spec.command("0.0.0.0", "$PORT")));
        watcher.watch(job);
        return job;
    }

    @Override
    public List<LeftRunning> leftRunning() {
        List<QueuedJob> listed;
        try {
            listed = cli.jobs();
        } catch (RuntimeException e) {
            LOG.error("Cannot list the Slurm jobs a previous MAGI left running: {}", e.getMessage());
            return List.of();
        }
        List<LeftRunning> left = new ArrayList<>();
        for (QueuedJob queued : listed) {
            Optional<JobComment> comment = JobComment.parse(queued.comment());
            if (comment.isEmpty() || !comment.get().ownedBy(installId)
                    || queued.state().phase() == JobState.Phase.ENDED || queued.state().phase() == JobState.Phase.ENDING) {
                continue;
            }
            left.add(new LeftJob(queued, comment.get(), this));
        }
        return List.copyOf(left);
    }

    /** A job of a previous MAGI, from now on watched like one this launcher started. */
    SlurmJob follow(QueuedJob queued, JobComment comment, LaunchListener listener) {
        LaunchState initial = queued.state().phase() == JobState.Phase.RUNNING && comment.endpoint() != null
                ? new LaunchState.Running(comment.endpoint()) : new LaunchState.Pending(queued.reason());
        JobOutputFile output = new JobOutputFile(outputFileOf(comment.modelId(), queued.jobId()));
        output.skipToEnd();
        SlurmJob job = new SlurmJob(queued.jobId(), comment.modelId(), output, listener, cli, watcher, initial);
        watcher.watch(job);
        return job;
    }

    @Override
    public void close() {
        watcher.close();
    }

    private SbatchRequest request(LaunchSpec spec, JobComment comment) {
        LaunchSpec.Resources resources = spec.resources();
        return new SbatchRequest("magi-" + spec.modelId(), comment, outputPattern(spec.modelId()), settings.logDir(),
                settings.partition(), settings.account(), settings.timeLimit(), resources.gpus(), resources.cpus(),
                resources.memoryBytes(), settings.extraArgs());
    }

    private Path outputPattern(String modelId) {
        return settings.logDir().resolve("magi-" + modelId + "-%j.out");
    }

    private Path outputFileOf(String modelId, String jobId) {
        return settings.logDir().resolve("magi-" + modelId + "-" + jobId + ".out");
    }

    private static String describe(SbatchRequest request) {
        StringBuilder text = new StringBuilder();
        text.append(request.cpus()).append(request.cpus() == 1 ? " CPU" : " CPUs");
        if (request.gpus() > 0) {
            text.append(", ").append(request.gpus()).append(request.gpus() == 1 ? " GPU" : " GPUs");
        }
        if (request.memoryBytes() != null) {
            text.append(", ").append(SbatchRequest.megabytes(request.memoryBytes())).append(" MiB");
        }
        if (request.partition() != null) {
            text.append(", partition ").append(request.partition());
        }
        if (request.timeLimit() != null) {
            text.append(", time limit ").append(request.timeLimit());
        }
        return text.toString();
    }
}

package dev.magi.core.launch.slurm;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Slurm client commands the launcher uses, as the user MAGI runs as: submit a job, list this
 * user's jobs, cancel one. Only these three, each with arguments MAGI chose, so that MAGI can act on
 * nothing but the jobs of its own user; {@code scancel} is filtered by that user as well.
 */
public final class SlurmCli {
    /** Slurm client commands answer in well under a second; a controller that hangs costs this much. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    static final String SBATCH = "sbatch";
    static final String SQUEUE = "squeue";
    static final String SCANCEL = "scancel";

    /** squeue's output for thousands of jobs stays well under this; more would be a broken squeue. */
    private static final int MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

    private final CommandRunner runner;
    private final String user;

    SlurmCli(CommandRunner runner, String user) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("user is required");
        }
        this.runner = runner;
        this.user = user;
    }

    /** The client commands found on {@code PATH}, run as the JVM's user. */
    public static SlurmCli forCurrentUser(Duration timeout) {
        return new SlurmCli(new CommandRunner(timeout, MAX_OUTPUT_BYTES), System.getProperty("user.name"));
    }

    String user() {
        return user;
    }

    /**
     * Checks that the client commands are on {@code PATH}, so that a launcher that cannot work says so
     * when MAGI starts instead of at its first model.
     *
     * @throws MagiException {@link ErrorCode#INVALID_CONFIGURATION} naming the missing commands
     */
    public static void requireInstalled() {
        List<String> missing = new ArrayList<>();
        for (String program : List.of(SBATCH, SQUEUE, SCANCEL)) {
            if (onPath(program).isEmpty()) {
                missing.add(program);
            }
        }
        if (!missing.isEmpty()) {
            throw new MagiException(ErrorCode.INVALID_CONFIGURATION, "The slurm launcher needs the Slurm commands "
                    + String.join(", ", missing) + " on PATH; install Slurm's client commands or choose another "
                    + "launcher (--launcher, MAGI_LAUNCHER)", Map.of("missing", missing, "path", pathVariable()));
        }
    }

    /** The executable file of {@code program} in a directory of {@code PATH}. */
    static Optional<Path> onPath(String program) {
        for (String dir : pathVariable().split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Submits a job.
     *
     * @throws MagiException {@link ErrorCode#SERVER_START_FAILED} with sbatch's own words when it
     *                       refuses the job or cannot reach the controller
     */
    SubmittedJob submit(SbatchRequest request, String script) {
        List<String> command = new ArrayList<>();
        command.add(SBATCH);
        command.addAll(request.arguments());
        CommandResult result = runner.run(command, script);
        if (!result.succeeded()) {
            throw new MagiException(ErrorCode.SERVER_START_FAILED, "sbatch refused the job of model '"
                    + request.comment().modelId() + "': " + result.complaint(),
                    Map.of("modelId", request.comment().modelId(), "exitCode", result.exitCode(),
                            "command", command));
        }
        try {
            return SubmittedJob.parse(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new MagiException(ErrorCode.SERVER_START_FAILED, e.getMessage(),
                    Map.of("modelId", request.comment().modelId(), "command", command));
        }
    }

    /**
     * This user's jobs, those that ended recently included (Slurm keeps them for {@code MinJobAge}).
     *
     * @throws CommandFailedException when squeue cannot be run or does not answer in time
     * @throws IllegalStateException  when squeue fails or prints what cannot be parsed
     */
    List<QueuedJob> jobs() {
        List<String> command = List.of(SQUEUE, "--noheader", "--states=all", "--user=" + user,
                "--format=" + SqueueFormat.FORMAT);
        CommandResult result = runner.run(command, null);
        if (!result.succeeded()) {
            throw new IllegalStateException("squeue failed with exit code " + result.exitCode() + ": "
                    + result.complaint());
        }
        try {
            return SqueueFormat.parse(result.stdout());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Cancels one job of this user. A job that has already ended is not an error.
     *
     * @return what scancel said when it failed, or empty when it succeeded
     * @throws CommandFailedException when scancel cannot be run or does not answer in time
     */
    Optional<String> cancel(String jobId) {
        if (!jobId.chars().allMatch(c -> Character.isDigit(c) || c == '_') || jobId.isEmpty()) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        CommandResult result = runner.run(List.of(SCANCEL, "--user=" + user, jobId), null);
        return result.succeeded() ? Optional.empty() : Optional.of(result.complaint());
    }

    private static String pathVariable() {
        String path = System.getenv("PATH");
        return path == null ? "" : path;
    }
}

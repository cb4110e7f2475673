package dev.magi.core.launch.slurm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One model's job as {@code sbatch} is asked for it: the arguments of the command line (the script
 * itself goes to sbatch's standard input, so no script file has to be visible anywhere).
 *
 * @param jobName     {@code magi-MODEL_ID}
 * @param comment     the owner's mark
 * @param outputFile  where the job's output goes, {@code %j} standing for the job id
 * @param workingDir  the job's working directory; MAGI's own may not exist on the nodes
 * @param partition   {@code --partition}, or null for the cluster's default
 * @param account     {@code --account}, or null for the user's default
 * @param timeLimit   {@code --time}, or null for the partition's default
 * @param gpus        GPUs asked for with {@code --gres=gpu:N}; 0 asks for none
 * @param cpus        {@code --cpus-per-task}, at least 1
 * @param memoryBytes the memory asked for with {@code --mem}, or null to leave Slurm's default
 * @param extraArgs   the site's own sbatch arguments, after MAGI's so that they win
 */
record SbatchRequest(String jobName, JobComment comment, Path outputFile, Path workingDir, String partition,
                     String account, String timeLimit, int gpus, int cpus, Long memoryBytes,
                     List<String> extraArgs) {
    private static final long MIB = 1024L * 1024L;

    SbatchRequest {
        if (gpus < 0) {
            throw new IllegalArgumentException("gpus must not be negative, got " + gpus);
        }
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be at least 1, got " + cpus);
        }
        if (memoryBytes != null && memoryBytes < 1) {
            throw new IllegalArgumentException("memoryBytes must be positive, got " + memoryBytes);
        }
        extraArgs = List.copyOf(extraArgs);
    }

    /** The arguments after {@code sbatch}. */
    List<String> arguments() {
        List<String> args = new ArrayList<>();
        args.add("--parsable");
        args.add("--job-name=" + jobName);
        args.add("--comment=" + comment.owner());
        args.add("--output=" + outputFile);
        args.add("--chdir=" + workingDir);
        // MAGI starts a new job after a crash, with its back-off; Slurm's own requeue would run the
        // same job again behind MAGI's back.
        args.add("--no-requeue");
        args.add("--nodes=1");
        args.add("--ntasks=1");
        args.add("--cpus-per-task=" + cpus);
        if (gpus > 0) {
            args.add("--gres=gpu:" + gpus);
        }
        if (memoryBytes != null) {
            args.add("--mem=" + megabytes(memoryBytes) + "M");
        }
        if (partition != null) {
            args.add("--partition=" + partition);
        }
        if (account != null) {
            args.add("--account=" + account);
        }
        if (timeLimit != null) {
            args.add("--time=" + timeLimit);
        }
        args.addAll(extraArgs);
        return List.copyOf(args);
    }

    /** The output file of the job with this id. */
    Path outputFileOf(String jobId) {
        return Path.of(outputFile.toString().replace("%j", jobId));
    }

    /** Slurm's M is a mebibyte; rounded up, so that an estimate is never cut below itself. */
    static long megabytes(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }
}

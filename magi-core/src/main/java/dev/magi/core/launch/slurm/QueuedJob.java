package dev.magi.core.launch.slurm;

/**
 * One job as {@code squeue} lists it.
 *
 * @param jobId   the job id
 * @param name    the job's name
 * @param state   its state
 * @param reason  why it waits or why it ended (Slurm's words: {@code Resources}, {@code Priority},
 *                {@code TimeLimit}...), or null when Slurm gives none
 * @param node    the node it runs on, or null before it has one
 * @param comment its comment, or null when it has none
 */
record QueuedJob(String jobId, String name, JobState state, String reason, String node, String comment) {
    QueuedJob {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId is required");
        }
        if (state == null) {
            throw new IllegalArgumentException("state is required");
        }
    }
}

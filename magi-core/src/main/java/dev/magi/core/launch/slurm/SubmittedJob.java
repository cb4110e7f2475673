package dev.magi.core.launch.slurm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code sbatch --parsable} answers: the job id, and the cluster's name after a semicolon when
 * Slurm runs several clusters.
 *
 * @param jobId   the job id, digits
 * @param cluster the cluster's name, or null when the answer named none
 */
record SubmittedJob(String jobId, String cluster) {
    /** Digits, then optionally {@code ;cluster}; nothing else on the line. */
    private static final Pattern PARSABLE = Pattern.compile("(\\d+)(?:;([^;\\s]+))?");

    SubmittedJob {
        if (jobId == null || !jobId.chars().allMatch(Character::isDigit) || jobId.isEmpty()) {
            throw new IllegalArgumentException("a job id is digits, got " + jobId);
        }
    }

    /**
     * Parses sbatch's answer. Sites wrap sbatch in scripts that print notices first, so the answer is
     * the last non-blank line.
     *
     * @throws IllegalArgumentException when no line holds a job id
     */
    static SubmittedJob parse(String stdout) {
        String[] lines = stdout.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        Matcher matcher = PARSABLE.matcher(last);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("sbatch --parsable printed no job id: '" + stdout.strip() + "'");
        }
        return new SubmittedJob(matcher.group(1), matcher.group(2));
    }
}

package dev.magi.core.launch.slurm;

import java.util.ArrayList;
import java.util.List;

/**
 * The one {@code squeue -o} format the launcher asks for, and the parsing of what squeue prints with
 * it. Fields are separated by the ASCII unit separator and each job ends with the record separator:
 * neither can be typed into a job name or comment by accident, so a comment holding spaces, pipes,
 * semicolons or even line breaks cannot shift a field or split a job. The comment comes last for the
 * same reason. Field widths are left unset, which squeue prints in full.
 */
final class SqueueFormat {
    static final char FIELD = '\u001f';
    static final char RECORD = '\u001e';

    /** Job id, name, state (long form), reason, node list, comment. */
    static final String FORMAT = String.join(String.valueOf(FIELD), "%i", "%j", "%T", "%r", "%N", "%k") + RECORD;

    private static final int FIELDS = 6;

    private SqueueFormat() {
    }

    /**
     * The jobs of squeue's output; a record with the wrong number of fields (a squeue that ignored
     * part of the format) is an error, not a job silently misread.
     *
     * @throws IllegalArgumentException on a record that does not have the format's fields
     */
    static List<QueuedJob> parse(String stdout) {
        List<QueuedJob> jobs = new ArrayList<>();
        for (String record : stdout.split(String.valueOf(RECORD), -1)) {
            // squeue ends every record with a line break after the format's own last character.
            String trimmed = stripLeadingLineBreak(record);
            if (trimmed.isBlank()) {
                continue;
            }
            String[] fields = trimmed.split(String.valueOf(FIELD), -1);
            if (fields.length != FIELDS) {
                throw new IllegalArgumentException("squeue printed a job with " + fields.length + " fields instead of "
                        + FIELDS + ": '" + trimmed.replace(FIELD, '|') + "'");
            }
            jobs.add(new QueuedJob(fields[0].strip(), fields[1], JobState.parse(fields[2]), absentIfNone(fields[3]),
                    absentIfNone(fields[4]), absentIfNone(fields[5])));
        }
        return jobs;
    }

    private static String stripLeadingLineBreak(String record) {
        int start = 0;
        while (start < record.length() && (record.charAt(start) == '\n' || record.charAt(start) == '\r')) {
            start++;
        }
        return record.substring(start);
    }

    /** squeue prints {@code None} or {@code (null)} for a reason, node or comment that is not there. */
    private static String absentIfNone(String field) {
        String value = field.strip();
        if (value.isEmpty() || value.equals("None") || value.equals("(null)") || value.equals("n/a")) {
            return null;
        }
        return value;
    }
}

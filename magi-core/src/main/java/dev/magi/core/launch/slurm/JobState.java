package dev.magi.core.launch.slurm;

import java.util.Locale;

/**
 * The states of a Slurm job as {@code squeue -o %T} prints them, each in one of four phases that
 * are all the launcher needs to know: still queued, running, ending, or over.
 */
enum JobState {
    PENDING(Phase.QUEUED),
    REQUEUED(Phase.QUEUED),
    REQUEUE_HOLD(Phase.QUEUED),
    REQUEUE_FED(Phase.QUEUED),
    RESV_DEL_HOLD(Phase.QUEUED),
    /** Allocated, the nodes still booting: the server does not run yet. */
    CONFIGURING(Phase.QUEUED),
    RUNNING(Phase.RUNNING),
    SUSPENDED(Phase.RUNNING),
    STOPPED(Phase.RUNNING),
    SIGNALING(Phase.RUNNING),
    RESIZING(Phase.RUNNING),
    /** The job's processes are being killed: the server is going, whatever comes next. */
    COMPLETING(Phase.ENDING),
    STAGE_OUT(Phase.ENDING),
    COMPLETED(Phase.ENDED),
    CANCELLED(Phase.ENDED),
    FAILED(Phase.ENDED),
    TIMEOUT(Phase.ENDED),
    PREEMPTED(Phase.ENDED),
    NODE_FAIL(Phase.ENDED),
    BOOT_FAIL(Phase.ENDED),
    DEADLINE(Phase.ENDED),
    OUT_OF_MEMORY(Phase.ENDED),
    SPECIAL_EXIT(Phase.ENDED),
    REVOKED(Phase.ENDED),
    /** A state this release of MAGI does not know, from a newer Slurm: watched until it becomes one it does. */
    UNKNOWN(Phase.RUNNING);

    /** Where a job is in its life, as far as its server is concerned. */
    enum Phase {
        QUEUED, RUNNING, ENDING, ENDED
    }

    private final Phase phase;

    JobState(Phase phase) {
        this.phase = phase;
    }

    Phase phase() {
        return phase;
    }

    /** The state squeue printed; a name this enum lacks is {@link #UNKNOWN}. */
    static JobState parse(String text) {
        String name = text.strip().toUpperCase(Locale.ROOT);
        // Some releases print "CANCELLED by 1000" in long forms; the first word is the state.
        int space = name.indexOf(' ');
        if (space > 0) {
            name = name.substring(0, space);
        }
        for (JobState state : values()) {
            if (state.name().equals(name)) {
                return state;
            }
        }
        return UNKNOWN;
    }
}

package dev.magi.core.supervision;

/**
 * What the periodic {@code GET /health} probes of one ready server say about it: two failures in a
 * row make it unhealthy (one slow answer is no reason to stop sending it requests), one success makes
 * it healthy again, and three further intervals unhealthy make it hung, to be stopped and restarted.
 * Counted in probes, one per interval, so the rule needs no clock. Kept apart from the process's owner
 * so it can be read and tested on its own.
 *
 * <p>Holds one process's probe history; not thread-safe: its owner calls it under its own lock.
 */
final class HealthRule {
    /** Failed probes in a row that make a server unhealthy. */
    static final int FAILURES_TO_UNHEALTHY = 2;
    /** Intervals a server stays unhealthy, after the probe that made it so, before it counts as hung. */
    static final int UNHEALTHY_INTERVALS_TO_HUNG = 3;

    /** What one probe changed. */
    enum Verdict {
        /** Nothing worth saying: as healthy or unhealthy as before. */
        UNCHANGED,
        /** The second failure in a row: no new request goes to it. */
        TURNED_UNHEALTHY,
        /** A success after it was unhealthy. */
        TURNED_HEALTHY,
        /** Unhealthy for three intervals: it is to be stopped and restarted like a crashed server. */
        HUNG
    }

    private int failuresInRow;
    private int unhealthyIntervals;
    private boolean healthy = true;

    /** Counts one probe's outcome and answers what changed. */
    Verdict probed(boolean answered) {
        if (answered) {
            failuresInRow = 0;
            unhealthyIntervals = 0;
            if (healthy) {
                return Verdict.UNCHANGED;
            }
            healthy = true;
            return Verdict.TURNED_HEALTHY;
        }
        failuresInRow++;
        if (healthy) {
            if (failuresInRow < FAILURES_TO_UNHEALTHY) {
                return Verdict.UNCHANGED;
            }
            healthy = false;
            return Verdict.TURNED_UNHEALTHY;
        }
        unhealthyIntervals++;
        return unhealthyIntervals == UNHEALTHY_INTERVALS_TO_HUNG ? Verdict.HUNG : Verdict.UNCHANGED;
    }

    /** Whether no new request should be held back from the server. */
    boolean healthy() {
        return healthy;
    }

    /** A new process starts with a clean history. */
    void reset() {
        failuresInRow = 0;
        unhealthyIntervals = 0;
        healthy = true;
    }
}

package dev.magi.benchmarks.supervision;

import java.util.Objects;

/**
 * A readiness check that probes {@code /health} on a fixed schedule: a first probe {@code offsetMicros}
 * after the process was spawned, then one every {@code intervalMicros}. It sees the server ready at the
 * first probe at or after the server's first 200. The benchmark computes this from the reference
 * observer's timestamps instead of running the pollers: every schedule is then judged on the very same
 * start, and no extra client loads the server or the two cores (see BENCHMARKS.md).
 *
 * @param name           how the figures name it
 * @param offsetMicros   from the spawn to the first probe
 * @param intervalMicros between two probes
 */
record FixedIntervalPoller(String name, long offsetMicros, long intervalMicros) {

    FixedIntervalPoller {
        Objects.requireNonNull(name, "name");
        if (offsetMicros < 0 || intervalMicros <= 0) {
            throw new IllegalArgumentException("offset must be >= 0 and interval > 0, got " + offsetMicros
                    + " and " + intervalMicros);
        }
    }

    /** Probes every {@code intervalMillis}, the first one as the process is spawned. */
    static FixedIntervalPoller every(String name, long intervalMillis) {
        return new FixedIntervalPoller(name, 0, intervalMillis * 1_000);
    }

    /** When this poller's probe would have found the server ready, on the same clock as the arguments. */
    long seenMicros(long spawnedMicros, long firstOkMicros) {
        long firstProbe = spawnedMicros + offsetMicros;
        if (firstOkMicros <= firstProbe) {
            return firstProbe;
        }
        long probesBefore = Math.floorDiv(firstOkMicros - firstProbe + intervalMicros - 1, intervalMicros);
        return firstProbe + probesBefore * intervalMicros;
    }

    /** How long after the server's first 200 this poller would have seen it ready. */
    long lagMicros(long spawnedMicros, long firstOkMicros) {
        return seenMicros(spawnedMicros, firstOkMicros) - firstOkMicros;
    }
}

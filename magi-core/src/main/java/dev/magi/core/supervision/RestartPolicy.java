package dev.magi.core.supervision;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * When a server that crashed is started again, and when it is left failed. A crash is answered with
 * a back-off that doubles with each crash counted (the first delay, twice it, four times ... at most
 * the longest delay); only the crashes within the last window count, and the crash that brings them
 * to the limit is answered with no restart at all, so that a server that cannot run does not run in
 * a loop. Kept apart from the process's owner so that the rules can be read and tested on their own.
 *
 * <p>Holds one server's crash history; not thread-safe: its owner calls it under its own lock.
 */
final class RestartPolicy {
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final int crashLimit;
    private final Duration window;
    /** When the crashes counted now happened, oldest first. */
    private final Deque<Instant> crashes = new ArrayDeque<>();

    /** The policy the options set. */
    RestartPolicy(SupervisorOptions options) {
        this(options.firstRestartDelay(), options.maxRestartDelay(), options.crashLimit(), options.crashWindow());
    }

    /**
     * @param firstDelay the back-off after the first crash within the window
     * @param maxDelay   the longest back-off
     * @param crashLimit this many crashes within the window leave the server failed
     * @param window     how far back crashes count
     */
    RestartPolicy(Duration firstDelay, Duration maxDelay, int crashLimit, Duration window) {
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        this.crashLimit = crashLimit;
        this.window = window;
    }

    /**
     * Counts a crash that happened at {@code now}, forgetting those older than the window. Answers
     * how long to wait before the restart, or nothing when the server is not to be restarted again.
     */
    Optional<Duration> crashed(Instant now) {
        crashes.addLast(now);
        while (!crashes.isEmpty() && crashes.peekFirst().isBefore(now.minus(window))) {
            crashes.removeFirst();
        }
        if (crashes.size() >= crashLimit) {
            return Optional.empty();
        }
        return Optional.of(backOff(crashes.size()));
    }

    /** The crashes counted at the last one. */
    int crashesInWindow() {
        return crashes.size();
    }

    /** How far back crashes count. */
    Duration window() {
        return window;
    }

    /** Forgets every crash: a start asked for by a user begins a new history. */
    void forget() {
        crashes.clear();
    }

    /**
     * The first delay, doubled for each further crash in the window, at most the longest delay:
     * 1 s, 2 s, 4 s ... by default, for the first, second, third ... crash.
     */
    Duration backOff(int crashesInWindow) {
        Duration delay = firstDelay;
        for (int i = 1; i < crashesInWindow && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }
}

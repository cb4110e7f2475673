package dev.magi.testkit;

import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.function.ThrowingSupplier;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for something that happens on another thread or in another process: polls a condition, a
 * value or an assertion until it holds, and fails with what was awaited (and what was last seen) once
 * the patience is spent. A test that waits this way goes on the moment the condition holds, however
 * loaded the machine, where a fixed sleep is either too short there or wasted everywhere else.
 *
 * <pre>{@code
 * Eventually.await("the model is listed", () -> registry.find("added-1b").isPresent());
 * long pid = Eventually.awaitValue(Duration.ofSeconds(60), "a child pid in the log", this::childPid, Objects::nonNull);
 * Eventually.awaitAsserted(() -> assertThat(server.state()).isEqualTo(ServerState.READY));
 * }</pre>
 *
 * <p>The patience is a bound that keeps a broken test from hanging the build, not a measure of speed:
 * keep it generous. A condition that throws fails the wait at once, except an assertion's
 * {@link AssertionError}, which means "not yet".
 */
public final class Eventually {
    /** The patience of the methods that take none: generous, since behaviour is checked, not speed. */
    public static final Duration DEFAULT_PATIENCE = Duration.ofSeconds(30);

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private Eventually() {
    }

    /** Waits until {@code condition} holds, for up to {@link #DEFAULT_PATIENCE}. */
    public static void await(String what, BooleanSupplier condition) {
        await(DEFAULT_PATIENCE, what, condition);
    }

    /** Waits until {@code condition} holds, for up to {@code patience}. */
    public static void await(Duration patience, String what, BooleanSupplier condition) {
        await(patience, () -> what, condition);
    }

    /**
     * Waits until {@code condition} holds, for up to {@code patience}; {@code what} is asked for only
     * when the wait fails, so it can describe the state the condition last saw.
     */
    public static void await(Duration patience, Supplier<String> what, BooleanSupplier condition) {
        Poll poll = new Poll(patience);
        while (!condition.getAsBoolean()) {
            if (!poll.pause()) {
                throw new AssertionError("Gave up after " + describe(patience) + " waiting for: " + what.get());
            }
        }
    }

    /** Polls {@code value} until {@code accepted} takes it, for up to {@link #DEFAULT_PATIENCE}; answers it. */
    public static <T> T awaitValue(String what, ThrowingSupplier<T> value, Predicate<? super T> accepted) {
        return awaitValue(DEFAULT_PATIENCE, what, value, accepted);
    }

    /**
     * Polls {@code value} until {@code accepted} takes it, for up to {@code patience}, and answers the
     * value taken; the failure names the last value seen.
     */
    public static <T> T awaitValue(Duration patience, String what, ThrowingSupplier<T> value,
            Predicate<? super T> accepted) {
        Poll poll = new Poll(patience);
        while (true) {
            T current = get(value);
            if (accepted.test(current)) {
                return current;
            }
            if (!poll.pause()) {
                throw new AssertionError("Gave up after " + describe(patience) + " waiting for: " + what
                        + "; last seen: " + current);
            }
        }
    }

    /** Runs {@code assertion} until it passes, for up to {@link #DEFAULT_PATIENCE}. */
    public static void awaitAsserted(Executable assertion) {
        awaitAsserted(DEFAULT_PATIENCE, assertion);
    }

    /**
     * Runs {@code assertion} until it passes, for up to {@code patience}; the failure carries the
     * assertion's last failure, message and all.
     */
    public static void awaitAsserted(Duration patience, Executable assertion) {
        Poll poll = new Poll(patience);
        while (true) {
            try {
                assertion.execute();
                return;
            } catch (AssertionError notYet) {
                if (!poll.pause()) {
                    throw new AssertionError("Gave up after " + describe(patience)
                            + " waiting for an assertion to pass: " + notYet.getMessage(), notYet);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new AssertionError("The awaited assertion threw " + e, e);
            }
        }
    }

    private static <T> T get(ThrowingSupplier<T> value) {
        try {
            return value.get();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("The awaited value could not be read: " + e, e);
        }
    }

    private static String describe(Duration patience) {
        return patience.toMillis() % 1000 == 0 ? patience.toSeconds() + " s" : patience.toMillis() + " ms";
    }

    /**
     * The pauses between two looks: short at first, so that a condition that holds soon is seen soon,
     * then no longer than {@link #LONGEST_PAUSE_NANOS}, so that a slow one costs little CPU.
     */
    private static final class Poll {
        private final long deadline;
        private long pause = FIRST_PAUSE_NANOS;

        Poll(Duration patience) {
            deadline = System.nanoTime() + patience.toNanos();
        }

        /** Sleeps before the next look; false when the patience is spent. */
        boolean pause() {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("Interrupted while waiting", e);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
            return true;
        }
    }
}

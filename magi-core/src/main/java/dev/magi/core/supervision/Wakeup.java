package dev.magi.core.supervision;

import java.util.concurrent.TimeUnit;

/** Wakes a wait early; signals that come while nobody waits are kept for the next wait. */
final class Wakeup {
    private boolean signalled;

    synchronized void signal() {
        signalled = true;
        notifyAll();
    }

    /** Waits until signalled or {@code millis} pass; answers whether it was signalled, and clears it. */
    synchronized boolean await(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!signalled) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        signalled = false;
        return true;
    }
}

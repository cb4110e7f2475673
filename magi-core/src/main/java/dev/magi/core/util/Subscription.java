package dev.magi.core.util;

/**
 * Ends a subscription to events, registry changes, server states or log lines; closing twice is
 * harmless. Every source of MAGI's changes hands out this one type, so a follower unsubscribes the
 * same way whatever it follows.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}

package dev.magi.core.supervision;

/** Ends a subscription to log lines or state changes; closing twice is harmless. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}

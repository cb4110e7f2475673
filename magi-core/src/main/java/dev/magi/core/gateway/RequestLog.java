package dev.magi.core.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last {@value #CAPACITY} requests, oldest first: enough to see what happened a moment ago,
 * bounded so that a flood of requests costs no more memory than a quiet day.
 */
public final class RequestLog implements GatewayObserver {
    public static final int CAPACITY = 1_000;

    private final Deque<RequestRecord> records = new ArrayDeque<>(CAPACITY);

    @Override
    public synchronized void requestEnded(RequestRecord request) {
        if (records.size() == CAPACITY) {
            records.removeFirst();
        }
        records.addLast(request);
    }

    /**
     * The last {@code n} requests, newest last.
     *
     * @throws IllegalArgumentException when {@code n} is not between 1 and {@value #CAPACITY}
     */
    public synchronized List<RequestRecord> tail(int n) {
        if (n < 1 || n > CAPACITY) {
            throw new IllegalArgumentException("tail must be between 1 and " + CAPACITY + ", not " + n);
        }
        List<RequestRecord> all = new ArrayList<>(records);
        return List.copyOf(all.subList(Math.max(0, all.size() - n), all.size()));
    }
}

package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.Gateway;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.RequestRecord;
import dev.magi.core.gateway.Route;
import dev.magi.core.gateway.TokenUsage;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Times one request from its arrival to its last byte and tells the gateway once it ended, with the
 * tokens read from the answer's tail. Timing is the HTTP layer's business: the gateway's rules only
 * see the record.
 */
final class RequestClock {
    /** Enough for the last chunk of a stream or the end of an answer, where usage and timings are. */
    static final int TAIL_BYTES = 16 * 1024;
    /** The status recorded of a request whose client went away before its answer's end (as nginx logs it). */
    static final int CLIENT_GONE = 499;

    private final Gateway gateway;
    private final String asked;
    private final Route route;
    private final Instant arrived = Instant.now();
    private final long arrivedNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long firstByteNanos;
    /**
     * The last chunks passed on, at least {@value #TAIL_BYTES} bytes of them when there were as many: kept,
     * not copied (a chunk is never changed once passed), so a short answer costs no buffer of its own.
     */
    private final ArrayDeque<byte[]> tail = new ArrayDeque<>();
    private int tailLength;

    RequestClock(Gateway gateway, String asked) {
        this(gateway, asked, null);
    }

    /**
     * @param route how the request is routed when that is known before a server is chosen (two stages, a
     *              model named in an {@code /upstream} path): it replaces what the answering lease says, and
     *              stands in the record of a refusal too; else null
     */
    RequestClock(Gateway gateway, String asked, Route route) {
        this.gateway = gateway;
        this.asked = asked;
        this.route = route;
    }

    /** Keeps the last {@value #TAIL_BYTES} bytes of what was passed on; notes the first byte's time. */
    synchronized void passed(byte[] chunk) {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
        tail.addLast(chunk);
        tailLength += chunk.length;
        while (tailLength - tail.peekFirst().length >= TAIL_BYTES) {
            tailLength -= tail.removeFirst().length;
        }
    }

    /** The last {@value #TAIL_BYTES} bytes passed on (all of them when fewer), as one array. */
    synchronized byte[] tail() {
        byte[] joined = new byte[Math.min(tailLength, TAIL_BYTES)];
        int skip = tailLength - joined.length;
        int at = 0;
        for (byte[] chunk : tail) {
            int from = Math.min(skip, chunk.length);
            skip -= from;
            System.arraycopy(chunk, from, joined, at, chunk.length - from);
            at += chunk.length - from;
        }
        return joined;
    }

    /** The request ended with an answer from {@code lease}'s server; told once, whatever calls it again. */
    void answered(Lease lease, int status) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        byte[] last = status < 400 ? tail() : null;
        TokenUsage tokens = last != null ? TokenUsage.fromTail(last, last.length) : TokenUsage.UNKNOWN;
        gateway.requestEnded(new RequestRecord(arrived, asked, lease.modelId(), lease.tier(),
                route != null ? route : lease.route(), status,
                lease.queueMs(), lease.loadMs(), sinceArrival(System.nanoTime()), firstByteMs(), tokens.prompt(),
                tokens.completion()));
    }

    /** The request was refused before a server answered it. */
    void refused(int status) {
        if (ended.compareAndSet(false, true)) {
            long total = sinceArrival(System.nanoTime());
            gateway.requestEnded(new RequestRecord(arrived, asked, null, null, route, status, total, 0, total, null,
                    null, null));
        }
    }

    private Long firstByteMs() {
        long first = firstByteNanos;
        return first == 0 ? null : sinceArrival(first);
    }

    private long sinceArrival(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos - arrivedNanos);
    }
}

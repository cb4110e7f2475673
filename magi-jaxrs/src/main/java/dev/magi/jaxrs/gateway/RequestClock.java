package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.Gateway;
import dev.magi.core.gateway.Lease;
import dev.magi.core.gateway.RequestRecord;
import dev.magi.core.gateway.TokenUsage;

import java.time.Instant;
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

    private final Gateway gateway;
    private final String asked;
    private final Instant arrived = Instant.now();
    private final long arrivedNanos = System.nanoTime();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long firstByteNanos;
    private final byte[] tail = new byte[TAIL_BYTES];
    private int tailLength;

    RequestClock(Gateway gateway, String asked) {
        this.gateway = gateway;
        this.asked = asked;
    }

    /** Keeps the last {@value #TAIL_BYTES} bytes of what was passed on; notes the first byte's time. */
    void passed(byte[] chunk, int length) {
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
        if (length >= TAIL_BYTES) {
            System.arraycopy(chunk, length - TAIL_BYTES, tail, 0, TAIL_BYTES);
            tailLength = TAIL_BYTES;
            return;
        }
        int keep = Math.min(tailLength, TAIL_BYTES - length);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(chunk, 0, tail, keep, length);
        tailLength = keep + length;
    }

    /** The request ended with an answer from {@code lease}'s server; told once, whatever calls it again. */
    void answered(Lease lease, int status) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        TokenUsage tokens = status < 400 ? TokenUsage.fromTail(tail, tailLength) : TokenUsage.UNKNOWN;
        gateway.requestEnded(new RequestRecord(arrived, asked, lease.modelId(), lease.tier(), lease.route(), status,
                lease.queueMs(), lease.loadMs(), sinceArrival(System.nanoTime()), firstByteMs(), tokens.prompt(),
                tokens.completion()));
    }

    /** The request was refused before a server answered it. */
    void refused(int status) {
        if (ended.compareAndSet(false, true)) {
            long total = sinceArrival(System.nanoTime());
            gateway.requestEnded(new RequestRecord(arrived, asked, null, null, null, status, total, 0, total, null,
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

package dev.magi.benchmarks.supervision;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The reference clock of the real-server readiness benchmark: a thread that asks {@code GET /health}
 * every {@code gap} (about a millisecond) on one kept-alive connection, from before the server is
 * spawned, and notes the instant the first {@code 200} status line arrives. Refused connections (the
 * server not listening yet) and {@code 503}s (still loading) mean "ask again". A raw socket rather than
 * an HTTP client: nothing pools, retries or buffers between a probe and its timestamp.
 */
final class HealthObserver implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 200;
    private static final int READ_TIMEOUT_MS = 5_000;

    private final InetSocketAddress address;
    private final long gapNanos;
    private final byte[] request;
    private final CountDownLatch ok = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;
    private volatile long firstOkMicros;
    private volatile long lastNotOkMicros;
    private volatile int probes;
    private volatile int connections;

    private HealthObserver(InetSocketAddress address, Duration gap) {
        this.address = address;
        this.gapNanos = gap.toNanos();
        this.request = String.format(Locale.ROOT, "GET /health HTTP/1.1\r\nHost: %s:%d\r\nAccept: */*\r\n\r\n",
                address.getHostString(), address.getPort()).getBytes(StandardCharsets.US_ASCII);
        this.thread = new Thread(this::observe, "health-observer-" + address.getPort());
        this.thread.setDaemon(true);
    }

    /** Starts observing {@code address}, asking every {@code gap}. */
    static HealthObserver start(InetSocketAddress address, Duration gap) {
        HealthObserver observer = new HealthObserver(address, gap);
        observer.thread.start();
        return observer;
    }

    /** The wall-clock instant, in microseconds since the epoch, of the first 200; waits up to {@code patience}. */
    long awaitFirstOkMicros(Duration patience) throws InterruptedException {
        if (!ok.await(patience.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("no 200 from http://" + address.getHostString() + ":" + address.getPort()
                    + "/health within " + patience + " (" + probes + " probes)");
        }
        return firstOkMicros;
    }

    /**
     * When the last answer before the first 200 arrived (a 503, or a refused or closed connection), or 0
     * when there was none: the server turned ready between this instant and the first 200, so their
     * distance is how precise the reference is.
     */
    long lastNotOkMicros() {
        return lastNotOkMicros;
    }

    /** Requests sent so far. */
    int probes() {
        return probes;
    }

    /** Connections opened so far: the server may close a kept-alive one after a few requests. */
    int connections() {
        return connections;
    }

    private void observe() {
        while (!closed) {
            try (Socket socket = new Socket()) {
                socket.setTcpNoDelay(true);
                socket.connect(address, CONNECT_TIMEOUT_MS);
                socket.setSoTimeout(READ_TIMEOUT_MS);
                connections++;
                if (askUntilOk(new BufferedInputStream(socket.getInputStream()), socket.getOutputStream())) {
                    return;
                }
            } catch (IOException notListeningOrClosed) {
                // Refused before the server listens, or the server ended a kept-alive connection: ask again.
                lastNotOkMicros = epochMicros();
            }
            LockSupport.parkNanos(gapNanos);
        }
    }

    /** Asks on one connection until a 200 (true) or until the connection can no longer be used (false). */
    private boolean askUntilOk(InputStream in, OutputStream out) throws IOException {
        while (!closed) {
            out.write(request);
            out.flush();
            probes++;
            String statusLine = line(in);
            long receivedMicros = epochMicros();
            if (statusLine == null) {
                return false;
            }
            if (status(statusLine) == 200) {
                firstOkMicros = receivedMicros;
                ok.countDown();
                return true;
            }
            lastNotOkMicros = receivedMicros;
            if (!skipRestOfResponse(in)) {
                return false;
            }
            LockSupport.parkNanos(gapNanos);
        }
        return false;
    }

    /** Reads the headers and the body; false when the connection cannot carry another request. */
    private static boolean skipRestOfResponse(InputStream in) throws IOException {
        long length = -1;
        boolean keepAlive = true;
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring("content-length:".length()).trim());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                keepAlive = false;
            }
        }
        if (length < 0) {
            return false;
        }
        in.skipNBytes(length);
        return keepAlive;
    }

    private static int status(String statusLine) {
        String[] parts = statusLine.split(" ", 3);
        try {
            return parts.length >= 2 ? Integer.parseInt(parts[1]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One CRLF-terminated line without its terminator, or null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                int n = bytes.size();
                String text = bytes.toString(StandardCharsets.ISO_8859_1);
                return n > 0 && text.charAt(n - 1) == '\r' ? text.substring(0, n - 1) : text;
            }
            bytes.write(b);
        }
        return null;
    }

    static long epochMicros() {
        return micros(Instant.now());
    }

    static long micros(Instant instant) {
        return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.magi.jaxrs.security;

import dev.magi.jaxrs.errors.ReadTimeouts;
import dev.magi.jaxrs.gateway.GatewayPaths;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Refuses request bodies over 1 MiB with 413 (the gateway's endpoints excepted: they read up to 32 MiB): at once when {@code Content-Length} says so, and while
 * reading when a chunked body grows past the limit, so no body is ever buffered beyond it. A body that
 * ends before its {@code Content-Length} is 400 {@code InvalidRequest}, since this is where bodies are
 * read from. A body the container gives up waiting for (its read timed out: the client stopped
 * sending) is 408 {@code RequestTimeout}.
 *
 * <p>Before answering, the rest of a refused body is read and thrown away, up to
 * {@link #MAX_DISCARDED_BYTES} past the limit: a server that closes a connection with request bytes
 * still unread makes TCP reset it, and the client then loses the 413 (over loopback, about every
 * second request did). Tomcat's {@code maxSwallowSize} exists for the same reason. A body declared
 * larger is not read, nor one whose client waits for {@code 100 Continue}. The read blocks: the
 * standalone reads such bodies without a thread before this filter runs, and a WAR's container bounds
 * it with its read timeout.
 */
@PreMatching
@Priority(Priorities.AUTHENTICATION + 1)
public final class BodySizeLimitFilter implements ContainerRequestFilter {
    public static final long MAX_BODY_BYTES = 1024 * 1024;
    /** How much of a refused body is read past the limit so that the client hears the 413. */
    public static final long MAX_DISCARDED_BYTES = 8L * 1024 * 1024;

    @Override
    public void filter(ContainerRequestContext request) {
        if (GatewayPaths.isGateway(request)) {
            // Prompts are larger than the API's requests: the gateway reads its bodies up to 32 MiB itself.
            return;
        }
        long length = declaredLength(request);
        if (length > MAX_BODY_BYTES) {
            // A client waiting for 100 Continue is refused before it sends what would be thrown away.
            if (length <= MAX_BODY_BYTES + MAX_DISCARDED_BYTES
                    && !"100-continue".equalsIgnoreCase(request.getHeaderString("Expect"))) {
                discard(request.getEntityStream(), 0);
            }
            throw tooLarge();
        }
        if (request.hasEntity()) {
            request.setEntityStream(new LimitedStream(request.getEntityStream()));
        }
    }

    /**
     * The {@code Content-Length}, or -1. Read here rather than with {@code getLength()}, which takes an
     * int and fails on a length over 2 GiB (a 500 where a 413 is due).
     */
    private static long declaredLength(ContainerRequestContext request) {
        String header = request.getHeaderString("Content-Length");
        try {
            return header == null ? -1 : Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            // The container refuses a malformed length before the API runs; none is taken as none.
            return -1;
        }
    }

    private static MagiException tooLarge() {
        return new MagiException(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is larger than 1 MiB",
                Map.of("limitBytes", MAX_BODY_BYTES));
    }

    /** Reads and throws away what is left of a body of which {@code read} bytes were read, up to the bound. */
    private static void discard(InputStream in, long read) {
        byte[] buffer = new byte[16 * 1024];
        long left = MAX_BODY_BYTES + MAX_DISCARDED_BYTES - read;
        try {
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) >= 0; ) {
                left -= n;
            }
        } catch (IOException e) {
            // The client went away: nobody is left to hear the answer.
        }
    }

    private static final class LimitedStream extends FilterInputStream {
        private long count;

        LimitedStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b;
            try {
                b = super.read();
            } catch (EOFException e) {
                throw cutShort(e);
            } catch (IOException e) {
                throw timedOutOr(e);
            }
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(buffer, off, len);
            } catch (EOFException e) {
                throw cutShort(e);
            } catch (IOException e) {
                throw timedOutOr(e);
            }
            if (n > 0) {
                add(n);
            }
            return n;
        }

        /**
         * The container reports a body that ends before its {@code Content-Length} (the client closed
         * early) as an end-of-file error; it is the client's fault, not a bug worth a stack trace.
         */
        private MagiException cutShort(EOFException e) {
            return new MagiException(ErrorCode.INVALID_REQUEST, "The request body is shorter than its"
                    + " Content-Length: the client stopped sending after " + count + " bytes",
                    Map.of("receivedBytes", count), e);
        }

        /**
         * A read the container timed out is the client's slowness, answered 408 with one log line and
         * the count of bytes that came; any other failure is passed on as it is.
         */
        private IOException timedOutOr(IOException e) {
            if (ReadTimeouts.isReadTimeout(e)) {
                throw new MagiException(ErrorCode.REQUEST_TIMEOUT, "The request body did not arrive in time:"
                        + " the client stopped sending after " + count + " bytes", Map.of("receivedBytes", count));
            }
            return e;
        }

        private void add(long n) {
            count += n;
            if (count > MAX_BODY_BYTES) {
                discard(in, count);
                throw tooLarge();
            }
        }
    }
}

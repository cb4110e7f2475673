package dev.magi.jaxrs.gateway;

import dev.magi.core.gateway.Lease;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one retry of a request whose server could not take it: refused the connection, reset it before
 * its headers, or died. The request is admitted again, so the balancer chooses again among the same
 * tier's candidates or the same model, and sent once more. Only before anything reached the client:
 * the forwarding fails only until the server's headers arrive, and after them nothing is retried.
 */
final class OneRetry {
    private static final Logger LOG = LoggerFactory.getLogger(OneRetry.class);

    private OneRetry() {
    }

    /**
     * Admits and forwards; on a failure {@link #retriable} says is the server's, admits and forwards
     * once more. A refusal of the second admission (a model in back-off, a full queue) is the answer.
     */
    static <A> CompletableFuture<A> forward(CompletableFuture<Lease> firstAdmission,
                                            Supplier<CompletableFuture<Lease>> admitAgain,
                                            Function<Lease, CompletableFuture<A>> send) {
        return firstAdmission.thenCompose(send).handle((answer, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(answer);
            }
            if (!retriable(failure)) {
                return CompletableFuture.<A>failedFuture(failure);
            }
            LOG.info("A server could not take a request ({}); trying once more", Inference.cause(failure).toString());
            CompletableFuture<Lease> again;
            try {
                again = admitAgain.get();
            } catch (RuntimeException e) {
                return CompletableFuture.<A>failedFuture(e);
            }
            return again.thenCompose(send);
        }).thenCompose(next -> next);
    }

    /**
     * Whether the request failed because its server could not take it: any I/O failure before the
     * answer's headers (connection refused, reset, closed by a server that died), but not a server
     * that took too long, which may well have started on the work.
     */
    static boolean retriable(Throwable failure) {
        Throwable cause = Inference.cause(failure);
        return cause instanceof IOException && !(cause instanceof HttpTimeoutException);
    }
}

package dev.magi.core.supervision;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One start of a model's server, from the request to ready (or failure); concurrent callers of a
 * start share it. The server's owner compares attempts by identity: a step of a start that finds
 * another attempt current, or this one cancelled, no longer speaks for the server.
 */
final class StartAttempt {
    /** Whether the start follows a crash rather than a request. */
    final boolean restart;
    /** Completes once the process is spawned, or exceptionally when it could not be. */
    final CompletableFuture<Void> launched = new CompletableFuture<>();
    /** Completes with the ready status, or exceptionally with why the start failed. */
    final CompletableFuture<ServerStatus> ready;
    volatile boolean cancelled;

    StartAttempt(boolean restart) {
        this(restart, new CompletableFuture<>());
    }

    /** The same start with a process of its own: a stop waits for its launch as for the first. */
    StartAttempt(boolean restart, CompletableFuture<ServerStatus> ready) {
        this.restart = restart;
        this.ready = ready;
    }

    /** Waits until the server is ready, and answers its status; throws why the start failed. */
    ServerStatus awaitReady() {
        return await(ready);
    }

    /** Waits until the process is spawned; throws why it could not be. */
    void awaitLaunched() {
        await(launched);
    }

    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}

package dev.magi.spi.launch;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One server a {@link Launcher} started or adopted: its state, where it listens, and the way to stop
 * it. Thread-safe.
 */
public interface Launch {

    /** Where it is now. */
    LaunchState state();

    /** Its endpoint while it is {@link LaunchState.Running}. */
    default Optional<URI> endpoint() {
        return state() instanceof LaunchState.Running running ? Optional.of(running.endpoint()) : Optional.empty();
    }

    /**
     * Completes once it has {@link LaunchState.Ended ended}, after every line it wrote has reached the
     * listener, however it ended.
     */
    CompletionStage<LaunchState.Ended> ended();

    /** What MAGI's messages call it: {@code pid 1234}, {@code job 5678}, {@code pod magi-m-7f9c}. */
    String describe();

    /**
     * What the server records show of it besides the endpoint, by field name: {@code pid} (a number)
     * for a local process, {@code jobId} and {@code node} for a job... Only values that are known;
     * may change as the launch goes on (a job gets its node when it runs).
     */
    Map<String, Object> details();

    /**
     * Stops it and waits until it has ended: asks it to stop (SIGTERM, {@code scancel}), gives it
     * {@code grace}, then forces it (SIGKILL), together with everything it started. Calling it again,
     * or on a launch that has ended, answers how it ended.
     *
     * @return how it ended; {@link LaunchState.Cause#STOPPED} unless it had ended before
     */
    LaunchState.Ended stop(Duration grace);
}

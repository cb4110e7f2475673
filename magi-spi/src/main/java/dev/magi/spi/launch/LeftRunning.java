package dev.magi.spi.launch;

import java.time.Duration;
import java.util.Map;

/**
 * A server a previous MAGI of this installation left running, as {@link Launcher#leftRunning()}
 * finds it. MAGI either adopts it (once) or stops it.
 */
public interface LeftRunning {

    /** The model it serves. */
    String modelId();

    /** What MAGI's messages call it: {@code pid 1234}, {@code job 5678}. */
    String describe();

    /** As {@link Launch#details()}. */
    Map<String, Object> details();

    /**
     * Whether MAGI can take it over as it runs. A local process whose pipes died with the MAGI that
     * started it cannot be (its output would block it, or be lost); a Slurm job, whose output is a
     * file, can.
     */
    boolean adoptable();

    /**
     * Takes it over: from now on it is a launch like any started one, its new output and its states
     * reaching {@code listener}.
     *
     * @throws UnsupportedOperationException when it is not {@link #adoptable()}
     */
    Launch adopt(LaunchListener listener);

    /** Stops it as {@link Launch#stop} does, and waits until it has ended. */
    void stop(Duration grace);
}

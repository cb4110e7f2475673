package dev.magi.spi.launch;

import java.util.function.IntPredicate;

/**
 * The model's port in MAGI's registry, handed out from {@code PORT_RANGE}. A launcher that binds
 * servers on ports of this machine uses it; one whose servers choose their own port (a job on a node,
 * a pod) never calls it.
 */
public interface PortAssignment {

    /** The model's port; one is assigned from the range when the model has none yet. */
    int port();

    /** Whether the user chose the port: it is theirs, and a launcher must not move it. */
    boolean pinned();

    /**
     * Moves the model to the first port of the range that no model holds and that {@code usable}
     * accepts (the launcher's "nothing listens there"), and answers it.
     *
     * @throws dev.magi.spi.MagiException {@code PortRangeExhausted} when no port is left;
     *                                    {@code PortInUse} for a pinned port
     */
    int moveOff(IntPredicate usable);
}

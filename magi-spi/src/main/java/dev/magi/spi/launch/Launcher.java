package dev.magi.spi.launch;

import java.util.List;

/**
 * Places model servers somewhere (child processes of MAGI, Slurm jobs, Kubernetes pods...), watches
 * them and stops them. It keeps no state MAGI needs beyond what its {@link Launch} handles answer:
 * which model should run, when a start is late, when to restart a crashed server, are MAGI's to
 * decide, the same way for every launcher.
 *
 * <p>Every method may be called from several threads at once. {@link #start} may block while it
 * places the server (spawns a process, submits a job) but not until the server is ready: readiness
 * is probed by MAGI on the endpoint.
 */
public interface Launcher extends AutoCloseable {

    /** The name of its {@link LauncherProvider}; shown in every server record as {@code launcher}. */
    String name();

    /**
     * Starts one server. The answer is {@link LaunchState.Pending} (placed, waiting for resources) or
     * {@link LaunchState.Running} (placed, with its endpoint; possibly still loading), or already
     * {@link LaunchState.Ended} when it ended at once. From then on, the server's output lines and
     * each change of its state reach {@code listener}.
     *
     * @param spec     what to run
     * @param listener hears the output and the states of this launch, and nothing else
     * @throws dev.magi.spi.MagiException what is found wrong before anything runs, with its usual code:
     *                                    {@code ServerStartFailed} for a binary that cannot be run
     *                                    (details {@code path}), {@code PortInUse} for a pinned port another
     *                                    program holds, {@code PortRangeExhausted}... Nothing is left running.
     */
    Launch start(LaunchSpec spec, LaunchListener listener);

    /**
     * What a previous MAGI of this installation left running (it was killed, or it stopped without
     * stopping its servers on purpose), once per launcher, when MAGI starts. MAGI adopts each entry
     * that {@link LeftRunning#adoptable() can be adopted} whose model should run, and stops every other
     * one. A launcher never answers what another installation or another user started.
     */
    List<LeftRunning> leftRunning();

    /**
     * Releases what the launcher holds (threads, clients). Servers are not stopped here: MAGI stops
     * each of them through its {@link Launch} before it closes the launcher.
     */
    @Override
    default void close() {
    }
}

package dev.magi.core.launch.local;

import dev.magi.core.launch.StartErrors;
import dev.magi.spi.MagiException;
import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.LaunchState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One llama-server child process and what belongs to it: the threads that drain its pipes into the
 * listener, its pid record, and the thread that notices its end. Spawning is kept with it so that a
 * process never exists without the drainers that keep its pipes from filling up and the pid record
 * that lets a later MAGI stop it.
 */
final class LocalLaunch implements Launch {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLaunch.class);
    /** How long to let the output threads finish reading a process that has exited. */
    private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);
    /** What llama-server says when its port is taken: it exits 1 before loading anything. */
    private static final String BIND_FAILURE = "couldn't bind HTTP server socket";
    /** What a stop that had to force the process says of it. */
    private static final String KILLED = "SIGKILL after it ignored SIGTERM";

    private final LaunchSpec spec;
    private final LocalPlan plan;
    private final Process process;
    private final LaunchListener listener;
    private final PidFile pids;
    private final LaunchState.Running running;
    private final CompletableFuture<LaunchState.Ended> ended = new CompletableFuture<>();
    private List<Thread> drainers = List.of();
    private volatile boolean bindFailed;
    private volatile boolean stopRequested;

    private LocalLaunch(LaunchSpec spec, LocalPlan plan, Process process, LaunchListener listener, PidFile pids) {
        this.spec = spec;
        this.plan = plan;
        this.process = process;
        this.listener = listener;
        this.pids = pids;
        this.running = new LaunchState.Running(plan.endpoint());
    }

    /**
     * Starts the process a plan says, drains its output to {@code listener} and records its pid;
     * fails with SERVER_START_FAILED when the binary cannot be run.
     */
    static LocalLaunch spawn(LaunchSpec spec, LocalPlan plan, LaunchListener listener, PidFile pids) {
        listener.note(Level.INFO, "starting: " + LaunchSpec.shown(plan.command()));
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(plan.command());
            builder.environment().putAll(spec.environment());
            process = builder.start();
        } catch (IOException e) {
            throw StartErrors.startFailed(spec.modelId(), "Cannot run " + plan.command().get(0) + ": "
                    + e.getMessage(), null, List.of(), Map.of("path", plan.command().get(0)));
        }
        try {
            // llama-server reads nothing; an input at end-of-file says so.
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // Nothing was written; nothing is lost.
        }
        listener.note(Level.INFO, "started pid " + process.pid() + " on port " + plan.port());
        LocalLaunch launch = new LocalLaunch(spec, plan, process, listener, pids);
        launch.drainers = List.of(
                OutputDrain.start(process.getInputStream(), threadName(spec, process, "stdout"),
                        lines -> launch.output(LaunchListener.Stream.STDOUT, lines)),
                OutputDrain.start(process.getErrorStream(), threadName(spec, process, "stderr"),
                        lines -> launch.output(LaunchListener.Stream.STDERR, lines)));
        pids.put(spec.modelId(), process, plan.command());
        Thread waiter = new Thread(launch::awaitEnd, "magi-exit-" + spec.modelId() + "-" + process.pid());
        waiter.setDaemon(true);
        waiter.start();
        return launch;
    }

    private static String threadName(LaunchSpec spec, Process process, String stream) {
        return "magi-log-" + spec.modelId() + "-" + process.pid() + "-" + stream;
    }

    private void output(LaunchListener.Stream stream, List<String> lines) {
        if (!bindFailed && lines.stream().anyMatch(line -> line.contains(BIND_FAILURE))) {
            bindFailed = true;
        }
        listener.output(stream, lines);
    }

    @Override
    public LaunchState state() {
        return ended.isDone() ? ended.join() : running;
    }

    @Override
    public CompletionStage<LaunchState.Ended> ended() {
        return ended.minimalCompletionStage();
    }

    @Override
    public String describe() {
        return "pid " + process.pid();
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("pid", process.pid());
    }

    @Override
    public LaunchState.Ended stop(Duration grace) {
        if (ended.isDone()) {
            return ended.join();
        }
        stopRequested = true;
        boolean killed = ProcessTrees.terminate(List.of(process.toHandle()), grace);
        LaunchState.Ended end = ended.join();
        return killed ? new LaunchState.Ended(end.exitCode(), KILLED, end.cause()) : end;
    }

    /** Runs on a thread of its own: waits for the exit, then for the last output, then tells the end. */
    private void awaitEnd() {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        awaitDrained();
        Integer exitCode = exitCode();
        pids.remove(spec.modelId(), process.pid());
        LaunchState.Ended end = new LaunchState.Ended(exitCode, null, cause(exitCode));
        try {
            listener.stateChanged(end);
        } catch (RuntimeException e) {
            LOG.warn("The listener of {} failed on its end: {}", describe(), e.toString());
        } finally {
            ended.complete(end);
        }
    }

    /**
     * A process that failed because another program took its port before it could bind it is moved
     * to another port when the port was MAGI's choice, so that a new start may succeed at once.
     */
    private LaunchState.Cause cause(Integer exitCode) {
        if (stopRequested) {
            return LaunchState.Cause.STOPPED;
        }
        if (!bindFailed || exitCode == null || exitCode == 0) {
            return LaunchState.Cause.EXITED;
        }
        if (!spec.ports().pinned()) {
            try {
                LocalPlan.moveOff(spec.ports(), plan.port(), plan.address());
            } catch (MagiException e) {
                LOG.warn("'{}' lost port {} to another program and cannot move: {}", spec.modelId(), plan.port(),
                        e.getMessage());
                return LaunchState.Cause.EXITED;
            }
        }
        return LaunchState.Cause.PORT_TAKEN;
    }

    /** Waits, a little at most, until everything the process wrote has reached the listener. */
    private void awaitDrained() {
        long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        for (Thread drainer : drainers) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return;
            }
            try {
                drainer.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The exit code once the JVM has reaped the process (a moment after it died), else null. */
    private Integer exitCode() {
        try {
            if (process.waitFor(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}

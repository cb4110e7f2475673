package dev.magi.core.launch.local;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Stopping a process together with everything it started: SIGTERM, a grace period, then SIGKILL. */
final class ProcessTrees {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessTrees.class);
    /** How long to wait for the kernel after SIGKILL before giving up and saying so. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);

    private ProcessTrees() {
    }

    /**
     * Sends SIGTERM to every root and all their descendants, waits up to {@code grace} for them to
     * exit, then SIGKILLs whatever is left. Answers whether SIGKILL was needed.
     */
    static boolean terminate(Collection<ProcessHandle> roots, Duration grace) {
        // The tree is taken before any signal: once a parent exits, its children are re-parented and
        // can no longer be found as its descendants.
        Map<Long, ProcessHandle> tree = new LinkedHashMap<>();
        for (ProcessHandle root : roots) {
            tree.put(root.pid(), root);
            root.descendants().forEach(h -> tree.put(h.pid(), h));
        }
        for (ProcessHandle handle : tree.values()) {
            if (isAlive(handle)) {
                handle.destroy();
            }
        }
        List<ProcessHandle> left = awaitExit(tree.values(), grace);
        if (left.isEmpty()) {
            return false;
        }
        // Whatever the survivors started meanwhile goes too.
        for (ProcessHandle survivor : List.copyOf(left)) {
            survivor.descendants().filter(h -> !tree.containsKey(h.pid())).forEach(left::add);
        }
        LOG.warn("{} process(es) ignored SIGTERM for {} ms; sending SIGKILL to pid(s) {}", left.size(),
                grace.toMillis(), left.stream().map(ProcessHandle::pid).toList());
        left.forEach(ProcessHandle::destroyForcibly);
        List<ProcessHandle> unkillable = awaitExit(left, AFTER_KILL);
        if (!unkillable.isEmpty()) {
            LOG.error("Pid(s) {} survived SIGKILL", unkillable.stream().map(ProcessHandle::pid).toList());
        }
        return true;
    }

    /** Waits until every handle has exited or {@code limit} passes; answers those still alive. */
    private static List<ProcessHandle> awaitExit(Collection<ProcessHandle> handles, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        long pause = 5;
        List<ProcessHandle> alive = new ArrayList<>(handles);
        while (true) {
            alive.removeIf(h -> !isAlive(h));
            if (alive.isEmpty() || System.nanoTime() >= deadline) {
                return alive;
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return alive;
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    /**
     * Whether a process still runs. Unlike {@link ProcessHandle#isAlive()}, a zombie counts as gone:
     * it has exited, and in a container whose first process does not reap orphans it stays a zombie
     * for good.
     */
    static boolean isAlive(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(handle.pid()), "stat"),
                    StandardCharsets.UTF_8);
            int end = stat.lastIndexOf(')');
            char state = end >= 0 && end + 2 < stat.length() ? stat.charAt(end + 2) : '?';
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux) or the process just went: trust the JDK.
            return handle.isAlive();
        }
    }
}

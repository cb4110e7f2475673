package dev.magi.core.launch.local;

import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LaunchSpec;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LeftRunning;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs each server as a child process of MAGI on this machine, bound to {@code LLAMA_SERVER_HOST}
 * and the model's port, and records it in {@code pids.json} so that the next MAGI can stop what a
 * killed one left running.
 */
public final class LocalLauncher implements Launcher {
    private static final Logger LOG = LoggerFactory.getLogger(LocalLauncher.class);

    private final String host;
    private final PidFile pids;
    /** What the previous MAGI recorded, read before this one records anything. */
    private final List<PidFile.Entry> previous;

    /**
     * @param host    the address every server binds ({@code LLAMA_SERVER_HOST})
     * @param pidFile where the pids are recorded ({@code data/pids.json})
     */
    public LocalLauncher(String host, Path pidFile) {
        this.host = Objects.requireNonNull(host, "host");
        this.pids = new PidFile(pidFile);
        this.previous = pids.loadPrevious();
    }

    @Override
    public String name() {
        return LocalLauncherProvider.NAME;
    }

    @Override
    public Launch start(LaunchSpec spec, LaunchListener listener) {
        LocalPlan plan = LocalPlan.prepare(spec, host, listener);
        return LocalLaunch.spawn(spec, plan, listener, pids);
    }

    /**
     * The processes the previous MAGI recorded that are still the same processes (same pid and start
     * instant); a recorded pid that is gone, or belongs to another process now, is forgotten.
     */
    @Override
    public List<LeftRunning> leftRunning() {
        List<LeftRunning> left = new ArrayList<>();
        for (PidFile.Entry entry : previous) {
            Optional<ProcessHandle> process = entry.stillRunning();
            if (process.isPresent()) {
                left.add(new LocalLeftover(entry, process.get(), pids));
            } else {
                LOG.debug("Recorded pid {} of '{}' is gone or is another process now; left alone", entry.pid(),
                        entry.modelId());
                pids.remove(entry.modelId(), entry.pid());
            }
        }
        return left;
    }
}

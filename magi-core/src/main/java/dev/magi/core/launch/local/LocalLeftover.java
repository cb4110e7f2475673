package dev.magi.core.launch.local;

import dev.magi.spi.launch.Launch;
import dev.magi.spi.launch.LaunchListener;
import dev.magi.spi.launch.LeftRunning;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A llama-server a killed MAGI left running, still the same process as recorded. Never adoptable:
 * its pipes died with the MAGI that started it, so its output is lost and a full pipe would stall it.
 */
final class LocalLeftover implements LeftRunning {
    private final PidFile.Entry entry;
    private final ProcessHandle process;
    private final PidFile pids;

    LocalLeftover(PidFile.Entry entry, ProcessHandle process, PidFile pids) {
        this.entry = entry;
        this.process = process;
        this.pids = pids;
    }

    @Override
    public String modelId() {
        return entry.modelId();
    }

    @Override
    public String describe() {
        return "pid " + entry.pid();
    }

    @Override
    public Map<String, Object> details() {
        return Map.of("pid", entry.pid());
    }

    @Override
    public boolean adoptable() {
        return false;
    }

    @Override
    public Launch adopt(LaunchListener listener) {
        throw new UnsupportedOperationException("A local server left by a previous MAGI cannot be adopted: its"
                + " output pipes are gone; stop it");
    }

    /** SIGTERM to it and its descendants, the grace, SIGKILL; then its record goes. */
    @Override
    public void stop(Duration grace) {
        ProcessTrees.terminate(List.of(process), grace);
        pids.remove(entry.modelId(), entry.pid());
    }
}

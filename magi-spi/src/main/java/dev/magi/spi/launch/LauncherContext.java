package dev.magi.spi.launch;

import dev.magi.spi.Settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a launcher is opened with.
 *
 * @param settings    the configuration, by variable name ({@code LLAMA_SERVER_HOST}, a launcher's own
 *                    keys such as {@code MAGI_SLURM_PARTITION}...)
 * @param dataDir     MAGI's {@code data/} directory, absolute: where a launcher keeps what must survive
 *                    MAGI (the pids of the local launcher, job scripts and output...)
 * @param installId   an id of this MAGI installation that stays the same across its restarts and
 *                    differs between installations: a launcher marks what it starts with it, so that
 *                    {@link Launcher#leftRunning()} never answers what another MAGI started
 * @param stopTimeout the grace between asking a server to stop and forcing it ({@code STOP_TIMEOUT})
 */
public record LauncherContext(Settings settings, Path dataDir, String installId, Duration stopTimeout) {
    public LauncherContext {
        Objects.requireNonNull(settings, "settings");
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        Objects.requireNonNull(installId, "installId");
        Objects.requireNonNull(stopTimeout, "stopTimeout");
        if (installId.isBlank()) {
            throw new IllegalArgumentException("installId must not be blank");
        }
        if (stopTimeout.isNegative() || stopTimeout.isZero()) {
            throw new IllegalArgumentException("stopTimeout must be positive, got " + stopTimeout);
        }
    }
}

package dev.magi.core.supervision;

import dev.magi.core.config.MagiConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How servers are run: the settings that concern {@code llama-server}, where MAGI keeps its files,
 * and the restart and log-rotation policies (fixed for users, see docs/supervision.md; settable for tests).
 *
 * @param llamaServerPath    the server binary ({@code LLAMA_SERVER_PATH})
 * @param llamaHost          the address each server binds ({@code LLAMA_SERVER_HOST})
 * @param llamaArgs          extra arguments for every server ({@code LLAMA_SERVER_ARGS})
 * @param maxStartupTime     how long a server may take to become ready
 * @param readinessInterval  the longest gap between two readiness probes
 * @param stopTimeout        grace between SIGTERM and SIGKILL
 * @param dataDir            MAGI's {@code data/} directory: {@code pids.json} and {@code logs/} live there
 * @param firstRestartDelay  the back-off before the first restart after a crash; it doubles with each crash
 * @param maxRestartDelay    the longest back-off
 * @param crashLimit         this many crashes within {@code crashWindow} leave the server failed
 * @param crashWindow        the window crashes are counted in
 * @param logFileMaxBytes    a server's log file is rotated when it grows past this
 * @param logFilesKept       rotated log files kept besides the current one
 */
public record SupervisorOptions(
        Path llamaServerPath,
        String llamaHost,
        List<String> llamaArgs,
        Duration maxStartupTime,
        Duration readinessInterval,
        Duration stopTimeout,
        Path dataDir,
        Duration firstRestartDelay,
        Duration maxRestartDelay,
        int crashLimit,
        Duration crashWindow,
        long logFileMaxBytes,
        int logFilesKept) {

    public static final Duration FIRST_RESTART_DELAY = Duration.ofSeconds(1);
    public static final Duration MAX_RESTART_DELAY = Duration.ofSeconds(60);
    public static final int CRASH_LIMIT = 5;
    public static final Duration CRASH_WINDOW = Duration.ofMinutes(10);
    public static final long LOG_FILE_MAX_BYTES = 10L * 1024 * 1024;
    public static final int LOG_FILES_KEPT = 3;

    public SupervisorOptions {
        Objects.requireNonNull(llamaServerPath, "llamaServerPath");
        Objects.requireNonNull(llamaHost, "llamaHost");
        llamaArgs = List.copyOf(llamaArgs);
        positive(maxStartupTime, "maxStartupTime");
        positive(readinessInterval, "readinessInterval");
        positive(stopTimeout, "stopTimeout");
        dataDir = Objects.requireNonNull(dataDir, "dataDir").toAbsolutePath().normalize();
        positive(firstRestartDelay, "firstRestartDelay");
        positive(maxRestartDelay, "maxRestartDelay");
        positive(crashWindow, "crashWindow");
        if (crashLimit < 1) {
            throw new IllegalArgumentException("crashLimit must be at least 1, got " + crashLimit);
        }
        if (logFileMaxBytes < 1 || logFilesKept < 0) {
            throw new IllegalArgumentException("log rotation needs a positive size and a count of at least 0");
        }
    }

    /** The options of an engine's configuration, with the fixed restart and rotation policies above. */
    public static SupervisorOptions from(MagiConfig config) {
        Path registryDir = config.registryPath().toAbsolutePath().getParent();
        return new SupervisorOptions(config.llamaServerPath(), config.llamaHost(), config.llamaArgs(),
                config.maxStartupTime(), config.readinessInterval(), config.stopTimeout(),
                registryDir != null ? registryDir : Path.of("data"), FIRST_RESTART_DELAY, MAX_RESTART_DELAY,
                CRASH_LIMIT, CRASH_WINDOW, LOG_FILE_MAX_BYTES, LOG_FILES_KEPT);
    }

    /** These options with another restart policy. */
    public SupervisorOptions withRestartPolicy(Duration firstDelay, Duration maxDelay, int crashLimit,
                                               Duration crashWindow) {
        return new SupervisorOptions(llamaServerPath, llamaHost, llamaArgs, maxStartupTime, readinessInterval,
                stopTimeout, dataDir, firstDelay, maxDelay, crashLimit, crashWindow, logFileMaxBytes, logFilesKept);
    }

    /** These options with another log rotation. */
    public SupervisorOptions withLogRotation(long maxBytes, int filesKept) {
        return new SupervisorOptions(llamaServerPath, llamaHost, llamaArgs, maxStartupTime, readinessInterval,
                stopTimeout, dataDir, firstRestartDelay, maxRestartDelay, crashLimit, crashWindow, maxBytes,
                filesKept);
    }

    /** Where a model's server writes its output. */
    public Path logFile(String modelId) {
        return dataDir.resolve("logs").resolve(modelId + ".log");
    }

    private static void positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
    }
}

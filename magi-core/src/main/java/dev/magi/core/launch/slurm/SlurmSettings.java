package dev.magi.core.launch.slurm;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.config.MagiConfig;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code slurm} launcher's settings, checked when MAGI starts so that a typo is one clear line
 * then instead of a refused job at the first model.
 *
 * @param partition {@code --partition} of every job, or null for the cluster's default
 * @param account   {@code --account}, or null for the user's default
 * @param timeLimit {@code --time}, or null for the partition's default
 * @param extraArgs more sbatch arguments, after MAGI's own
 * @param logDir    where the jobs' output files go, absolute; read by MAGI, written by the nodes
 */
record SlurmSettings(String partition, String account, String timeLimit, List<String> extraArgs, Path logDir) {
    /** Slurm's time formats: minutes, M:S, H:M:S, D-H, D-H:M, D-H:M:S, or no limit. */
    private static final Pattern TIME = Pattern.compile(
            "\\d+|\\d+:\\d{1,2}|\\d+:\\d{1,2}:\\d{1,2}|\\d+-\\d+|\\d+-\\d+:\\d{1,2}|\\d+-\\d+:\\d{1,2}:\\d{1,2}"
                    + "|(?i:unlimited|infinite)");
    /** Partition and account names, comma-separated lists of partitions included. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._,-]{1,256}");

    SlurmSettings {
        extraArgs = List.copyOf(extraArgs);
        logDir = logDir.toAbsolutePath().normalize();
    }

    /**
     * @param dataDir MAGI's {@code data/} directory; the default log directory is under it
     * @throws MagiException {@link ErrorCode#INVALID_CONFIGURATION} naming the setting that is wrong
     */
    static SlurmSettings from(Settings settings, Path dataDir) {
        String partition = name(settings, ConfigKey.SLURM_PARTITION);
        String account = name(settings, ConfigKey.SLURM_ACCOUNT);
        String time = value(settings, ConfigKey.SLURM_TIME);
        if (time != null && !TIME.matcher(time).matches()) {
            throw bad(ConfigKey.SLURM_TIME, time, "a Slurm time limit such as 90 (minutes), 12:00:00 or 2-00:00:00");
        }
        String args = value(settings, ConfigKey.SLURM_ARGS);
        List<String> extraArgs = args == null ? List.of() : MagiConfig.splitArguments(ConfigKey.SLURM_ARGS, args);
        String logDir = value(settings, ConfigKey.SLURM_LOG_DIR);
        Path dir = logDir == null ? dataDir.resolve("logs").resolve("slurm") : Path.of(logDir);
        return new SlurmSettings(partition, account, time, extraArgs, dir);
    }

    private static String name(Settings settings, ConfigKey key) {
        String value = value(settings, key);
        if (value != null && !NAME.matcher(value).matches()) {
            throw bad(key, value, "letters, digits, '.', '_', '-' and ','");
        }
        return value;
    }

    private static String value(Settings settings, ConfigKey key) {
        String value = settings.get(key.variable(), key.defaultValue());
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static MagiException bad(ConfigKey key, String value, String expectation) {
        return new MagiException(ErrorCode.INVALID_CONFIGURATION,
                "Invalid value '" + value + "' for " + key.flag() + " / " + key.variable() + ": " + expectation,
                Map.of("setting", key.variable()));
    }
}

package dev.magi.core.launch.slurm;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.Settings;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayName("The slurm launcher's settings")
class SlurmSettingsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("default to nothing but the log directory under data/")
    void defaults() {
        SlurmSettings settings = SlurmSettings.from(Settings.of(Map.of()), dir);
        assertThat(settings).isEqualTo(new SlurmSettings(null, null, null, List.of(), dir.resolve("logs/slurm")));
    }

    @Test
    @DisplayName("take the partition, account, time limit, sbatch arguments and log directory")
    void all() {
        SlurmSettings settings = SlurmSettings.from(Settings.of(Map.of("MAGI_SLURM_PARTITION", "gpu,debug",
                "MAGI_SLURM_ACCOUNT", "proj_7", "MAGI_SLURM_TIME", "1-12:00:00",
                "MAGI_SLURM_ARGS", "--qos=high --constraint='a100 80gb'", "MAGI_SLURM_LOG_DIR", "/shared/logs")), dir);
        assertThat(settings).isEqualTo(new SlurmSettings("gpu,debug", "proj_7", "1-12:00:00",
                List.of("--qos=high", "--constraint=a100 80gb"), Path.of("/shared/logs")));
    }

    @Test
    @DisplayName("accept every time format of sbatch --time")
    void timeFormats() {
        for (String time : List.of("90", "30:00", "12:00:00", "2-0", "2-12:30", "2-12:30:00", "UNLIMITED", "infinite")) {
            assertThat(SlurmSettings.from(Settings.of(Map.of("MAGI_SLURM_TIME", time)), dir).timeLimit()).isEqualTo(time);
        }
    }

    @Test
    @DisplayName("refuse a time limit sbatch would not take, naming the flag and the variable")
    void badTime() {
        MagiException e = catchThrowableOfType(() -> SlurmSettings.from(Settings.of(Map.of("MAGI_SLURM_TIME", "1 hour")),
                dir), MagiException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("--slurm-time").contains("MAGI_SLURM_TIME").contains("1 hour");
    }

    @Test
    @DisplayName("refuse a partition with a space or a quote")
    void badPartition() {
        MagiException e = catchThrowableOfType(() -> SlurmSettings.from(Settings.of(Map.of("MAGI_SLURM_PARTITION",
                "gpu; rm")), dir), MagiException.class);
        assertThat(e.getMessage()).contains("--slurm-partition");
    }

    @Test
    @DisplayName("refuse sbatch arguments with an unbalanced quote")
    void badArgs() {
        MagiException e = catchThrowableOfType(() -> SlurmSettings.from(Settings.of(Map.of("MAGI_SLURM_ARGS",
                "--comment='oops")), dir), MagiException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("--slurm-args").contains("unbalanced quote");
    }

    @Test
    @DisplayName("need sbatch, squeue and scancel on PATH, and say which are missing")
    void missingCommands() throws IOException {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path squeue = Files.writeString(bin.resolve("squeue"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(squeue, PosixFilePermissions.fromString("rwxr-xr-x"));
        MagiException e = catchThrowableOfType(() -> SlurmCli.requireInstalled(bin.toString()), MagiException.class);
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains("sbatch, scancel on PATH").doesNotContain("squeue");
        assertThat(e.details()).containsEntry("missing", List.of("sbatch", "scancel"));
    }
}

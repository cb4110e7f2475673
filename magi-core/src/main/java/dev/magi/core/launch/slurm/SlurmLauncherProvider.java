package dev.magi.core.launch.slurm;

import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LauncherProvider;

/**
 * The built-in {@code slurm} launcher's provider. Opening it checks the Slurm commands and the
 * settings, so that {@code --launcher slurm} on a machine without Slurm fails at start.
 */
public final class SlurmLauncherProvider implements LauncherProvider {
    @Override
    public String name() {
        return SlurmLauncher.NAME;
    }

    @Override
    public Launcher open(LauncherContext context) {
        SlurmSettings settings = SlurmSettings.from(context.settings(), context.dataDir());
        SlurmCli.requireInstalled();
        return new SlurmLauncher(SlurmCli.forCurrentUser(SlurmCli.DEFAULT_TIMEOUT), settings, context.installId());
    }
}

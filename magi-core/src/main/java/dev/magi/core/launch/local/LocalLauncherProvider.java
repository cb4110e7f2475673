package dev.magi.core.launch.local;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.launch.Launcher;
import dev.magi.spi.launch.LauncherContext;
import dev.magi.spi.launch.LauncherProvider;

/** The built-in {@code local} launcher, the default: servers as child processes of MAGI. */
public final class LocalLauncherProvider implements LauncherProvider {
    public static final String NAME = "local";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Launcher open(LauncherContext context) {
        String host = context.settings().get(ConfigKey.LLAMA_HOST.variable(), ConfigKey.LLAMA_HOST.defaultValue());
        return new LocalLauncher(host, context.dataDir().resolve("pids.json"));
    }
}

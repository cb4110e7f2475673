package dev.magi.core.launch.local;

import dev.magi.spi.launch.LauncherProvider;
import dev.magi.testkit.launch.LauncherContract;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The local launcher keeps the launcher contract")
class LocalLauncherTest extends LauncherContract {
    @Override
    protected LauncherProvider provider() {
        return new LocalLauncherProvider();
    }

    /** Its processes' pipes die with the MAGI that started them: what it left is stopped, not adopted. */
    @Override
    protected boolean adoptsWhatItLeft() {
        return false;
    }
}

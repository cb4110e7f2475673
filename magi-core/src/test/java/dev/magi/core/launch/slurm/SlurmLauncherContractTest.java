package dev.magi.core.launch.slurm;

import dev.magi.spi.launch.LauncherProvider;
import dev.magi.testkit.RealSlurm;
import dev.magi.testkit.launch.LauncherContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;

import java.util.Map;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The launcher contract kept by the {@code slurm} launcher on a real cluster: the fake llama-server
 * runs as Slurm jobs, whose output files are under the test's directory.
 */
@DisplayName("The slurm launcher keeps the launcher contract")
class SlurmLauncherContractTest extends LauncherContract {
    @BeforeEach
    void cluster() {
        assumeTrue(RealSlurm.availableOrSkip(), RealSlurm::absentMessage);
    }

    @Override
    protected LauncherProvider provider() {
        return new SlurmLauncherProvider();
    }

    @Override
    protected boolean adoptsWhatItLeft() {
        return true;
    }

    @Override
    protected Map<String, String> settings() {
        return Map.of("MAGI_SLURM_LOG_DIR", dir.resolve("slurm-logs").toString());
    }
}

package dev.magi.core.launch.slurm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("A command run for Slurm")
class CommandRunnerTest {
    private final CommandRunner runner = new CommandRunner(Duration.ofSeconds(30), 1000);

    @Test
    @DisplayName("gets its standard input and gives back its output, error and exit code")
    void roundTrip() {
        CommandResult result = runner.run(List.of("bash", "-c", "cat; echo oops >&2; exit 3"), "the script\n");
        assertThat(result.stdout()).isEqualTo("the script\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.complaint()).isEqualTo("oops");
    }

    @Test
    @DisplayName("keeps only the first bytes of a flood of output, and is not blocked by it")
    void bounded() {
        CommandResult result = runner.run(List.of("bash", "-c", "head -c 5000000 /dev/zero | tr '\\0' x"), null);
        assertThat(result.stdout()).hasSize(1000);
        assertThat(result.exitCode()).isZero();
    }

    @Test
    @DisplayName("that hangs is killed at its time limit")
    void hung() {
        CommandRunner impatient = new CommandRunner(Duration.ofMillis(300), 1000);
        assertThatThrownBy(() -> impatient.run(List.of("bash", "-c", "echo stuck >&2; exec sleep 600"), null))
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("did not finish");
    }

    @Test
    @DisplayName("that is not installed fails with its name")
    void missing() {
        assertThatThrownBy(() -> runner.run(List.of("no-such-slurm-command-here"), null))
                .isInstanceOf(CommandFailedException.class).hasMessageContaining("no-such-slurm-command-here");
    }
}

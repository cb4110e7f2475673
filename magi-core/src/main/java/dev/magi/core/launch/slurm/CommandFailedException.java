package dev.magi.core.launch.slurm;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;

import java.util.List;
import java.util.Map;

/**
 * A Slurm command that could not be run to its end: not installed, hung past its time limit, or
 * interrupted. Its message names the command and says what happened. Most Slurm commands run to start
 * a server, so it is a failed start unless a caller turns it into something else (a line in a log).
 */
public final class CommandFailedException extends MagiException {
    private static final long serialVersionUID = 1L;

    CommandFailedException(List<String> command, String message, Throwable cause) {
        super(ErrorCode.SERVER_START_FAILED, message, Map.of("command", List.copyOf(command)), cause);
    }
}

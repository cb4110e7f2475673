package dev.magi.core.launch.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one short command (a Slurm client) as a process: no shell, the arguments a list, optional text
 * on its standard input, a time limit after which it is killed, and at most {@code maxOutputBytes} of
 * each output stream kept. Both streams are drained to the end whatever is kept, so a chatty command
 * never blocks on a full pipe; a hung one (a controller that does not answer) costs at most the limit.
 */
final class CommandRunner {
    private final Duration timeout;
    private final int maxOutputBytes;

    CommandRunner(Duration timeout, int maxOutputBytes) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes must be positive, got " + maxOutputBytes);
        }
        this.timeout = timeout;
        this.maxOutputBytes = maxOutputBytes;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * @param command the program and its arguments
     * @param stdin   text for its standard input, or null for none (it reads end of file)
     * @throws CommandFailedException when the program cannot be started, outlives the limit or the
     *                                wait is interrupted; a non-zero exit is a result, not an exception
     */
    CommandResult run(List<String> command, String stdin) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new CommandFailedException(command, "cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        Drain out = new Drain(process.getInputStream(), maxOutputBytes);
        Drain err = new Drain(process.getErrorStream(), maxOutputBytes);
        out.start();
        err.start();
        try {
            feed(process, stdin);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CommandFailedException(command, command.get(0) + " did not finish within "
                        + timeout.toSeconds() + " s" + said(err), null);
            }
            out.join(timeout.toMillis());
            err.join(timeout.toMillis());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailedException(command, "interrupted while waiting for " + command.get(0), e);
        }
        return new CommandResult(command, process.exitValue(), out.text(), err.text());
    }

    private static void feed(Process process, String stdin) {
        try (OutputStream in = process.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // The program exited without reading all of it; its exit code and output tell why.
        }
    }

    private static String said(Drain err) {
        String text = err.text().strip();
        return text.isEmpty() ? "" : " (it said: " + text + ")";
    }

    /** Reads one stream to its end on a thread of its own, keeping the first bytes up to the bound. */
    private static final class Drain extends Thread {
        private final InputStream stream;
        private final int limit;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        Drain(InputStream stream, int limit) {
            super("slurm-command-output");
            setDaemon(true);
            this.stream = stream;
            this.limit = limit;
        }

        @Override
        public void run() {
            byte[] chunk = new byte[8192];
            try (stream) {
                int read;
                while ((read = stream.read(chunk)) >= 0) {
                    synchronized (kept) {
                        int room = limit - kept.size();
                        if (room > 0) {
                            kept.write(chunk, 0, Math.min(room, read));
                        }
                    }
                }
            } catch (IOException e) {
                // The process was killed under the reader; what was read so far is all there is.
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}

package dev.magi.core.binary;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs {@code BINARY --version} once, bounded: at most {@code timeout} (then the process and its
 * descendants are killed) and at most {@value #MAX_OUTPUT_BYTES} bytes of output kept, so that a
 * binary that hangs or talks forever costs a few seconds and a few kilobytes.
 */
final class VersionCheck {
    static final int MAX_OUTPUT_BYTES = 64 * 1024;
    /** How long the output may take to end after the process did (a descendant may hold the pipe). */
    private static final Duration READ_GRACE = Duration.ofSeconds(1);
    private static final String SETTING = " (set LLAMA_SERVER_PATH or --llama-server)";

    private VersionCheck() {
    }

    static LlamaServerVersion run(Path binary, Duration timeout) {
        return run(binary, timeout, process -> {
        });
    }

    /** As {@link #run(Path, Duration)}, telling {@code started} of the process once it exists. */
    static LlamaServerVersion run(Path binary, Duration timeout, Consumer<Process> started) {
        String path = binary.toString();
        if (!Files.exists(binary)) {
            return LlamaServerVersion.unknown(path, "llama-server not found at " + path + SETTING);
        }
        if (Files.isDirectory(binary) || !Files.isExecutable(binary)) {
            return LlamaServerVersion.unknown(path, "llama-server at " + path + " is not an executable file" + SETTING);
        }
        Process process;
        try {
            process = new ProcessBuilder(List.of(path, "--version")).redirectErrorStream(true).start();
        } catch (IOException e) {
            return LlamaServerVersion.unknown(path, "Cannot run " + path + ": " + e.getMessage());
        }
        started.accept(process);
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // It reads nothing.
        }
        BoundedReader output = new BoundedReader(process.getInputStream());
        output.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return LlamaServerVersion.unknown(path, path + " --version did not finish within "
                        + timeout.toSeconds() + " s and was killed");
            }
            output.join(READ_GRACE.toMillis());
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return LlamaServerVersion.unknown(path, "The check of " + path + " --version was interrupted");
        }
        String text = output.text();
        int code = process.exitValue();
        return VersionOutput.parse(path, text).orElseGet(() -> LlamaServerVersion.unknown(path, path
                + " --version exited with code " + code + " without a version line" + lastLine(text)));
    }

    static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        if (last.isEmpty()) {
            return "";
        }
        return ": " + (last.length() > 200 ? last.substring(0, 200) + "..." : last);
    }

    /** Drains the output to its end, keeping the first {@value #MAX_OUTPUT_BYTES} bytes. */
    private static final class BoundedReader extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        BoundedReader(InputStream in) {
            super("magi-llama-server-version-output");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int read;
                while ((read = in.read(buffer)) != -1) {
                    synchronized (kept) {
                        kept.write(buffer, 0, Math.min(read, Math.max(0, MAX_OUTPUT_BYTES - kept.size())));
                    }
                }
            } catch (IOException e) {
                // The pipe closed: what was read is what there is.
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}

package dev.magi.core.binary;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The llama-server binary MAGI runs, and its version. The version is asked once in the background
 * when MAGI starts (a missing or broken binary gets one WARN line then), and again whenever the file
 * has changed since, e.g. once a user installed or upgraded it, so that what the API shows is the
 * binary as it is.
 */
public final class LlamaServerBinary implements AutoCloseable {
    /** How long {@code --version} may take: it prints two lines and exits at once. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(LlamaServerBinary.class);

    private final Path path;
    private final Duration timeout;

    // Guarded by this.
    private CompletableFuture<LlamaServerVersion> check;
    private Object checkedFile;
    private Process checking;
    private boolean closed;

    /** Starts the first check in the background; a binary that cannot be used is warned about once. */
    public LlamaServerBinary(Path path, Duration timeout) {
        this.path = Objects.requireNonNull(path, "path");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        checkInBackground().thenAccept(version -> {
            if (isClosed()) {
                // A check cut short by the close says nothing about the binary.
                return;
            }
            if (!version.isKnown()) {
                LOG.warn("llama-server cannot be used, servers will not start: {}", version.error());
            } else {
                LOG.info("llama-server at {}: version {}", version.path(), version.version());
            }
        });
    }

    public Path path() {
        return path;
    }

    /**
     * The version as the last check found it; the binary is checked again first when its file has
     * changed since, which takes the check's time limit at most.
     */
    public LlamaServerVersion current() {
        CompletableFuture<LlamaServerVersion> latest;
        synchronized (this) {
            latest = Objects.equals(checkedFile, fileNow()) ? check : checkInBackground();
        }
        try {
            // The check ends within its time limit; the margin is for a busy machine's scheduling.
            return latest.get(timeout.toMillis() * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LlamaServerVersion.unknown(path.toString(), "The check of the version was interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return LlamaServerVersion.unknown(path.toString(), "The check of " + path + " --version did not finish");
        }
    }

    private synchronized CompletableFuture<LlamaServerVersion> checkInBackground() {
        checkedFile = fileNow();
        CompletableFuture<LlamaServerVersion> started = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                started.complete(VersionCheck.run(path, timeout, this::checking));
            } catch (RuntimeException e) {
                started.complete(LlamaServerVersion.unknown(path.toString(), "Cannot check " + path + ": "
                        + e.getMessage()));
            }
        }, "magi-llama-server-version");
        thread.setDaemon(true);
        thread.start();
        check = started;
        return started;
    }

    private synchronized void checking(Process process) {
        if (closed) {
            VersionCheck.kill(process);
        }
        checking = process;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Kills a check still running: nothing of MAGI outlives it. */
    @Override
    public synchronized void close() {
        closed = true;
        if (checking != null && checking.isAlive()) {
            VersionCheck.kill(checking);
        }
    }

    /** What tells a changed file: its identity, size and modification time; null when absent. */
    private Object fileNow() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            return attributes.fileKey() + "/" + attributes.size() + "/" + attributes.lastModifiedTime();
        } catch (IOException e) {
            return null;
        }
    }
}

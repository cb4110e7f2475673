package dev.magi.core.discovery;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches every directory under the scan path and calls back once per burst of changes: the
 * callback runs after {@code quietPeriod} without a change, or at the latest {@code maxDelay} after
 * the first one, so a download that writes for minutes gives a rescan every few seconds, not one
 * per write. A scan path that does not exist yet is polled until it appears.
 */
public final class ScanPathWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScanPathWatcher.class);

    private final Path root;
    private final Runnable onChange;
    private final Duration quietPeriod;
    private final Duration maxDelay;
    private final WatchService service;
    private final Set<Path> watched = new HashSet<>();
    private final Thread thread;
    private volatile boolean closed;

    public ScanPathWatcher(Path root, Runnable onChange, Duration quietPeriod, Duration maxDelay) throws IOException {
        this.root = root;
        this.onChange = onChange;
        this.quietPeriod = quietPeriod;
        this.maxDelay = maxDelay;
        this.service = root.getFileSystem().newWatchService();
        registerTree(root);
        this.thread = new Thread(this::run, "magi-scan-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                // Wait for the first change of a burst (or poll for a scan path that is not there yet).
                WatchKey key = service.poll(2, TimeUnit.SECONDS);
                if (key == null) {
                    if (watched.isEmpty() && Files.isDirectory(root)) {
                        registerTree(root);
                        fire();
                    }
                    continue;
                }
                handle(key);
                long firstChange = System.nanoTime();
                long deadline = firstChange + maxDelay.toNanos();
                while (!closed) {
                    long left = Math.min(quietPeriod.toNanos(), deadline - System.nanoTime());
                    if (left <= 0) {
                        break;
                    }
                    WatchKey next = service.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    handle(next);
                }
                if (!closed) {
                    fire();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // Closed: the loop ends.
        }
    }

    private void handle(WatchKey key) {
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                continue;
            }
            Path child = dir.resolve((Path) event.context());
            if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(child)) {
                registerTree(child);
            }
        }
        if (!key.reset()) {
            watched.remove(dir);
        }
    }

    private void fire() {
        try {
            onChange.run();
        } catch (RuntimeException e) {
            LOG.error("Rescan after a change under {} failed", root, e);
        }
    }

    private void registerTree(Path start) {
        if (!Files.isDirectory(start)) {
            return;
        }
        try {
            Files.walkFileTree(start, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (ModelScanner.isSkippedDirectory(dir, root)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            if (watched.add(dir)) {
                                try {
                                    dir.register(service, StandardWatchEventKinds.ENTRY_CREATE,
                                            StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
                                } catch (IOException e) {
                                    LOG.warn("Cannot watch {}: {}", dir, e.getMessage());
                                }
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            if (!(e instanceof FileSystemLoopException)) {
                                LOG.debug("Not watching {}: {}", file, e.getMessage());
                            }
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            LOG.warn("Cannot watch {}: {}", start, e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            service.close();
        } catch (IOException e) {
            LOG.debug("Closing the watch service: {}", e.getMessage());
        }
        thread.interrupt();
    }
}

package dev.magi.core.util;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Crash-safe file replacement: write a temporary file beside the target, force it to disk, keep the
 * old content as {@code NAME.bak}, rename the new file over the target and force the directory.
 * A crash at any instant leaves the old or the new content under the target name, never a torn file.
 */
public final class AtomicFiles {

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** The temporary files {@link #write} makes: {@code .TARGET.tmp-HEX}; group 1 is the target's name. */
    private static final Pattern TEMPORARY = Pattern.compile("\\.(.+)\\.tmp-[0-9a-f]{1,16}");

    private AtomicFiles() {
    }

    /**
     * Deletes the temporary files a write interrupted by a crash left in {@code dir}, only those of
     * this class's own naming whose target name {@code owned} accepts, so a file of anyone else's is
     * never touched; answers how many were removed. A missing directory holds none.
     */
    public static int removeStaleTemporaries(Path dir, Predicate<String> owned) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                Matcher m = TEMPORARY.matcher(entry.getFileName().toString());
                if (m.matches() && owned.test(m.group(1)) && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)
                        && Files.deleteIfExists(entry)) {
                    removed++;
                }
            }
        }
        if (removed > 0) {
            forceDirectory(dir);
        }
        return removed;
    }

    /** The last good copy kept beside {@code target}. */
    public static Path backupOf(Path target) {
        return target.resolveSibling(target.getFileName() + ".bak");
    }

    /** Replaces {@code target} with {@code bytes}; durable when this returns. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Replaces {@code target} with what {@code content} writes; durable when this returns. */
    public static void write(Path target, Content content) throws IOException {
        write(target, content, false);
    }

    /**
     * Like {@link #write(Path, Content)}, keeping the content it replaces as {@link #backupOf(Path)}:
     * the last good copy to fall back on when the file is later found damaged.
     */
    public static void writeKeepingBackup(Path target, Content content) throws IOException {
        write(target, content, true);
    }

    private static void write(Path target, Content content, boolean keepBackup) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        String name = target.getFileName().toString();
        Path tmp = dir.resolve("." + name + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                // Writers such as JSON generators close what they write to; the channel must stay open to be forced.
                content.writeTo(new FilterOutputStream(out) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        out.flush();
                    }
                });
                out.flush();
                channel.force(true);
            }
            if (keepBackup && Files.exists(target)) {
                keepBackup(target);
            }
            move(tmp, target);
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Moves a file that could not be read out of the way, keeping it for the user, and answers where
     * it went: {@code NAME.corrupt-TIMESTAMP}.
     */
    public static Path moveAside(Path file) throws IOException {
        String stamp = Instant.now().toString().replace(':', '-');
        Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp);
        for (int attempt = 1; Files.exists(aside); attempt++) {
            aside = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp + "-" + attempt);
        }
        Files.move(file, aside);
        forceDirectory(file.toAbsolutePath().getParent());
        return aside;
    }

    private static void keepBackup(Path target) throws IOException {
        // A hard link costs no copy: after the rename below, the old inode lives on as the backup.
        Path backup = backupOf(target);
        Path linkTmp = target.resolveSibling("." + target.getFileName() + ".bak-tmp");
        Files.deleteIfExists(linkTmp);
        try {
            Files.createLink(linkTmp, target);
        } catch (UnsupportedOperationException | FileAlreadyExistsException | SecurityException e) {
            Files.copy(target, linkTmp, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // Some file systems refuse hard links; a copy keeps the promise at the cost of I/O.
            Files.copy(target, linkTmp, StandardCopyOption.REPLACE_EXISTING);
        }
        move(linkTmp, backup);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes {@code target} if it exists and makes the deletion durable; answers whether it existed. */
    public static boolean delete(Path target) throws IOException {
        boolean existed = Files.deleteIfExists(target);
        if (existed) {
            forceDirectory(target.toAbsolutePath().getParent());
        }
        return existed;
    }

    /** A short reason for an I/O failure, fit for a message to a person. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() == null ? "input/output error" : e.getMessage();
    }

    /** Forces a directory's entries to disk so a rename survives a power cut (a no-op where unsupported). */
    public static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform can open a directory; the file itself was already forced.
        }
    }
}

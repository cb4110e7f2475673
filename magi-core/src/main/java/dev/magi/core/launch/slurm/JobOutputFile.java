package dev.magi.core.launch.slurm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's output file read as it grows: each call returns the complete lines written since the last,
 * keeping the bytes of a line still being written for the next call (so a character cut between two
 * writes is decoded whole). The file lives on a shared file system that MAGI only reads; a file that
 * cannot be read is reported as one line of text (once, until it can be read again), never as a
 * failure of the server: the job may be fine and only its log out of reach. Lines longer than
 * {@value #MAX_LINE_BYTES} bytes are cut into pieces.
 */
final class JobOutputFile {
    static final int MAX_LINE_BYTES = 16 * 1024;
    private static final int CHUNK = 64 * 1024;

    private final Path file;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private long offset;
    private String lastProblem;

    JobOutputFile(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * What was read.
     *
     * @param lines   the new complete lines
     * @param problem why the file could not be read, when that is news; null otherwise
     */
    record Read(List<String> lines, String problem) {
        Read {
            lines = List.copyOf(lines);
        }
    }

    /**
     * The lines written since the last call.
     *
     * @param mustExist whether a missing file is a problem; before the job runs it is not there yet
     */
    Read readNew(boolean mustExist) {
        List<String> lines = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (channel.size() < offset) {
                // Truncated or replaced: start again from its beginning.
                offset = 0;
                partial.reset();
            }
            ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
            int read;
            while ((read = channel.read(buffer, offset)) > 0) {
                offset += read;
                buffer.flip();
                split(buffer, lines);
                buffer.clear();
            }
            lastProblem = null;
            return new Read(lines, null);
        } catch (NoSuchFileException e) {
            return problem(lines, mustExist ? "the job's output file " + file + " does not exist" : null);
        } catch (IOException | SecurityException e) {
            return problem(lines, "the job's output file " + file + " cannot be read: " + e);
        }
    }

    /** The unfinished last line, if any, once the job is over and will write no more. */
    List<String> rest() {
        if (partial.size() == 0) {
            return List.of();
        }
        String line = partial.toString(StandardCharsets.UTF_8);
        partial.reset();
        return List.of(line);
    }

    private void split(ByteBuffer buffer, List<String> lines) {
        while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n') {
                String line = partial.toString(StandardCharsets.UTF_8);
                partial.reset();
                lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            } else {
                partial.write(b);
                if (partial.size() >= MAX_LINE_BYTES) {
                    lines.add(partial.toString(StandardCharsets.UTF_8));
                    partial.reset();
                }
            }
        }
    }

    private Read problem(List<String> lines, String problem) {
        if (problem == null || problem.equals(lastProblem)) {
            return new Read(lines, null);
        }
        lastProblem = problem;
        return new Read(lines, problem);
    }
}

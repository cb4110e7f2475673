package dev.magi.core.launch.slurm;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A job's output file")
class JobOutputFileTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("is read as it grows, a line being written kept for the next read")
    void incremental() throws IOException {
        Path file = dir.resolve("job.out");
        JobOutputFile output = new JobOutputFile(file);
        append(file, "one\ntw");
        assertThat(output.readNew(true).lines()).containsExactly("one");
        append(file, "o\r\nthree\n");
        assertThat(output.readNew(true).lines()).containsExactly("two", "three");
        assertThat(output.readNew(true).lines()).isEmpty();
        append(file, "last words");
        assertThat(output.readNew(true).lines()).isEmpty();
        assertThat(output.rest()).containsExactly("last words");
    }

    @Test
    @DisplayName("decodes a character whose bytes arrive in two writes")
    void splitCharacter() throws IOException {
        Path file = dir.resolve("job.out");
        JobOutputFile output = new JobOutputFile(file);
        byte[] word = "café\n".getBytes(StandardCharsets.UTF_8);
        Files.write(file, Arrays.copyOf(word, word.length - 2));
        assertThat(output.readNew(true).lines()).isEmpty();
        Files.write(file, Arrays.copyOfRange(word, word.length - 2, word.length), StandardOpenOption.APPEND);
        assertThat(output.readNew(true).lines()).containsExactly("café");
    }

    @Test
    @DisplayName("that does not exist yet is no problem while the job waits, and one problem once it should")
    void missing() {
        JobOutputFile output = new JobOutputFile(dir.resolve("later.out"));
        assertThat(output.readNew(false).problem()).isNull();
        assertThat(output.readNew(true).problem()).contains("does not exist").contains("later.out");
        assertThat(output.readNew(true).problem()).as("reported once").isNull();
    }

    @Test
    @DisplayName("that cannot be read is reported as a line, and reading resumes when it can be")
    void unreadable() throws IOException {
        Path notAFile = Files.createDirectory(dir.resolve("a-directory.out"));
        JobOutputFile output = new JobOutputFile(notAFile);
        JobOutputFile.Read read = output.readNew(true);
        assertThat(read.lines()).isEmpty();
        assertThat(read.problem()).contains("cannot be read").contains("a-directory.out");
        Files.delete(notAFile);
        append(notAFile, "back\n");
        assertThat(output.readNew(true)).isEqualTo(new JobOutputFile.Read(List.of("back"), null));
    }

    @Test
    @DisplayName("cuts a line that never ends into pieces")
    void longLine() throws IOException {
        Path file = dir.resolve("job.out");
        append(file, "x".repeat(JobOutputFile.MAX_LINE_BYTES * 2 + 5));
        JobOutputFile output = new JobOutputFile(file);
        assertThat(output.readNew(true).lines()).hasSize(2).allMatch(l -> l.length() == JobOutputFile.MAX_LINE_BYTES);
        assertThat(output.rest()).containsExactly("xxxxx");
    }

    @Test
    @DisplayName("that was truncated is read again from its start")
    void truncated() throws IOException {
        Path file = dir.resolve("job.out");
        JobOutputFile output = new JobOutputFile(file);
        append(file, "a long first line\n");
        assertThat(output.readNew(true).lines()).hasSize(1);
        Files.writeString(file, "new\n");
        assertThat(output.readNew(true).lines()).containsExactly("new");
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}

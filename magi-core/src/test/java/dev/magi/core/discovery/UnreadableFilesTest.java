package dev.magi.core.discovery;

import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Files and directories without read permission. Root reads everything, so when the tests run as
 * root (as in CI) the scan runs in a child JVM as user {@code nobody}, started with {@code setpriv}.
 */
@DisplayName("Discovery of files it may not read")
class UnreadableFilesTest {
    private Path root;
    private Path models;

    @BeforeEach
    void files() throws IOException {
        // Not @TempDir: that directory is private to its owner, and the scan may run as another user.
        root = Files.createTempDirectory("magi-perm-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        models = Files.createDirectory(root.resolve("models"));
        models.toFile().setReadable(true, false);
        models.toFile().setExecutable(true, false);
        worldReadable(GgufWriter.typicalModel().writeTo(models.resolve("readable-1B.gguf")));
        Path secret = GgufWriter.typicalModel().writeTo(models.resolve("secret.gguf"));
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
        Path locked = Files.createDirectory(models.resolve("locked"));
        GgufWriter.typicalModel().writeTo(locked.resolve("inner-1B.gguf"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        Files.setPosixFilePermissions(models.resolve("locked"), PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    @Test
    @DisplayName("lists what it can and names each unreadable file and directory with its reason")
    void unreadable() throws Exception {
        List<String> lines = "root".equals(System.getProperty("user.name")) ? scanAsNobody() : scanHere();
        assertThat(lines).contains("MODEL\treadable-1B.gguf\t");
        assertThat(lines).anyMatch(l -> l.startsWith("SKIPPED\tsecret.gguf\t") && l.contains("permission denied"));
        assertThat(lines).anyMatch(l -> l.startsWith("SKIPPED\tlocked\t") && l.contains("permission denied"));
        assertThat(lines).noneMatch(l -> l.contains("inner-1B.gguf"));
    }

    private List<String> scanHere() {
        List<String> lines = new ArrayList<>();
        ScanResult result = new ModelScanner().scan(models);
        result.models().forEach(m -> lines.add("MODEL\t" + m.filename() + "\t"
                + String.join("; ", m.problemMessages())));
        result.skipped().forEach(s -> lines.add("SKIPPED\t" + Path.of(s.path()).getFileName() + "\t" + s.reason()));
        return lines;
    }

    private List<String> scanAsNobody() throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        assumeTrue(Files.isExecutable(setpriv), "running as root without setpriv: cannot drop privileges");
        // The class path lives under root's home, which nobody cannot read: give the child a copy.
        List<String> classPath = new ArrayList<>();
        Path copies = Files.createDirectory(root.resolve("classpath"));
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = copies.resolve(n++ + "-" + source.getFileName());
            copyTree(source, target);
            classPath.add(target.toString());
        }
        Process process = new ProcessBuilder(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classPath),
                ScanToStdout.class.getName(), models.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output.lines().filter(l -> l.startsWith("MODEL\t") || l.startsWith("SKIPPED\t")).toList();
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy);
                }
                worldReadable(copy);
            }
        }
    }

    private static void worldReadable(Path path) throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
    }
}

package dev.magi.core.launch.slurm;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The job script run by bash, as a node would run it, with a stand-in for llama-server that writes
 * down the arguments and variable it received and a stand-in for scontrol that writes down its own.
 */
@DisplayName("The job script")
class JobScriptTest {
    private static final String HOSTILE = "/models/my model's \"best\" $HOME `id` \\ ; * !.gguf";

    @TempDir
    Path dir;

    private Path server;
    private Path bin;

    @BeforeEach
    void standIns() throws IOException {
        server = executable(dir.resolve("llama server"), "#!/bin/bash\n"
                + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$ARGS_FILE\"\n"
                + "printf '%s' \"$SECRET_VALUE\" > \"$ARGS_FILE.env\"\n");
        bin = Files.createDirectory(dir.resolve("bin"));
        executable(bin.resolve("scontrol"), "#!/bin/bash\n"
                + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$SCONTROL_FILE\"\n");
    }

    @Test
    @DisplayName("passes every argument to llama-server as it was, however it is quoted, then the host and its port")
    void arguments() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SECRET_VALUE", "it's $PATH `x`");
        List<String> lines = run(List.of(server.toString(), "--model", HOSTILE, "--alias", "m1"), env);

        List<String> args = Files.readAllLines(dir.resolve("args"));
        assertThat(args.subList(0, 6)).containsExactly("--model", HOSTILE, "--alias", "m1", "--host", "0.0.0.0");
        assertThat(args.get(6)).isEqualTo("--port");
        int port = Integer.parseInt(args.get(7));
        assertThat(port).isBetween(JobScript.FIRST_PORT, JobScript.FIRST_PORT + JobScript.PORT_COUNT - 1);
        assertThat(Files.readString(dir.resolve("args.env"))).isEqualTo("it's $PATH `x`");

        String endpoint = lines.get(0).substring(EndpointLine.PREFIX.length());
        assertThat(EndpointLine.parse(lines.get(0))).isPresent().get().extracting(URI::getPort).isEqualTo(port);
        assertThat(Files.readAllLines(dir.resolve("scontrol"))).containsExactly("update", "JobId=31337",
                "Comment=magi install=inst-1 model=m1 endpoint=" + endpoint);
    }

    @Test
    @DisplayName("refuses a variable name the shell would misread")
    void badVariable() {
        assertThatThrownBy(() -> JobScript.render(new JobComment("i", "m", null), List.of("x"), Map.of("A B", "1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A B");
    }

    @Test
    @DisplayName("quotes a value with single quotes, and a single quote inside it apart")
    void quoting() {
        assertThat(ShellQuote.quote("a b")).isEqualTo("'a b'");
        assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\\''s'");
        assertThatThrownBy(() -> ShellQuote.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    private List<String> run(List<String> command, Map<String, String> env) throws Exception {
        String script = JobScript.render(new JobComment("inst-1", "m1", null), command, env);
        Path file = dir.resolve("job.sh");
        Files.writeString(file, script);
        ProcessBuilder builder = new ProcessBuilder("bash", file.toString()).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.environment().put("SLURM_JOB_ID", "31337");
        builder.environment().put("ARGS_FILE", dir.resolve("args").toString());
        builder.environment().put("SCONTROL_FILE", dir.resolve("scontrol").toString());
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    private static Path executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}

package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * MAGI started as a real child process (a JVM of its own, as a user starts it), its output collected
 * line by line, and its address read from the "listening" line it logs.
 */
final class MagiProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("MAGI listening on (http://\\S+)");

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CompletableFuture<URI> uri = new CompletableFuture<>();
    private final Thread reader;

    private MagiProcess(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Whatever the developer's shell sets must not reach the MAGI under test.
        for (ConfigKey key : ConfigKey.values()) {
            builder.environment().remove(key.variable());
        }
        process = builder.start();
        reader = new Thread(this::readOutput, "magi-child-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code java -cp CLASSPATH dev.magi.standalone.MagiMain ARGS}. */
    static MagiProcess fromClasspath(String classpath, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-cp", classpath, MagiMain.class.getName()));
        command.addAll(List.of(args));
        return new MagiProcess(command);
    }

    /** {@code java -jar JAR ARGS}. */
    static MagiProcess fromJar(Path jar, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        return new MagiProcess(command);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    uri.complete(URI.create(m.group(1)));
                }
            }
        } catch (IOException e) {
            // The process is gone; what was read is kept.
        } finally {
            uri.completeExceptionally(
                    new IllegalStateException("MAGI exited without listening:\n" + String.join("\n", lines)));
        }
    }

    /** Waits for the "listening" line and answers the address in it. */
    URI awaitListening() throws Exception {
        return uri.get(60, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and waits for the exit code. */
    int terminate() throws InterruptedException {
        // ProcessHandle.destroy() is SIGTERM on Linux and macOS, as Process.destroy() is, but leaves the
        // output stream open, so what MAGI logs while it stops is read too.
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("MAGI did not stop within 30 s of SIGTERM:\n" + output());
        }
        return process.exitValue();
    }

    /** Waits for the process to end by itself and answers the exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("MAGI did not exit:\n" + output());
        }
        return process.exitValue();
    }

    /** Everything printed so far; once the process has exited, everything it printed. */
    String output() {
        if (!process.isAlive()) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return String.join("\n", lines);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

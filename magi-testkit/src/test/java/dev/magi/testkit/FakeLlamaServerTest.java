package dev.magi.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.Proxy;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The fake llama-server")
class FakeLlamaServerTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("answers 503 while loading, then 200, and exits 0 on SIGTERM")
    void loadsThenServes() throws Exception {
        Path model = GgufWriter.typicalModel().writeTo(dir.resolve("model.gguf"));
        Path launcher = FakeLlamaServer.launcher().loadMillis(3_000).writeTo(dir.resolve("llama-server"));
        int port = FreePorts.rangeStart(1);
        Process process = new ProcessBuilder(launcher.toString(), "--model", model.toString(),
                "--host", "127.0.0.1", "--port", Integer.toString(port)).redirectErrorStream(true).start();
        try {
            assertThat(awaitStatus(port, 503)).contains("Loading model").contains("unavailable_error");
            assertThat(awaitStatus(port, 200)).isEqualTo("{\"status\":\"ok\"}");
            process.destroy();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isZero();
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    @DisplayName("exits 1 with llama-server's message when its port is taken")
    void portTaken() throws Exception {
        Path model = GgufWriter.typicalModel().writeTo(dir.resolve("model.gguf"));
        Path launcher = FakeLlamaServer.launcher().writeTo(dir.resolve("llama-server"));
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Process process = new ProcessBuilder(launcher.toString(), "--model", model.toString(),
                    "--host", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort())).start();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            assertThat(new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("couldn't bind HTTP server socket");
        }
    }

    /** Polls /health until it answers {@code status}; answers the body. */
    private static String awaitStatus(int port, int status) {
        return Eventually.awaitValue(Duration.ofSeconds(20), "/health to answer " + status,
                () -> health(port, status), body -> body != null);
    }

    /** The body of /health when it answers {@code status}; null when it answers another or is not listening. */
    private static String health(int port, int status) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/health")
                .openConnection(Proxy.NO_PROXY);
        try {
            if (connection.getResponseCode() == status) {
                var body = status < 400 ? connection.getInputStream() : connection.getErrorStream();
                return new String(body.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException refused) {
            // Not listening yet.
        } finally {
            connection.disconnect();
        }
        return null;
    }
}

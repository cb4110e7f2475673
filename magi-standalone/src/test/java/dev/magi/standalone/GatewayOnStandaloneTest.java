package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.FakeLlamaServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The standalone server's gateway, at the root, with the fake llama-server")
class GatewayOnStandaloneTest {
    private static final String MODEL = "small-1b-q4_k_m";

    @TempDir
    Path dir;
    private MagiServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("answers a chat completion at /v1 from a model it starts on demand, and llama-server's /tokenize")
    void chatAtTheRoot() throws Exception {
        server = start(FakeLlamaServer.launcher(), "30");
        Http http = new Http(server.uri());

        Http.Reply chat = http.send("POST", "/v1/chat/completions", "{\"model\":\"" + MODEL
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chat.status()).as(chat.body()).isEqualTo(200);
        assertThat(chat.json().path("choices").get(0).path("message").path("content").asText())
                .isEqualTo("fake answer from " + MODEL);

        Http.Reply tokenize = http.send("POST", "/tokenize", "{\"model\":\"" + MODEL + "\",\"content\":\"hi\"}");
        assertThat(tokenize.status()).as(tokenize.body()).isEqualTo(200);
        assertThat(tokenize.json().path("path").asText()).isEqualTo("/tokenize");

        Http.Reply unknown = http.send("POST", "/v1/chat/completions", "{\"model\":\"nope\"}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().path("error").path("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    @DisplayName("a stream whose server is silent for longer than --http-idle-timeout arrives whole: the silence is"
            + " llama-server's, not the client's")
    void silentServerIsNotAnIdleClient() throws Exception {
        server = start(FakeLlamaServer.launcher().stream(3, 2_500), "1");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve("/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"model\":\""
                        + MODEL + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();

        HttpResponse<Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());

        assertThat(response.statusCode()).isEqualTo(200);
        List<String> events = response.body().filter(line -> !line.isEmpty()).toList();
        assertThat(events).hasSize(4);
        assertThat(events.get(2)).contains("tok2");
        assertThat(events.get(3)).isEqualTo("data: [DONE]");
    }

    /** The standalone over one model whose llama-server is the fake, with {@code --http-idle-timeout}. */
    private MagiServer start(FakeLlamaServer.Launcher fake, String idleTimeoutSeconds) throws Exception {
        MagiEngine engine = FakeServedEngine.builder(dir, fake, List.of("Small-1B-Q4_K_M"))
                .set(ConfigKey.HTTP_IDLE_TIMEOUT, idleTimeoutSeconds)
                .build();
        return MagiServer.newServer(engine, "127.0.0.1", 0).start();
    }
}

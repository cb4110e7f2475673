package dev.magi.standalone;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.testkit.CapturedStderr;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.RawHttp;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bytes of all bodies being gathered at once are bounded, not only each body: clients that each
 * send all but the end of a body cannot make MAGI hold more than the budget. Over real HTTP against
 * the handler in a Jetty of its own, with a budget of 1,000 bytes.
 */
@DisplayName("Request bodies gathered before the API runs: their budget, and clients that go away")
class RequestBodyHandlerTest {
    private static final long BUDGET = 1000;

    private Server jetty;
    private RequestBodyHandler bodies;
    private int port;

    @BeforeEach
    void start() throws Exception {
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        Handler echo = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request);
                response.setStatus(200);
                Content.Sink.write(response, true, "got " + body.length(), callback);
                return true;
            }
        };
        bodies = new RequestBodyHandler(echo, Duration.ofSeconds(60), BUDGET);
        jetty.setHandler(bodies);
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stop() throws Exception {
        jetty.stop();
    }

    @Test
    @DisplayName("a body whose Content-Length would pass the budget is answered 503 with Retry-After at once;"
            + " the budget comes back once the body it held has arrived")
    void declaredLength() throws Exception {
        try (RawHttp holder = RawHttp.connect(port);
             RawHttp refused = RawHttp.connect(port);
             RawHttp later = RawHttp.connect(port)) {
            holder.sendJsonHead("POST", "/x", 800);
            holder.send("a".repeat(100));
            Eventually.await("the first body to take its 800 bytes", () -> bodies.gatheringBytes() == 800);

            refused.sendJsonHead("POST", "/x", 800);
            RawHttp.Reply busy = refused.read();
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.headers()).containsEntry("retry-after", "5");
            assertThat(busy.body()).contains("\"error\":\"ServiceUnavailable\"").contains("at once");

            holder.send("a".repeat(700));
            RawHttp.Reply served = holder.read();
            assertThat(served.status()).isEqualTo(200);
            assertThat(served.body()).isEqualTo("got 800");
            Eventually.await("the budget to come back", () -> bodies.gatheringBytes() == 0);

            later.sendJsonHead("POST", "/x", 800);
            later.send("b".repeat(800));
            assertThat(later.read().body()).isEqualTo("got 800");
        }
    }

    @Test
    @DisplayName("on a gateway path, the refusal for the budget is in OpenAI's error shape, with Retry-After")
    void declaredLengthOnTheGateway() throws Exception {
        try (RawHttp holder = RawHttp.connect(port);
             RawHttp refused = RawHttp.connect(port)) {
            holder.sendJsonHead("POST", "/v1/chat/completions", 800);
            Eventually.await("the first body to take its 800 bytes", () -> bodies.gatheringBytes() == 800);

            refused.sendJsonHead("POST", "/v1/chat/completions", 800);
            RawHttp.Reply busy = refused.read();
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.headers()).containsEntry("retry-after", "5");
            JsonNode error = Http.JSON.readTree(busy.body()).path("error");
            assertThat(error.path("type").asText()).as(busy.body()).isEqualTo("server_error");
            assertThat(error.path("message").asText()).contains("at once");
        }
    }

    @Test
    @DisplayName("a body over the API's limit is read to its end and handed on without its bytes, for the API to"
            + " refuse it")
    void tooLargeForTheApi() throws Exception {
        int size = 2 * 1024 * 1024;
        try (RawHttp client = RawHttp.connect(port)) {
            client.sendJsonHead("POST", "/api/x", size);
            client.send(" ".repeat(size));
            RawHttp.Reply reply = client.read();
            assertThat(reply.body()).isEqualTo("got 0");
        }
    }

    @Test
    @DisplayName("a body over the API's limit on a gateway path is handed on as it comes: the gateway reads it")
    void tooLargeForTheApiOnTheGateway() throws Exception {
        int size = 2 * 1024 * 1024;
        try (RawHttp client = RawHttp.connect(port)) {
            client.sendJsonHead("POST", "/v1/chat/completions", size);
            client.send(" ".repeat(size));
            assertThat(client.read().body()).isEqualTo("got " + size);
        }
    }

    @Test
    @DisplayName("a chunked body is counted as its chunks come, and refused when they would pass the budget")
    void chunked() throws Exception {
        try (RawHttp holder = RawHttp.connect(port);
             RawHttp refused = RawHttp.connect(port)) {
            sendChunkedHead(holder);
            holder.send(chunk(600));
            Eventually.await("the chunked body to take 600 bytes", () -> bodies.gatheringBytes() == 600);

            sendChunkedHead(refused);
            refused.send(chunk(600));
            assertThat(refused.read().status()).isEqualTo(503);

            holder.send("0\r\n\r\n");
            assertThat(holder.read().body()).isEqualTo("got 600");
            Eventually.await("the budget to come back", () -> bodies.gatheringBytes() == 0);
        }
    }

    @Test
    @DisplayName("a client that goes away part-way through its body gives its budget back, and costs one log"
            + " line, not a stack trace")
    void clientGoesAway() throws Exception {
        try (CapturedStderr log = new CapturedStderr()) {
            RawHttp quitter = RawHttp.connect(port);
            quitter.sendJsonHead("POST", "/x", 900);
            quitter.send("a".repeat(10));
            Eventually.await("the body to take its 900 bytes", () -> bodies.gatheringBytes() == 900);
            quitter.close();
            Eventually.await("the budget to come back", () -> bodies.gatheringBytes() == 0);
            Eventually.await("the early end to be logged", () -> log.text().contains("ended before it was complete"));
            assertThat(log.text().lines().filter(line -> line.contains("ended before"))).hasSize(1);
            assertThat(log.text()).doesNotContain("\tat ").doesNotContain("ERROR");
        }
    }

    @Test
    @DisplayName("a server stopping while bodies are unfinished logs no stack trace for them")
    void stopWithUnfinishedBodies() throws Exception {
        try (CapturedStderr log = new CapturedStderr();
             RawHttp first = RawHttp.connect(port);
             RawHttp second = RawHttp.connect(port)) {
            first.sendJsonHead("POST", "/x", 400);
            first.send("a".repeat(10));
            second.sendJsonHead("POST", "/x", 400);
            second.send("b".repeat(10));
            Eventually.await("both bodies to be gathering", () -> bodies.gatheringBytes() == 800);
            jetty.stop();
            assertThat(log.text()).doesNotContain("\tat ").doesNotContain("ERROR");
        }
    }

    private static void sendChunkedHead(RawHttp connection) throws Exception {
        connection.send("POST /x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n");
    }

    private static String chunk(int size) {
        return Integer.toHexString(size) + "\r\n" + "c".repeat(size) + "\r\n";
    }
}

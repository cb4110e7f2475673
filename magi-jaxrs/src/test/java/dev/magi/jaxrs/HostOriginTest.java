package dev.magi.jaxrs;

import dev.magi.core.config.ConfigKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.magi.jaxrs.ApiFixture.FAST;
import static dev.magi.jaxrs.ApiFixture.assertError;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without an API key, a web page the user visits must not drive MAGI: not by a cross-site request
 * (its Origin is another site's) nor through DNS rebinding (its Host is the attacker's name).
 */
@DisplayName("Without an API key, MAGI over HTTP")
class HostOriginTest {
    private static final String STOP_ALL = "/api/models/servers/stop-all";

    @TempDir
    Path dir;
    ApiFixture magi;

    @AfterEach
    void stop() throws Exception {
        if (magi != null) {
            magi.close();
        }
    }

    @Test
    @DisplayName("refuses a request naming another host with 403 Forbidden, whatever its method")
    void evilHost() throws Exception {
        magi = ApiFixture.start(dir);

        String post = raw("POST", STOP_ALL, "evil.example", null);
        assertThat(post).startsWith("HTTP/1.1 403").contains("\"error\":\"Forbidden\"").contains("evil.example");
        assertThat(raw("GET", "/api/models/registry", "evil.example:" + port(), null))
                .startsWith("HTTP/1.1 403").contains("\"error\":\"Forbidden\"");
        assertThat(raw("GET", "/", "evil.example", null)).startsWith("HTTP/1.1 403");
    }

    @Test
    @DisplayName("answers the localhost names and the bound address, with or without the port")
    void localHosts() throws Exception {
        magi = ApiFixture.start(dir);

        for (String host : new String[] {"localhost", "localhost:" + port(), "127.0.0.1", "[::1]:" + port()}) {
            assertThat(raw("POST", STOP_ALL, host, null)).as(host).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    @DisplayName("answers a name listed in --allowed-hosts, and any name with *")
    void allowedHosts() throws Exception {
        magi = ApiFixture.withSettings(dir, b -> b.set(ConfigKey.ALLOWED_HOSTS, "magi.example"));
        assertThat(raw("POST", STOP_ALL, "magi.example", null)).startsWith("HTTP/1.1 200");
        assertThat(raw("POST", STOP_ALL, "other.example", null)).startsWith("HTTP/1.1 403");
        magi.close();

        magi = ApiFixture.withSettings(dir.resolve("any"), b -> b.set(ConfigKey.ALLOWED_HOSTS, "*"));
        assertThat(raw("POST", STOP_ALL, "evil.example", null)).startsWith("HTTP/1.1 200");
    }

    @Test
    @DisplayName("refuses a state-changing request from another origin with 403 Forbidden")
    void evilOrigin() throws Exception {
        magi = ApiFixture.start(dir);

        assertError(magi.api.send("POST", STOP_ALL, (String) null, "Origin", "http://evil.example"), 403,
                "Forbidden");
        assertError(magi.api.send("PUT", "/api/models/" + FAST + "/enabled", "{\"enabled\": true}",
                "Origin", "http://evil.example"), 403, "Forbidden");
        assertError(magi.api.send("DELETE", "/api/models/profiles/any", (String) null, "Origin", "null"), 403,
                "Forbidden");
        assertError(magi.api.send("POST", STOP_ALL, (String) null, "Origin", "http://localhost:1"), 403,
                "Forbidden");
        assertThat(magi.api.get("/api/models/registry").json().findValuesAsText("enabled")).doesNotContain("true");
    }

    @Test
    @DisplayName("lets a request from its own origin or without an Origin change state, and reads from anywhere")
    void ownOrigin() throws Exception {
        magi = ApiFixture.start(dir);
        String own = "http://127.0.0.1:" + port();

        assertThat(magi.api.send("POST", STOP_ALL, (String) null, "Origin", own).status()).isEqualTo(200);
        assertThat(magi.api.send("POST", STOP_ALL, (String) null).status()).isEqualTo(200);
        assertThat(magi.api.send("PUT", "/api/models/" + FAST + "/enabled", "{\"enabled\": true}",
                "Origin", own).status()).isEqualTo(200);
        assertThat(magi.api.get("/api/models/registry", "Origin", "http://evil.example").status()).isEqualTo(200);
    }

    @Test
    @DisplayName("lets an origin listed in --allowed-origins change state")
    void allowedOrigins() throws Exception {
        magi = ApiFixture.withSettings(dir, b -> b.set(ConfigKey.ALLOWED_ORIGINS, "https://tools.example"));

        assertThat(magi.api.send("POST", STOP_ALL, (String) null, "Origin", "https://tools.example").status())
                .isEqualTo(200);
        assertError(magi.api.send("POST", STOP_ALL, (String) null, "Origin", "http://evil.example"), 403,
                "Forbidden");
    }

    @Test
    @DisplayName("serves the page so that no other site may frame it")
    void pageHeaders() throws Exception {
        magi = ApiFixture.start(dir);

        for (String path : new String[] {"/", "/index.html", "/app.js"}) {
            ApiServer.Reply reply = magi.api.get(path);
            assertThat(reply.status()).as(path).isEqualTo(200);
            assertThat(reply.header("X-Frame-Options")).as(path).isEqualTo("DENY");
            assertThat(reply.header("Content-Security-Policy")).as(path).isEqualTo("frame-ancestors 'none'");
            assertThat(reply.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
        }
    }

    private int port() {
        return magi.api.uri("/").getPort();
    }

    /** A request over a plain socket: the JDK's client will not send a Host header of its choosing. */
    private String raw(String method, String path, String host, String origin) throws IOException {
        URI base = magi.api.uri("/");
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            String request = method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n")
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

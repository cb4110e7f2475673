package dev.magi.jaxrs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The WebUI's files as a browser gets them. The page is split into ES modules: one a browser cannot
 * load (a name the resource refuses, a wrong content type) would leave the page blank, so every
 * module reachable from {@code app.js} is fetched here, and the page must preload each of them.
 */
@DisplayName("The WebUI's files")
class WebUiTest {
    private static final Pattern IMPORT = Pattern.compile("^import \\{[^}]*} from '\\./([^']+)';$", Pattern.MULTILINE);
    private static final Pattern PRELOAD = Pattern.compile("<link rel=\"modulepreload\" href=\"([^\"]+)\">");

    @TempDir
    Path dir;
    ApiFixture magi;

    @BeforeEach
    void start() throws Exception {
        magi = ApiFixture.start(dir);
    }

    @AfterEach
    void stop() throws Exception {
        magi.close();
    }

    @Test
    @DisplayName("are the page at /, as HTML revalidated at every load and never sniffed")
    void page() throws Exception {
        ApiServer.Reply reply = magi.api.get("/");

        assertThat(reply.status()).isEqualTo(200);
        assertServed(reply, "text/html");
        assertThat(reply.raw().body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        ApiServer.Reply style = magi.api.get("/style.css");
        assertThat(style.status()).isEqualTo(200);
        assertServed(style, "text/css");
    }

    @Test
    @DisplayName("serve every module the page imports as JavaScript, and the page preloads each of them")
    void modules() throws Exception {
        Set<String> imported = new TreeSet<>();
        Deque<String> unread = new ArrayDeque<>();
        unread.add("app.js");
        while (!unread.isEmpty()) {
            String module = unread.pop();
            ApiServer.Reply reply = magi.api.get("/" + module);
            assertThat(reply.status()).as(module).isEqualTo(200);
            assertServed(reply, "text/javascript");
            Matcher imports = IMPORT.matcher(reply.raw().body());
            while (imports.find()) {
                if (imported.add(imports.group(1))) {
                    unread.add(imports.group(1));
                }
            }
        }
        assertThat(imported).contains("api.js", "models.js", "system.js", "profiles.js").doesNotContain("app.js");

        Set<String> preloaded = new TreeSet<>();
        Matcher preloads = PRELOAD.matcher(magi.api.get("/").raw().body());
        while (preloads.find()) {
            preloaded.add(preloads.group(1));
        }
        assertThat(preloaded).isEqualTo(imported);
    }

    @Test
    @DisplayName("serve the chart library from its WebJar under vendor/, and nothing else of the class path there")
    void vendorFiles() throws Exception {
        ApiServer.Reply chart = magi.api.get("/vendor/uPlot.esm.js");
        assertThat(chart.status()).isEqualTo(200);
        assertServed(chart, "text/javascript");
        assertThat(chart.raw().body().contains("export { uPlot as default }")).as("uPlot's ES module").isTrue();
        ApiServer.Reply style = magi.api.get("/vendor/uPlot.min.css");
        assertThat(style.status()).isEqualTo(200);
        assertServed(style, "text/css");
        assertThat(magi.api.get("/").raw().body()).contains("href=\"vendor/uPlot.min.css\"");

        for (String other : List.of("/vendor/uPlot.cjs.js", "/vendor/app.js", "/vendor/LICENSE.css")) {
            ApiServer.Reply refused = magi.api.get(other);
            assertThat(refused.status()).as(other).isEqualTo(404);
            assertThat(refused.json().path("error").asText()).as(other).isEqualTo("NotFound");
        }
    }

    private static void assertServed(ApiServer.Reply reply, String mediaType) {
        assertThat(reply.header("Content-Type")).startsWith(mediaType + ";").endsWith("charset=utf-8");
        assertThat(reply.header("Cache-Control")).contains("no-cache");
        assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }
}

package dev.magi.standalone.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.discovery.ModelIds;
import dev.magi.core.engine.MagiEngine;
import dev.magi.standalone.MagiServer;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The WebUI's Gateway page in Debian's headless Chromium, against the standalone server on a free
 * port whose servers are played by the fake llama-server; requests go through the real gateway.
 * Skipped like {@link WebUiBrowserTest} where Chromium is not installed, never in CI.
 *
 * <p>Some fields of the page come from parts of the API that may not exist yet in a given build
 * ({@code startedBy}, {@code pinned}, {@code idleExpiresAt}, a model's {@code estimatedMemoryBytes},
 * the top-level {@code memory}): the page shows a dash without them. The checks read the API's
 * answer first and expect the value when the API has it, the dash only when it has not.
 */
@DisplayName("The WebUI's Gateway page in headless Chromium")
class GatewayPageBrowserTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    private static final String SMALL = "small-1b-q4_k_m";
    private static final String QWEN = "qwen2.5-7b-instruct-q4_k_m";
    private static final String DASH = "—";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HeadlessChromium chromium;
    private static String unavailable;

    @TempDir
    Path dir;
    private MagiServer server;
    private WebDriver driver;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startBrowser() {
        unavailable = HeadlessChromium.whyUnavailable().orElse(null);
        if (unavailable == null) {
            chromium = HeadlessChromium.start();
        } else if ("true".equals(System.getenv("CI"))) {
            fail(unavailable + ": CI installs them (.ci/run), so the browser tests must run there");
        }
    }

    @AfterAll
    static void stopBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @BeforeEach
    void setUp() {
        assumeTrue(chromium != null, () -> "skipped: " + unavailable);
        driver = chromium.driver();
        chromium.viewport(HeadlessChromium.DESKTOP);
    }

    @AfterEach
    void tearDown(TestInfo test) {
        if (server != null) {
            chromium.screenshot(SCREENSHOTS.resolve("last-gateway-" + test.getTestMethod().orElseThrow().getName() + ".png"));
            driver.get("about:blank");
            server.close();
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @DisplayName("lists a running model with its state, its traffic as it changes, and the fields the API has")
    void runningModel() throws Exception {
        Path gate = dir.resolve("stream-gate");
        startServer(fake -> fake.streamGate(gate), "Small-1B-Q4_K_M.gguf");
        server.engine().registry().setEnabled(SMALL, true);
        openGateway();

        // A streamed answer held after its first chunk: the model runs, on demand, one request in flight.
        CompletableFuture<HttpResponse<String>> held = chat(SMALL, true);
        waitForField(SMALL, "state", "ready");
        waitForField(SMALL, "inFlight", "1");
        assertThat(field(SMALL, "queued")).isEqualTo("0");
        assertThat(field(SMALL, "slots")).isEqualTo("1");
        assertThat(field(SMALL, "healthy")).isEqualTo("yes");
        chromium.screenshot(SCREENSHOTS.resolve("gateway-1280x800.png"));

        // Its one slot is taken: a second request waits in its queue.
        CompletableFuture<HttpResponse<String>> waiting = chat(SMALL, false);
        waitForField(SMALL, "queued", "1");

        Files.createFile(gate);
        assertThat(held.get().statusCode()).isEqualTo(200);
        assertThat(waiting.get().statusCode()).isEqualTo(200);
        waitForField(SMALL, "inFlight", "0");
        waitForField(SMALL, "queued", "0");

        JsonNode servers = get("api/models/servers");
        JsonNode record = servers.path("servers").get(0);
        assertThat(record.path("modelId").asText()).isEqualTo(SMALL);
        assertThat(field(SMALL, "startedBy")).isEqualTo(record.hasNonNull("startedBy") ? record.get("startedBy").asText() : DASH);
        assertThat(field(SMALL, "pinned")).isEqualTo(!record.hasNonNull("pinned") ? DASH
                : record.get("pinned").asBoolean() ? "yes" : "no");
        if (record.hasNonNull("idleExpiresAt")) {
            assertThat(field(SMALL, "idle")).matches("\\d+m \\d{2}s|\\d+s");
        } else {
            assertThat(field(SMALL, "idle")).isEqualTo(DASH);
        }
        JsonNode model = get("api/models/registry").path("models").path(SMALL);
        if (model.hasNonNull("estimatedMemoryBytes")) {
            assertThat(field(SMALL, "memory")).matches("[\\d.]+ (B|KiB|MiB|GiB|TiB)");
        } else {
            assertThat(field(SMALL, "memory")).isEqualTo(DASH);
        }
        WebElement bar = driver.findElement(By.id("memory-bar"));
        if (servers.path("memory").hasNonNull("budgetBytes") && servers.path("memory").path("budgetBytes").asLong() > 0) {
            assertThat(bar.isDisplayed()).isTrue();
            assertThat(driver.findElement(By.id("memory-text")).getText()).contains(" reserved");
        } else {
            assertThat(bar.isDisplayed()).isFalse();
            assertThat(driver.findElement(By.id("memory-text")).getText()).startsWith("No budget data");
        }
    }

    @Test
    @DisplayName("shows a request made through /v1 in the last requests, and draws it in the charts")
    void requestsAndChart() throws Exception {
        startServer(UnaryOperator.identity(), "Small-1B-Q4_K_M.gguf");
        server.engine().registry().setEnabled(SMALL, true);
        openGateway();
        waiting("the charts to be drawn").until(d -> plotted("chart-requests") != null && plotted("chart-tokens") != null);
        assertThat(plotted("chart-requests")).as("nothing drawn before any request").isZero();
        assertThat(driver.findElement(By.id("requests-empty")).isDisplayed()).isTrue();

        assertThat(chat(SMALL, false).get().statusCode()).isEqualTo(200);

        WebElement row = waiting("the request in the table").until(d -> d.findElement(
                By.cssSelector("#requests-table tbody tr")));
        assertThat(row.findElement(By.cssSelector("[data-field=asked]")).getText()).isEqualTo(SMALL);
        assertThat(row.findElement(By.cssSelector("[data-field=model]")).getText()).isEqualTo(SMALL);
        assertThat(row.findElement(By.cssSelector("[data-field=route]")).getText()).isEqualTo("model");
        assertThat(row.findElement(By.cssSelector("[data-field=status]")).getText()).isEqualTo("200");
        assertThat(row.findElement(By.cssSelector("[data-field=tokens]")).getText()).isEqualTo("3 / 4");
        assertThat(row.findElement(By.cssSelector("[data-field=totalMs]")).getText()).matches("\\d+");
        assertThat(driver.findElement(By.id("requests-empty")).isDisplayed()).isFalse();

        // One request of the fast tier, in one 5 s bin: 0.2 requests and 0.8 tokens (4 written) per second.
        waiting("the request in the charts").until(d -> plotted("chart-requests") > 0);
        assertThat(plotted("chart-requests")).isCloseTo(0.2, offset(1e-9));
        waiting("the tokens in the charts").until(d -> plotted("chart-tokens") > 0);
        assertThat(plotted("chart-tokens")).isCloseTo(0.8, offset(1e-9));
        assertThat(driver.findElements(By.cssSelector("#chart-requests canvas"))).isNotEmpty();
    }

    @Test
    @DisplayName("streams an answer into the playground as it is written, shows the route, and an error as a message")
    void playground() throws Exception {
        Path gate = dir.resolve("stream-gate");
        startServer(fake -> fake.streamGate(gate).failChat(QWEN), "Small-1B-Q4_K_M.gguf",
                "Qwen2.5-7B-Instruct-Q4_K_M.gguf");
        server.engine().registry().setEnabled(SMALL, true);
        // The other model is not enabled, so auto has one candidate; /v1 still answers for it by its id.
        openGateway();
        waiting("the choices").until(d -> d.findElements(By.cssSelector("#pg-model option[value=auto]")).size() == 1
                && d.findElements(By.cssSelector("#pg-model option[value='" + SMALL + "']")).size() == 1
                && d.findElements(By.cssSelector("#pg-model option[value='" + QWEN + "']")).size() == 1);
        assertThat(new Select(driver.findElement(By.id("pg-model"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("auto");

        driver.findElement(By.id("pg-prompt")).sendKeys("What is Python?");
        click(By.id("pg-send"));

        WebElement answer = driver.findElement(By.id("pg-answer"));
        waiting("the first chunk").until(d -> answer.getText().contains("tok0"));
        assertThat(answer.getAttribute("data-state")).isEqualTo("streaming");
        assertThat(answer.getText()).doesNotContain("tok4");
        String route = driver.findElement(By.id("pg-route")).getText();
        assertThat(route).contains("Model\n" + SMALL, "Route\nauto", "Tier\nfast", "Score\n0.6500");
        chromium.screenshot(SCREENSHOTS.resolve("playground-streaming-1280x800.png"));

        Files.createFile(gate);
        waiting("the whole answer").until(d -> "done".equals(answer.getAttribute("data-state")));
        assertThat(answer.getText()).isEqualTo("tok0 tok1 tok2 tok3 tok4 ");
        assertThat(driver.findElement(By.id("pg-error")).isDisplayed()).isFalse();

        // The model's server answers an error: its message is shown, as text.
        new Select(driver.findElement(By.id("pg-model"))).selectByValue(QWEN);
        click(By.id("pg-send"));
        waiting("the error").until(d -> "failed".equals(answer.getAttribute("data-state")));
        assertThat(driver.findElement(By.id("pg-error")).getText()).isEqualTo("fake failure of " + QWEN + " (500)");
        assertThat(driver.findElement(By.id("pg-route")).getText()).contains("Model\n" + QWEN, "Route\nmodel");
    }

    @Test
    @DisplayName("sends the key the page holds for /api to /v1 too, when MAGI wants one")
    void apiKey() throws Exception {
        startServer(UnaryOperator.identity(), Map.of(ConfigKey.API_KEY, "open-sesame"), "Small-1B-Q4_K_M.gguf");
        server.engine().registry().setEnabled(SMALL, true);
        driver.get(server.uri().resolve("#gateway").toString());
        WebElement dialog = driver.findElement(By.id("key-dialog"));
        waiting("the key dialog").until(d -> dialog.isDisplayed());
        driver.findElement(By.id("key-input")).sendKeys("open-sesame", Keys.ENTER);
        waiting("the key dialog to close").until(d -> !dialog.isDisplayed());
        waiting("the choices").until(d -> d.findElements(By.cssSelector("#pg-model option[value='" + SMALL + "']")).size() == 1);

        new Select(driver.findElement(By.id("pg-model"))).selectByValue(SMALL);
        driver.findElement(By.id("pg-prompt")).sendKeys("hello");
        click(By.id("pg-send"));

        WebElement answer = driver.findElement(By.id("pg-answer"));
        waiting("the whole answer").until(d -> "done".equals(answer.getAttribute("data-state")));
        assertThat(answer.getText()).isEqualTo("tok0 tok1 tok2 tok3 tok4 ");
        assertThat(dialog.isDisplayed()).as("not asked for the key again").isFalse();
    }

    @Test
    @DisplayName("shows a model name and an asked name that hold HTML as text, never as HTML")
    void hostileNames() throws Exception {
        String name = "<img src=x onerror=window.pwned=1>";
        String id = ModelIds.fromBaseName(name);
        startServer(UnaryOperator.identity(), name + ".gguf");
        server.engine().registry().setEnabled(id, true);
        server.engine().supervisor().start(id, true);
        String asked = "<img src=y onerror=window.pwned=2>";
        assertThat(chat(asked, false).get().statusCode()).isEqualTo(404);
        openGateway();

        WebElement row = waiting("the running model").until(d -> d.findElement(
                By.cssSelector("#running-table tbody tr[data-id='" + id + "']")));
        assertThat(row.findElement(By.cssSelector("th")).getText()).isEqualTo(name);
        WebElement request = waiting("the refused request").until(d -> d.findElement(
                By.cssSelector("#requests-table tbody tr [data-field=asked]")));
        assertThat(request.getText()).isEqualTo(asked);
        assertThat(driver.findElements(By.cssSelector("#tab-gateway img"))).isEmpty();
        assertThat(script("return window.pwned === undefined")).isEqualTo(true);
    }

    // ------------------------------------------------------------------ the fixture

    private void startServer(UnaryOperator<FakeLlamaServer.Launcher> fake, String... models) throws Exception {
        startServer(fake, Map.of(), models);
    }

    private void startServer(UnaryOperator<FakeLlamaServer.Launcher> fake, Map<ConfigKey, String> extra,
                             String... models) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        for (String model : models) {
            GgufWriter.typicalModel().writeTo(dir.resolve("models").resolve(model));
        }
        Path launcher = fake.apply(FakeLlamaServer.launcher().loadMillis(200).stream(5, 0))
                .writeTo(dir.resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(10);
        MagiEngine.Builder engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, launcher.toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                .set(ConfigKey.MAX_STARTUP_TIME, "30")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "2");
        extra.forEach(engine::set);
        server = MagiServer.newServer(engine.build(), "127.0.0.1", 0).start();
    }

    /** Opens the Gateway page and waits until it follows the live events. */
    private void openGateway() {
        driver.get(server.uri().resolve("#gateway").toString());
        waiting("the Gateway page").until(ExpectedConditions.visibilityOfElementLocated(By.id("tab-gateway")));
        waiting("live events").until(ExpectedConditions.textToBePresentInElementLocated(By.id("live"), "live"));
    }

    /** A chat through the gateway, as an OpenAI client sends it (no Origin), answered in the background. */
    private CompletableFuture<HttpResponse<String>> chat(String model, boolean stream) throws IOException {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("model", model).put("stream", stream)
                .set("messages", JSON.valueToTree(List.of(Map.of("role", "user", "content", "hello")))));
        return http.sendAsync(HttpRequest.newBuilder(server.uri().resolve("v1/chat/completions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(server.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    /** The text of a running model's field on the page. */
    private String field(String id, String field) {
        return waiting(id + "'s " + field).until(d -> d.findElement(By.cssSelector(
                "#running-table tbody tr[data-id='" + id + "'] [data-field='" + field + "']"))).getText();
    }

    private void waitForField(String id, String field, String value) {
        waiting(id + "'s " + field + " to show " + value).until(d -> {
            List<WebElement> cells = d.findElements(By.cssSelector(
                    "#running-table tbody tr[data-id='" + id + "'] [data-field='" + field + "']"));
            return !cells.isEmpty() && value.equals(cells.get(0).getText());
        });
    }

    /**
     * The sum of every series of a chart as uPlot holds it (its data, not the page's), or null while
     * the chart is not drawn.
     */
    private Double plotted(String id) {
        Object sum = script("const plot = document.getElementById(arguments[0]).plot;"
                + "return plot ? plot.data.slice(1).flat().reduce((a, b) => a + (b ?? 0), 0) : null;", id);
        return sum == null ? null : ((Number) sum).doubleValue();
    }

    private void click(By by) {
        waiting("to click " + by).until(d -> {
            try {
                WebElement element = d.findElement(by);
                if (!element.isDisplayed() || !element.isEnabled()) {
                    return false;
                }
                element.click();
                return true;
            } catch (NoSuchElementException | StaleElementReferenceException e) {
                return false;
            }
        });
    }

    private WebDriverWait waiting(String what) {
        WebDriverWait result = new WebDriverWait(driver, PATIENCE);
        result.withMessage(what).ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class);
        return result;
    }

    private Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }
}

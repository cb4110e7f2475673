package dev.magi.standalone.browser;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.Tier;
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
import org.openqa.selenium.Dimension;
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
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The WebUI in a real browser: Debian's headless Chromium against the standalone server on a free
 * port, its servers played by the fake llama-server. Skipped, with a message saying why, where
 * Chromium or chromedriver is not installed; never skipped in CI ({@code CI=true}), which installs them.
 * Screenshots of the main pages at desktop and phone sizes are left in {@code target/screenshots}.
 */
@DisplayName("The WebUI in headless Chromium")
class WebUiBrowserTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    private static final String SMALL = "small-1b-q4_k_m";
    private static final String QWEN = "qwen2.5-7b-instruct-q4_k_m";

    private static HeadlessChromium chromium;
    private static String unavailable;

    @TempDir
    Path dir;
    private MagiServer server;
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeAll
    static void startBrowser() {
        unavailable = HeadlessChromium.whyUnavailable().orElse(null);
        if (unavailable == null) {
            chromium = HeadlessChromium.start();
        } else if ("true".equals(System.getenv("CI"))) {
            fail(unavailable + ": CI installs them (.ci/run), so the browser tests must run there");
        } else {
            // Said once in the build's output; each test is then reported as skipped, with the reason.
            System.err.println("WebUI browser tests skipped: " + unavailable);
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
        wait = waiting("the page");
        chromium.viewport(HeadlessChromium.DESKTOP);
    }

    @AfterEach
    void tearDown(TestInfo test) {
        if (server != null) {
            // What the page looked like at the end helps most when a test failed.
            chromium.screenshot(SCREENSHOTS.resolve("last-" + test.getTestMethod().orElseThrow().getName() + ".png"));
            driver.get("about:blank");
            server.close();
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    @DisplayName("shows the models a rescan finds")
    void rescan() throws Exception {
        startServer(Map.of());
        open();
        waitForText(By.id("models-empty"), "No models found under");

        model("Small-1B-Q4_K_M.gguf");
        model("Qwen2.5-7B-Instruct-Q4_K_M.gguf");
        tab("system");
        click(By.id("rescan"));
        waitForText(By.id("rescan-result"), "Found 2, added 2, removed 0");

        tab("models");
        waitForText(By.id("model-count"), "2 of 2 models");
        assertThat(driver.findElements(By.cssSelector("#model-table tbody tr")))
                .extracting(row -> row.getAttribute("data-id")).containsExactly(QWEN, SMALL);
        assertThat(row(QWEN).getText()).contains("Qwen2.5-7B-Instruct-Q4_K_M", "instruct", "7B", "q4_k_m");
        assertThat(driver.findElement(By.id("models-empty")).isDisplayed()).isFalse();
    }

    @Test
    @DisplayName("keeps a tier set in the table after a reload, and keeps the focus on the control")
    void tier() throws Exception {
        model("Small-1B-Q4_K_M.gguf");
        startServer(Map.of());
        open();

        assertThat(new Select(control(SMALL, "tier")).getFirstSelectedOption().getText()).isEqualTo("auto (fast)");
        // With the keyboard, as a person without a mouse would: the select keeps the focus.
        control(SMALL, "tier").sendKeys(Keys.END);
        wait.until(d -> server.engine().registry().require(SMALL).tierOverride() == Tier.POWERFUL);
        wait.until(d -> !d.findElements(By.cssSelector("tr[data-id='" + SMALL + "'] [data-control=clear-tier]")).isEmpty());
        assertThat(driver.switchTo().activeElement().getAttribute("data-control")).isEqualTo("tier");

        driver.navigate().refresh();
        waitForText(By.id("model-count"), "1 of 1 models");
        wait.until(d -> new Select(control(SMALL, "tier")).getFirstSelectedOption().getText().equals("powerful"));
        tab("system");
        waitForText(By.id("tier-counts"), "powerful\n1");

        tab("models");
        click(at(SMALL, "clear-tier"));
        wait.until(d -> server.engine().registry().require(SMALL).tierOverride() == null);
        wait.until(d -> new Select(control(SMALL, "tier")).getFirstSelectedOption().getText().equals("auto (fast)"));
    }

    @Test
    @DisplayName("enables a model, starts it, shows it ready with its log, and stops it")
    void startAndStop() throws Exception {
        model("Small-1B-Q4_K_M.gguf");
        startServer(Map.of());
        open();

        click(at(SMALL, "enabled"));
        wait.until(d -> server.engine().registry().require(SMALL).enabled());
        wait.until(d -> control(SMALL, "enabled").isSelected());

        click(at(SMALL, "start"));
        waitForState(SMALL, "ready");
        assertThat(server.engine().supervisor().server(SMALL)).get()
                .extracting(ServerStatus::state).isEqualTo(ServerState.READY);
        wait.until(d -> !control(SMALL, "start").isEnabled() && control(SMALL, "stop").isEnabled());
        wait.until(d -> row(SMALL).findElement(By.cssSelector("td.port")).getText().matches("\\d+"));

        click(at(SMALL, "details"));
        WebElement dialog = driver.findElement(By.id("detail"));
        wait.until(d -> dialog.isDisplayed());
        waitForText(By.id("log"), "main: server is listening on http://127.0.0.1:");
        assertThat(driver.findElement(By.id("log")).getText()).contains("main: loading model", "main: model loaded");
        assertThat(driver.findElements(By.cssSelector("#log .note"))).extracting(WebElement::getText)
                .anyMatch(note -> note.startsWith("[magi] starting: ")).anyMatch(note -> note.startsWith("[magi] started pid "));
        assertThat(driver.findElement(By.id("detail-title")).getText()).isEqualTo("Small-1B-Q4_K_M");
        chromium.screenshot(SCREENSHOTS.resolve("detail-1280x800.png"));
        chromium.viewport(HeadlessChromium.PHONE);
        chromium.screenshot(SCREENSHOTS.resolve("detail-390x844.png"));
        chromium.viewport(HeadlessChromium.DESKTOP);
        dialog.sendKeys(Keys.ESCAPE);
        wait.until(d -> !dialog.isDisplayed());

        click(at(SMALL, "stop"));
        waitForState(SMALL, "stopped");
        assertThat(server.engine().supervisor().server(SMALL)).get()
                .extracting(ServerStatus::state).isEqualTo(ServerState.STOPPED);
        wait.until(d -> control(SMALL, "start").isEnabled() && !control(SMALL, "stop").isEnabled());
    }

    @Test
    @DisplayName("shows on the System page the llama-server that runs, its version, or why it cannot run")
    void llamaServer() throws Exception {
        startServer(Map.of());
        open();

        tab("system");

        waitForText(By.id("llama-server-facts"), FakeLlamaServer.VERSION);
        assertThat(driver.findElement(By.id("llama-server-facts")).getText())
                .contains(dir.resolve("bin/llama-server").toString(), FakeLlamaServer.BUILD);
        assertThat(driver.findElement(By.id("llama-server-error")).isDisplayed()).isFalse();
        server.close();

        Path absent = dir.resolve("nowhere/llama-server");
        startServer(Map.of(ConfigKey.LLAMA_SERVER, absent.toString()));
        open();
        tab("system");

        waitForText(By.id("llama-server-error"), "llama-server not found at " + absent);
        assertThat(driver.findElement(By.id("llama-server-error")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("llama-server-facts")).getText()).contains(absent.toString());
    }

    @Test
    @DisplayName("edits a model's extra arguments, environment, idle TTL, GPUs and CPUs, keeps them, and shows a"
            + " refused flag's message")
    void extraArgumentsAndEnvironment() throws Exception {
        model("Small-1B-Q4_K_M.gguf");
        startServer(Map.of());
        open();

        click(at(SMALL, "details"));
        WebElement dialog = driver.findElement(By.id("detail"));
        wait.until(d -> dialog.isDisplayed());
        type(By.id("rt-args"), "--jinja\n--cache-type-k\nq8_0\n\n--chat-template-file\n/t/with space.jinja");
        type(By.id("rt-env"), "CUDA_VISIBLE_DEVICES=0,1\nHF_HOME=/srv/a=b");
        assertThat(driver.findElement(By.id("rt-ttl")).getAttribute("value")).as("follows --idle-ttl").isEmpty();
        type(By.id("rt-ttl"), "0");
        assertThat(driver.findElement(By.id("rt-gpus")).getAttribute("value")).as("no GPUs set").isEmpty();
        type(By.id("rt-gpus"), "2");
        type(By.id("rt-cpus"), "6");
        click(By.cssSelector("#runtime-form button[type=submit]"));
        waitForToast("Runtime settings saved");

        DiscoveredModel saved = server.engine().registry().require(SMALL);
        assertThat(saved.extraArgs()).containsExactly("--jinja", "--cache-type-k", "q8_0", "--chat-template-file",
                "/t/with space.jinja");
        assertThat(saved.env()).containsExactly(Map.entry("CUDA_VISIBLE_DEVICES", "0,1"),
                Map.entry("HF_HOME", "/srv/a=b"));
        assertThat(saved.ttlSeconds()).as("0: never unloaded for idleness").isZero();
        assertThat(saved.gpus()).isEqualTo(2);
        assertThat(saved.cpus()).isEqualTo(6);
        chromium.screenshot(SCREENSHOTS.resolve("detail-settings-1280x800.png"));

        // After a reload the dialog shows what was saved, one argument and one variable per line.
        open();
        click(at(SMALL, "details"));
        WebElement reopened = driver.findElement(By.id("detail"));
        wait.until(d -> reopened.isDisplayed());
        assertThat(driver.findElement(By.id("rt-args")).getAttribute("value"))
                .isEqualTo("--jinja\n--cache-type-k\nq8_0\n--chat-template-file\n/t/with space.jinja");
        assertThat(driver.findElement(By.id("rt-env")).getAttribute("value"))
                .isEqualTo("CUDA_VISIBLE_DEVICES=0,1\nHF_HOME=/srv/a=b");
        assertThat(driver.findElement(By.id("rt-ttl")).getAttribute("value")).isEqualTo("0");
        assertThat(driver.findElement(By.id("rt-gpus")).getAttribute("value")).isEqualTo("2");
        assertThat(driver.findElement(By.id("rt-cpus")).getAttribute("value")).isEqualTo("6");

        // A flag MAGI sets itself: the API's refusal is shown, and nothing changes.
        type(By.id("rt-args"), "--jinja\n--port=9000");
        click(By.cssSelector("#runtime-form button[type=submit]"));
        String refused = apiError("PUT", "api/models/" + SMALL + "/runtime-settings",
                "{\"extraArgs\": [\"--jinja\", \"--port=9000\"]}");
        assertThat(refused).contains("'--port'");
        WebElement toast = waitForToast(refused);
        assertThat(toast.getAttribute("data-kind")).isEqualTo("error");
        assertThat(server.engine().registry().require(SMALL)).isEqualTo(saved);
    }

    @Test
    @DisplayName("creates a profile and activates it: its model runs, the others are disabled")
    void profile() throws Exception {
        model("Small-1B-Q4_K_M.gguf");
        model("Qwen2.5-7B-Instruct-Q4_K_M.gguf");
        startServer(Map.of());
        server.engine().registry().setEnabled(QWEN, true);
        open();

        tab("profiles");
        waitForText(By.id("profile-list"), "No profiles yet.");
        click(By.id("new-profile"));
        type(By.id("profile-name"), "evening");
        type(By.id("profile-description"), "the small one only");
        click(By.cssSelector("#profile-models input[value='" + SMALL + "']"));
        click(By.cssSelector("#profile-form button[type=submit]"));
        waitForText(By.id("profile-result"), "evening");
        assertThat(server.engine().profiles().names()).containsExactly("evening");

        click(By.id("activate-profile"));
        wait.until(d -> d.findElements(By.cssSelector("#profile-list .badge.active")).size() == 1);
        assertThat(driver.findElement(By.id("profile-list")).getText()).contains("evening").contains("active");
        waitForText(By.id("profile-result"), "Started: " + SMALL);
        chromium.screenshot(SCREENSHOTS.resolve("profile-active-1280x800.png"));

        tab("models");
        waitForState(SMALL, "ready");
        wait.until(d -> control(SMALL, "enabled").isSelected() && !control(QWEN, "enabled").isSelected());

        driver.navigate().refresh();
        tab("profiles");
        wait.until(d -> d.findElements(By.cssSelector("#profile-list .badge.active")).size() == 1);
    }

    @Test
    @DisplayName("shows the API's message when a change is refused, above an open dialog too")
    void errors() throws Exception {
        model("Small-1B-Q4_K_M.gguf");
        model("Qwen2.5-7B-Instruct-Q4_K_M.gguf");
        startServer(Map.of());
        open();

        tab("system");
        type(By.id("port-start"), "9000");
        type(By.id("port-end"), "8000");
        click(By.cssSelector("#port-range-form button[type=submit]"));
        String expected = apiError("PUT", "api/models/port-range", "{\"start\": 9000, \"end\": 8000}");
        assertThat(expected).startsWith("Invalid port range 9000-8000");
        WebElement toast = waitForToast(expected);
        assertThat(toast.getAttribute("data-kind")).isEqualTo("error");
        assertThat(server.engine().registry().snapshot().portRange().start()).isNotEqualTo(9000);
        chromium.screenshot(SCREENSHOTS.resolve("system-error-1280x800.png"));

        // A port another model has: refused with 409, told inside the detail dialog.
        int taken = freePort();
        server.engine().registry().setPort(QWEN, taken);
        tab("models");
        click(at(SMALL, "details"));
        type(By.id("rt-port"), String.valueOf(taken));
        driver.findElement(By.id("rt-port")).sendKeys(Keys.ENTER);
        String inUse = apiError("PUT", "api/models/" + SMALL + "/port", "{\"port\": " + taken + "}");
        WebElement above = waitForToast(inUse);
        assertThat(isOnTop(above)).as("the toast is above the modal dialog, not hidden behind it").isTrue();
        assertThat(server.engine().registry().require(SMALL).port()).as("the port refused").isNull();
    }

    @Test
    @DisplayName("asks for the API key when the API wants one, and remembers it for the session")
    void apiKey() throws Exception {
        model("Small-1B-Q4_K_M.gguf");
        startServer(Map.of(ConfigKey.API_KEY, "open-sesame"));
        driver.get(server.uri().toString());
        WebElement dialog = driver.findElement(By.id("key-dialog"));
        wait.until(d -> dialog.isDisplayed());
        chromium.screenshot(SCREENSHOTS.resolve("api-key-1280x800.png"));

        type(By.id("key-input"), "wrong");
        driver.findElement(By.id("key-input")).sendKeys(Keys.ENTER);
        // Refused: asked again, with the wrong key forgotten.
        wait.until(d -> dialog.isDisplayed() && driver.findElement(By.id("key-input")).getAttribute("value").isEmpty());
        assertThat(driver.findElements(By.cssSelector("#model-table tbody tr"))).isEmpty();

        type(By.id("key-input"), "open-sesame");
        driver.findElement(By.id("key-input")).sendKeys(Keys.ENTER);
        wait.until(d -> !dialog.isDisplayed());
        waitForText(By.id("model-count"), "1 of 1 models");
        waitForText(By.id("live"), "live");

        driver.navigate().refresh();
        waitForText(By.id("model-count"), "1 of 1 models");
        assertThat(driver.findElement(By.id("key-dialog")).isDisplayed()).isFalse();
        assertThat(script("return sessionStorage.getItem('magi.apiKey')")).isEqualTo("open-sesame");
    }

    @Test
    @DisplayName("lays the main pages out at desktop and phone sizes (screenshots in target/screenshots)")
    void screenshots() throws Exception {
        for (String name : List.of("Small-1B-Q4_K_M.gguf", "Qwen2.5-7B-Instruct-Q4_K_M.gguf",
                "DeepSeek-R1-Distill-Qwen-14B-Q5_K_M.gguf", "Qwen2.5-Coder-32B-Instruct-Q8_0.gguf")) {
            model(name);
        }
        startServer(Map.of());
        server.engine().registry().setEnabled(SMALL, true);
        server.engine().supervisor().start(SMALL, true);
        open();
        waitForState(SMALL, "ready");
        for (Dimension size : List.of(HeadlessChromium.DESKTOP, HeadlessChromium.PHONE)) {
            chromium.viewport(size);
            String suffix = size.width + "x" + size.height + ".png";
            for (String tab : List.of("models", "gateway", "system", "profiles")) {
                tab(tab);
                if (tab.equals("profiles") && !driver.findElement(By.id("profile-form")).isDisplayed()) {
                    click(By.id("new-profile"));
                }
                chromium.screenshot(SCREENSHOTS.resolve(tab + "-" + suffix));
            }
            for (String tab : List.of("models", "gateway")) {
                tab(tab);
                // Nothing is wider than the page but the tables, which scroll on their own.
                Number overflow = (Number) script("return document.documentElement.scrollWidth - window.innerWidth");
                assertThat(overflow.intValue()).as("horizontal overflow of " + tab + " at " + size).isLessThanOrEqualTo(0);
            }
        }
    }

    // ------------------------------------------------------------------ the fixture

    private void model(String fileName) throws IOException {
        Files.createDirectories(dir.resolve("models"));
        GgufWriter.typicalModel().writeTo(dir.resolve("models").resolve(fileName));
    }

    private void startServer(Map<ConfigKey, String> extra) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        Path launcher = FakeLlamaServer.launcher().loadMillis(500).writeTo(dir.resolve("bin/llama-server"));
        int ports = freeRange(10);
        MagiEngine.Builder builder = MagiEngine.builder().withoutEnvironment()
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
        extra.forEach(builder::set);
        server = MagiServer.newServer(builder.build(), "127.0.0.1", 0).start();
    }

    /** Opens the page and waits until it has drawn the registry and follows the live events. */
    private void open() {
        driver.get(server.uri().toString());
        wait.until(d -> d.findElement(By.id("model-count")).getText().contains(" models"));
        waitForText(By.id("live"), "live");
    }

    private void tab(String name) {
        click(By.cssSelector("nav a[data-tab=" + name + "]"));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tab-" + name)));
    }

    private WebElement row(String id) {
        return wait.until(d -> d.findElement(By.cssSelector("#model-table tbody tr[data-id='" + id + "']")));
    }

    /** A control of a model's row; rows are redrawn, so it is looked up afresh each time. */
    private WebElement control(String id, String control) {
        return wait.until(d -> d.findElement(at(id, control)));
    }

    private static By at(String id, String control) {
        return By.cssSelector("#model-table tbody tr[data-id='" + id + "'] [data-control='" + control + "']");
    }

    private void waitForState(String id, String state) {
        waiting(id + " to show " + state).until(d -> {
            List<WebElement> cells = d.findElements(By.cssSelector("tr[data-id='" + id + "'] [data-state]"));
            return !cells.isEmpty() && state.equals(cells.get(0).getAttribute("data-state"));
        });
    }

    /** Clicks what {@code by} finds once it can be clicked, finding it again when it was redrawn meanwhile. */
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

    /**
     * A wait that says what it waited for. Rows are redrawn when the server tells of a change, so
     * an element found may go stale at once: that is retried, not failed.
     */
    private WebDriverWait waiting(String what) {
        WebDriverWait result = new WebDriverWait(driver, PATIENCE);
        result.withMessage(what).ignoring(StaleElementReferenceException.class);
        return result;
    }

    private void type(By by, String text) {
        WebElement input = wait.until(ExpectedConditions.elementToBeClickable(by));
        input.clear();
        input.sendKeys(text);
    }

    private void waitForText(By by, String text) {
        waiting(by + " to contain '" + text + "'").until(ExpectedConditions.textToBePresentInElementLocated(by, text));
    }

    private WebElement waitForToast(String message) {
        return waiting("a toast saying '" + message + "'").until(d -> d.findElements(
                        By.cssSelector("#toasts .toast")).stream()
                .filter(t -> t.getText().equals(message) && t.isDisplayed()).findFirst().orElse(null));
    }

    /**
     * Whether {@code element} is what a click near its right end would hit (the toasts sit at the
     * bottom right, beside a dialog, where an inert page under a modal dialog could not be hit).
     */
    private boolean isOnTop(WebElement element) {
        return (Boolean) script("const r = arguments[0].getBoundingClientRect();"
                + "const hit = document.elementFromPoint(r.right - 8, r.top + r.height / 2);"
                + "return hit === arguments[0] || arguments[0].contains(hit);", element);
    }

    private Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /** The message the API answers for a request, as the page should show it. */
    private String apiError(String method, String path, String body) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        server.uri().resolve(path)).method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isBetween(400, 499);
        return new ObjectMapper().readTree(response.body()).path("message").asText();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The first of {@code count} free ports in a row, for the llama-servers; see {@link FreePorts}. */
    private static int freeRange(int count) {
        return FreePorts.rangeStart(count);
    }
}

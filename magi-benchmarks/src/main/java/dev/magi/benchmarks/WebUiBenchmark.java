package dev.magi.benchmarks;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.events.ServerChanged;
import dev.magi.standalone.MagiServer;
import dev.magi.standalone.browser.HeadlessChromium;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The WebUI in Debian's headless Chromium against the standalone server of {@code --models} models
 * (1,000 by default), its servers played by the fake llama-server. Two figures:
 *
 * <ol>
 *   <li><b>Interactive</b>: from navigation start (the page's {@code performance.now()} origin) to the
 *       first task after the frame that shows the table with every row. A script added to every new
 *       document before the page's own watches the table; when it holds all rows it asks for the next
 *       frame, then for a task after it: that task runs once the rows are laid out and painted and the
 *       main thread is free for input. Over {@code --loads} fresh navigations, after one warm-up.</li>
 *   <li><b>Server change to page</b>: from the moment the engine publishes a server's new state (a
 *       subscriber on the event hub, in this JVM, takes {@code System.currentTimeMillis()}) to the
 *       page's {@code Date.now()} when the row's state cell shows it (a mutation observer), and at the
 *       next frame. A server is started ({@code ready}) and stopped ({@code stopped}) {@code --changes}
 *       times with 1,000 rows on the page. Both clocks are this machine's wall clock.</li>
 * </ol>
 */
final class WebUiBenchmark {
    static final double INTERACTIVE_TARGET_MS = 1000;
    static final double CHANGE_TARGET_MS = 200;

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** What the page reports: set up before any of the page's scripts, on every navigation. */
    private static final String PROBE = """
            (() => {
              const bench = window.__magiBench = {rows: %d, rendered: null, interactive: null, watch: null};
              const check = () => {
                const body = document.querySelector('#model-table tbody');
                if (bench.rendered === null && body && body.rows.length >= bench.rows) {
                  bench.rendered = performance.now();
                  requestAnimationFrame(() => setTimeout(() => { bench.interactive = performance.now(); }, 0));
                }
                const watch = bench.watch;
                if (watch && watch.domAt === null) {
                  const cell = document.querySelector(`#model-table tr[data-id="${watch.id}"] [data-state]`);
                  if (cell && cell.dataset.state === watch.state) {
                    watch.domAt = Date.now();
                    requestAnimationFrame(() => { watch.frameAt = Date.now(); });
                  }
                }
              };
              new MutationObserver(check).observe(document, {childList: true, subtree: true, attributes: true,
                  attributeFilter: ['data-state']});
            })();
            """;

    /** The figures of a run. */
    record Result(int models, Samples interactive, Samples tableRendered, Samples registryFetched,
                  Samples domContentLoaded, Samples fakeReadyToPublished, Samples readyToDom, Samples readyToFrame,
                  Samples stoppedToDom, Samples stoppedToFrame) {
    }

    private WebUiBenchmark() {
    }

    static void main(List<String> args) throws Exception {
        Options options = new Options(args, List.of("models", "loads", "changes", "dir"));
        run(options.integer("models", 1000), options.integer("loads", 9), options.integer("changes", 15),
                options.path("dir"), System.out);
    }

    static Result run(int models, int loads, int changes, Path parent, PrintStream out) throws Exception {
        HeadlessChromium.whyUnavailable().ifPresent(why -> {
            throw new IllegalStateException("The WebUI benchmark needs a browser: " + why);
        });
        out.println("Machine: " + Machine.describe());
        out.printf(Locale.ROOT, "Writing %,d GGUF files ...%n", models);
        try (ModelTree tree = ModelTree.create(parent, models);
             MagiServer server = MagiServer.newServer(engine(tree), "127.0.0.1", 0).start();
             HeadlessChromium chromium = HeadlessChromium.start()) {
            int registered = server.engine().registry().snapshot().models().size();
            out.printf(Locale.ROOT, "  %,d models registered; %s; Chromium %s%n", registered, server.uri(),
                    chromium.driver().getCapabilities().getBrowserVersion());
            ChromeDriver driver = chromium.driver();
            driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                    Map.of("source", String.format(Locale.ROOT, PROBE, registered)));

            Samples interactive = new Samples("navigation start -> interactive");
            Samples rendered = new Samples("navigation start -> all rows in the DOM");
            Samples registryFetched = new Samples("navigation start -> registry fetched");
            Samples domContentLoaded = new Samples("navigation start -> DOMContentLoaded end");
            load(driver, server, null, null, null, null);
            for (int i = 0; i < loads; i++) {
                load(driver, server, interactive, rendered, registryFetched, domContentLoaded);
                out.printf(Locale.ROOT, "  load %d: interactive at %.0f ms%n", i + 1,
                        interactive.nanos(i) / 1e6);
            }

            Samples fakeReady = new Samples("fake's ready line read -> ready published");
            Samples readyToDom = new Samples("ready published -> row shows it");
            Samples readyToFrame = new Samples("ready published -> next frame");
            Samples stoppedToDom = new Samples("stopped published -> row shows it");
            Samples stoppedToFrame = new Samples("stopped published -> next frame");
            String id = server.engine().registry().snapshot().models().keySet().iterator().next();
            Map<String, Long> published = new ConcurrentHashMap<>();
            try (AutoCloseable subscription = server.engine().events().subscribe(event -> {
                if (event instanceof ServerChanged changed && changed.status().modelId().equals(id)) {
                    published.putIfAbsent(changed.status().state().toString(), System.currentTimeMillis());
                }
            })) {
                for (int i = 0; i < changes; i++) {
                    published.clear();
                    watch(driver, id, "ready");
                    server.engine().supervisor().start(id, false);
                    long[] ready = waitForWatch(driver, published, "ready");
                    readyToDom.add(ready[0] * 1_000_000);
                    fakeReady.add(readyLineToPublished(server, id, published.get("ready")));
                    readyToFrame.add(ready[1] * 1_000_000);

                    published.clear();
                    watch(driver, id, "stopped");
                    server.engine().supervisor().stop(id);
                    long[] stopped = waitForWatch(driver, published, "stopped");
                    stoppedToDom.add(stopped[0] * 1_000_000);
                    stoppedToFrame.add(stopped[1] * 1_000_000);
                    out.printf(Locale.ROOT, "  change %d: ready +%d ms (frame +%d), stopped +%d ms (frame +%d)%n",
                            i + 1, ready[0], ready[1], stopped[0], stopped[1]);
                }
            }
            Result result = new Result(registered, interactive, rendered, registryFetched, domContentLoaded,
                    fakeReady, readyToDom, readyToFrame, stoppedToDom, stoppedToFrame);
            report(result, out);
            return result;
        }
    }

    private static MagiEngine engine(ModelTree tree) throws IOException {
        Path data = tree.directory().resolve("data");
        Path launcher = FakeLlamaServer.launcher().loadMillis(200).writeTo(tree.directory().resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(10);
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, tree.root().toString())
                .set(ConfigKey.REGISTRY_PATH, data.resolve("model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, data.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, launcher.toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                .set(ConfigKey.MAX_STARTUP_TIME, "60")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "2")
                .build();
    }

    /** One fresh navigation; with null samples, a warm-up whose figures are dropped. */
    private static void load(ChromeDriver driver, MagiServer server, Samples interactive, Samples rendered,
                             Samples registryFetched, Samples domContentLoaded) throws InterruptedException {
        driver.get("about:blank");
        driver.get(server.uri().toString());
        Map<?, ?> page = poll(driver, """
                const b = window.__magiBench;
                if (!b || b.interactive === null) return null;
                const registry = performance.getEntriesByType('resource').find(e => e.name.endsWith('/api/models/registry'));
                const nav = performance.getEntriesByType('navigation')[0];
                const control = document.querySelector('#model-table tbody tr [data-control=tier]');
                return {interactive: b.interactive, rendered: b.rendered,
                        registry: registry ? registry.responseEnd : -1, dcl: nav.domContentLoadedEventEnd,
                        usable: !!control && !control.disabled && control.offsetParent !== null};
                """);
        if (!Boolean.TRUE.equals(page.get("usable"))) {
            throw new IllegalStateException("the table's controls are not usable: " + page);
        }
        if (interactive != null) {
            interactive.add(nanos(page.get("interactive")));
            rendered.add(nanos(page.get("rendered")));
            registryFetched.add(nanos(page.get("registry")));
            domContentLoaded.add(nanos(page.get("dcl")));
        }
    }

    /**
     * From the moment MAGI read the fake's last line of loading (its own timestamp) to the ready
     * state's publication: the readiness probe's share, which the page cannot shorten.
     */
    private static long readyLineToPublished(MagiServer server, String id, long publishedMillis) {
        return server.engine().supervisor().logs(id, 50).stream()
                .filter(line -> line.line().contains("starting the main loop"))
                .reduce((first, second) -> second)
                .map(line -> (publishedMillis - line.timestamp().toEpochMilli()) * 1_000_000)
                .orElseThrow(() -> new IllegalStateException("the fake's ready line is not in the log"));
    }

    private static void watch(ChromeDriver driver, String id, String state) {
        driver.executeScript("window.__magiBench.watch = {id: arguments[0], state: arguments[1], domAt: null,"
                + " frameAt: null};", id, state);
    }

    /** Waits until the page has shown the state; answers milliseconds from its publication to DOM and frame. */
    private static long[] waitForWatch(ChromeDriver driver, Map<String, Long> published, String state)
            throws InterruptedException {
        Map<?, ?> watch = poll(driver, "const w = window.__magiBench.watch; return w.frameAt === null ? null : w;");
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!published.containsKey(state)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no '" + state + "' event was published");
            }
            Thread.sleep(5);
        }
        long at = published.get(state);
        return new long[] {((Number) watch.get("domAt")).longValue() - at,
                ((Number) watch.get("frameAt")).longValue() - at};
    }

    /** Runs {@code script} until it answers something other than null. */
    private static Map<?, ?> poll(ChromeDriver driver, String script) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Object answer = driver.executeScript(script);
            if (answer instanceof Map<?, ?> map) {
                return map;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("the page did not answer in " + PATIENCE.toSeconds() + " s: " + script);
    }

    private static long nanos(Object millis) {
        return Math.round(((Number) millis).doubleValue() * 1e6);
    }

    private static void report(Result result, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "  page load with %,d models (%d loads after a warm-up):%n", result.models(),
                result.interactive().size());
        for (Samples samples : List.of(result.registryFetched(), result.domContentLoaded(), result.tableRendered(),
                result.interactive())) {
            out.println("    " + samples.row());
        }
        out.printf(Locale.ROOT, "    target: interactive within %.0f ms: %s%n", INTERACTIVE_TARGET_MS,
                result.interactive().medianMillis() <= INTERACTIVE_TARGET_MS ? "MET" : "NOT MET");
        out.printf(Locale.ROOT, "  server change to page (%d starts and stops):%n", result.readyToDom().size());
        for (Samples samples : List.of(result.fakeReadyToPublished(), result.readyToDom(), result.readyToFrame(),
                result.stoppedToDom(), result.stoppedToFrame())) {
            out.println("    " + samples.row());
        }
        double worst = Math.max(result.readyToFrame().medianMillis(), result.stoppedToFrame().medianMillis());
        out.printf(Locale.ROOT, "    target: within %.0f ms (median, to the frame): %s%n", CHANGE_TARGET_MS,
                worst <= CHANGE_TARGET_MS ? "MET" : "NOT MET");
    }


}

package dev.magi.benchmarks;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code GET /api/models/registry} of the standalone server with N models, against a bare Jetty
 * handler that answers the very same bytes: the request rate of each, side by side in one run.
 *
 * <p>Both servers run in this JVM, each on its own port, with Jetty's defaults (the same version,
 * thread pool and connector): MAGI is {@link dev.magi.standalone.MagiServer} (Jersey in a servlet
 * context), the baseline a {@link Handler.Abstract} writing a byte array fetched from MAGI once at the
 * start. The load generator is {@link HttpConnection}: C kept-alive connections, one thread each,
 * sending requests back to back for a fixed time. Each round runs one trial per server, in an order
 * that rotates from round to round (so that a drift of the machine's load favours none), each after
 * a {@code System.gc()}. The figure is the median over rounds of MAGI's rate divided by the
 * baseline's in the same round; the medians of each are given too.
 *
 * <p>A third contender, on by default ({@code --prototype 0} leaves it out), is
 * {@link CachedRegistryServer}: MAGI's server with the registry's JSON cached per snapshot, to
 * measure what that change would bring.
 */
final class RegistryGetBenchmark {
    static final String PATH = "/api/models/registry";
    static final double TARGET_RATIO = 0.5;

    /** Requests per second of each trial; {@code prototype} is empty when it was not measured. */
    record Result(int models, int bytes, double[] magi, double[] baseline, double[] prototype) {
        double magiMedian() {
            return Samples.median(magi);
        }

        double baselineMedian() {
            return Samples.median(baseline);
        }

        /** The median of the per-round ratios MAGI / baseline. */
        double ratio() {
            return ratio(magi);
        }

        /** The median of the per-round ratios {@code rates} / baseline. */
        double ratio(double[] rates) {
            double[] ratios = new double[rates.length];
            for (int i = 0; i < rates.length; i++) {
                ratios[i] = rates[i] / baseline[i];
            }
            return Samples.median(ratios);
        }

        boolean met() {
            return Math.min(ratio(), magiMedian() / baselineMedian()) >= TARGET_RATIO;
        }
    }

    private RegistryGetBenchmark() {
    }

    static void main(List<String> args) throws Exception {
        Options options = new Options(args, List.of("models", "connections", "trial-ms", "warmup-ms", "trials", "dir",
                "hold-s", "prototype"));
        run(options.integer("models", 1_000), options.integer("connections", 4), options.integer("trial-ms", 5_000),
                options.integer("warmup-ms", 5_000), options.integer("trials", 5), options.path("dir"),
                options.integer("prototype", 1) != 0, options.integer("hold-s", 0), System.out);
    }

    /**
     * @param prototype   whether to measure {@link CachedRegistryServer} too, as a third contender
     * @param holdSeconds when positive, the two servers stay up this long after the measurements, for
     *                    an outside load generator such as {@code wrk}; their ports are printed
     */
    static Result run(int models, int connections, int trialMillis, int warmupMillis, int trials, Path parent,
                      boolean prototype, int holdSeconds, PrintStream out) throws Exception {
        out.println("Machine: " + Machine.describe());
        try (ModelTree tree = ModelTree.create(parent, models);
             ApiServer magi = ApiServer.start(tree)) {
            byte[] body;
            String contentType;
            try (HttpConnection connection = magi.connect()) {
                HttpConnection.Response first = connection.get(PATH, magi.port());
                HttpConnection.Response second = connection.get(PATH, magi.port());
                if (first.status() != 200 || !Arrays.equals(first.body(), second.body())) {
                    throw new IllegalStateException("MAGI answered " + first.status() + ", or two different bodies");
                }
                body = first.body();
                contentType = first.contentType();
                out.printf(Locale.ROOT, "MAGI on port %d: %,d models, %s answers %,d bytes of %s (%s)%n", magi.port(),
                        magi.engine().registry().snapshot().models().size(), PATH, body.length, contentType,
                        first.chunked() ? "chunked" : "Content-Length");
            }
            if (magi.engine().registry().snapshot().models().size() != models) {
                throw new IllegalStateException("the registry holds "
                        + magi.engine().registry().snapshot().models().size() + " models, not " + models);
            }
            Server baseline = baseline(body, contentType);
            CachedRegistryServer cached = prototype ? CachedRegistryServer.start(magi.engine()) : null;
            try {
                int baselinePort = ((ServerConnector) baseline.getConnectors()[0]).getLocalPort();
                try (HttpConnection connection = new HttpConnection(ApiServer.HOST, baselinePort)) {
                    if (!Arrays.equals(connection.get(PATH, baselinePort).body(), body)) {
                        throw new IllegalStateException("the baseline does not answer MAGI's bytes");
                    }
                }
                out.printf(Locale.ROOT, "Baseline (bare Jetty Handler.Abstract, same bytes, Content-Length) on port"
                        + " %d%n", baselinePort);
                List<Target> targets = new ArrayList<>(List.of(new Target("MAGI", magi.port(), PATH),
                        new Target("baseline", baselinePort, PATH)));
                if (cached != null) {
                    try (HttpConnection connection = new HttpConnection(ApiServer.HOST, cached.port())) {
                        if (!Arrays.equals(connection.get(CachedRegistryServer.PATH, cached.port()).body(), body)) {
                            throw new IllegalStateException("the prototype does not answer MAGI's bytes");
                        }
                    }
                    out.printf(Locale.ROOT, "Prototype (MAGI's Jetty + Jersey, registry JSON cached per snapshot)"
                            + " on port %d, %s%n", cached.port(), CachedRegistryServer.PATH);
                    targets.add(new Target("prototype", cached.port(), CachedRegistryServer.PATH));
                }
                Result result = measure(models, body.length, targets, connections, trialMillis, warmupMillis, trials,
                        out);
                report(result, connections, trialMillis, out);
                if (holdSeconds > 0) {
                    out.printf(Locale.ROOT, "Holding both servers for %d s: MAGI http://%s:%d%s, baseline"
                            + " http://%s:%d%s%n", holdSeconds, ApiServer.HOST, magi.port(), PATH,
                            ApiServer.HOST, baselinePort, PATH);
                    out.flush();
                    Thread.sleep(holdSeconds * 1000L);
                }
                return result;
            } finally {
                baseline.stop();
                if (cached != null) {
                    cached.close();
                }
            }
        }
    }

    /** A bare Jetty 12 server on a free port of 127.0.0.1 that answers {@code body} to every request. */
    static Server baseline(byte[] body, String contentType) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(ApiServer.HOST);
        connector.setPort(0);
        server.addConnector(connector);
        // As in MagiServer: no Server header.
        connector.getConnectionFactories().forEach(factory -> {
            if (factory instanceof HttpConnectionFactory http) {
                http.getHttpConfiguration().setSendServerVersion(false);
            }
        });
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
                response.write(true, ByteBuffer.wrap(body), callback);
                return true;
            }
        });
        server.start();
        return server;
    }

    /** A server to load: its name in the report, its port and the path to ask. */
    private record Target(String name, int port, String path) {
    }

    private static Result measure(int models, int bytes, List<Target> targets, int connections, int trialMillis,
                                  int warmupMillis, int trials, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "Warm-up: %d ms per server, twice; then %d rounds of one %d ms trial per server"
                + " (order rotating), %d connections%n", warmupMillis, trials, trialMillis, connections);
        for (int i = 0; i < 2; i++) {
            for (Target target : targets) {
                trial(target.port(), target.path(), bytes, connections, warmupMillis);
            }
        }
        double[][] rates = new double[targets.size()][trials];
        for (int round = 0; round < trials; round++) {
            for (int i = 0; i < targets.size(); i++) {
                int index = (i + round) % targets.size();
                Target target = targets.get(index);
                rates[index][round] = trial(target.port(), target.path(), bytes, connections, trialMillis);
            }
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  round %d:", round + 1));
            for (int t = 0; t < targets.size(); t++) {
                line.append(String.format(Locale.ROOT, "  %s %,9.1f req/s", targets.get(t).name(), rates[t][round]));
            }
            for (int t = 0; t < targets.size(); t++) {
                if (t != 1) {
                    line.append(String.format(Locale.ROOT, "  %s/baseline %.3f", targets.get(t).name(),
                            rates[t][round] / rates[1][round]));
                }
            }
            out.println(line + "  (" + Machine.load() + ")");
        }
        return new Result(models, bytes, rates[0], rates[1], targets.size() > 2 ? rates[2] : new double[0]);
    }

    /**
     * Requests per second on {@code port}: {@code connections} new kept-alive connections, one thread
     * each, sending {@code GET path} back to back until {@code millis} have passed.
     * Every response must be a 200 of {@code bytes} bytes.
     */
    static double trial(int port, String path, int bytes, int connections, int millis) throws Exception {
        System.gc();
        byte[] request = HttpConnection.request("GET", ApiServer.HOST, port, path, null);
        AtomicLong completed = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Thread thread = new Thread(() -> {
                try (HttpConnection connection = new HttpConnection(ApiServer.HOST, port)) {
                    ready.countDown();
                    go.await();
                    long count = 0;
                    while (System.nanoTime() < deadline[0]) {
                        HttpConnection.Response response = connection.exchange(request, false);
                        if (response.status() != 200 || response.length() != bytes) {
                            throw new IOException("answer " + response.status() + " of " + response.length()
                                    + " bytes, not 200 of " + bytes);
                        }
                        count++;
                    }
                    completed.addAndGet(count);
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                }
            }, "load-" + c);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        long started = System.nanoTime();
        deadline[0] = started + millis * 1_000_000L;
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long elapsed = System.nanoTime() - started;
        if (failure.get() != null) {
            throw new IllegalStateException("a load connection to port " + port + " failed", failure.get());
        }
        return completed.get() / (elapsed / 1e9);
    }

    private static void report(Result result, int connections, int trialMillis, PrintStream out) {
        out.println();
        out.println("  at the end: " + Machine.load());
        out.printf(Locale.ROOT, "  MAGI     GET %s: median %,9.1f req/s (%s)%n", PATH, result.magiMedian(),
                each(result.magi()));
        out.printf(Locale.ROOT, "  baseline same bytes:              median %,9.1f req/s (%s)%n",
                result.baselineMedian(), each(result.baseline()));
        if (result.prototype().length > 0) {
            out.printf(Locale.ROOT, "  prototype, cached JSON:           median %,9.1f req/s (%s)%n",
                    Samples.median(result.prototype()), each(result.prototype()));
        }
        out.printf(Locale.ROOT, "  MAGI / baseline: %.3f (median of per-round ratios; ratio of medians %.3f),"
                        + " target >= %.1f: %s%n", result.ratio(), result.magiMedian() / result.baselineMedian(),
                TARGET_RATIO, result.met() ? "MET" : "NOT MET");
        if (result.prototype().length > 0) {
            out.printf(Locale.ROOT, "  prototype / baseline: %.3f (median of per-round ratios; ratio of medians %.3f)%n",
                    result.ratio(result.prototype()), Samples.median(result.prototype()) / result.baselineMedian());
        }
        out.printf(Locale.ROOT, "  (%,d models, %,d bytes per answer, %d connections, %d ms per trial)%n",
                result.models(), result.bytes(), connections, trialMillis);
    }

    private static String each(double[] rates) {
        StringBuilder text = new StringBuilder("each:");
        for (double rate : rates) {
            text.append(String.format(Locale.ROOT, " %.0f", rate));
        }
        return text.toString();
    }
}

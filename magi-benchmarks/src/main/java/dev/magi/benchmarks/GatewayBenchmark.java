package dev.magi.benchmarks;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.standalone.MagiServer;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.GgufWriter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * What the gateway adds to a request, measured against the fake llama-server answering at once, side
 * by side in one run: requests per second and latency over C kept-alive connections, calling the
 * server directly and through MAGI, in alternating trials; the time to the first streamed byte, the
 * same way; a cold request's time to its first byte against the instant the server itself turned ready;
 * and N requests sent at once to a cold model, all served by one start.
 */
final class GatewayBenchmark {
    static final String MODEL = "bench-1b-q4_0";
    private static final String HOST = ApiServer.HOST;
    private static final String CHAT = "/v1/chat/completions";

    private GatewayBenchmark() {
    }

    /** What the flood saw: answered 200, answered otherwise, processes started. */
    record Result(int ok, int other, int starts) {
    }

    static void main(List<String> args) throws Exception {
        run(args, System.out);
    }

    static Result run(List<String> args, PrintStream out) throws Exception {
        Options options = new Options(args, List.of("connections", "trial-ms", "trials", "streams",
                "cold-runs", "queued", "load-ms", "warmup-ms", "dir", "nginx"));
        int connections = options.integer("connections", 16);
        int trialMillis = options.integer("trial-ms", 3000);
        int trials = options.integer("trials", 3);
        int streams = options.integer("streams", 200);
        int coldRuns = options.integer("cold-runs", 5);
        int queued = options.integer("queued", 500);
        int loadMillis = options.integer("load-ms", 300);
        int warmupMillis = options.integer("warmup-ms", 20000);
        Path nginx = options.path("nginx");
        Path parent = options.path("dir") != null ? options.path("dir")
                : Path.of(System.getProperty("java.io.tmpdir"));
        Path dir = Files.createTempDirectory(Files.createDirectories(parent), "magi-gateway-bench");
        out.println(Machine.describe());
        out.printf(Locale.ROOT, "gateway: %d connections, %d trials of %d ms, %d streams, %d cold runs,"
                + " %d queued, fake load %d ms%n", connections, trials, trialMillis, streams, coldRuns, queued, loadMillis);
        try (Setup setup = new Setup(dir, queued, loadMillis)) {
            int serverPort = setup.warm();
            List<ReferenceProxy> references = new ArrayList<>();
            try {
                references.add(ReferenceProxy.jetty(HOST, serverPort));
                if (nginx != null) {
                    references.add(ReferenceProxy.nginx(nginx, dir, HOST, serverPort));
                }
                List<Via> paths = new ArrayList<>();
                paths.add(new Via("direct", serverPort));
                references.forEach(reference -> paths.add(new Via(reference.name(), reference.port())));
                paths.add(new Via("MAGI", setup.magiPort()));
                // Untimed: the JIT compiles every path before the trials, as it has in a server that has run
                // a while; MAGI's gets the most, its compilations going on longest (seen in a profile).
                load(serverPort, chatBody(false), connections, warmupMillis / 4);
                for (ReferenceProxy reference : references) {
                    load(reference.port(), chatBody(false), connections, warmupMillis / 2);
                }
                load(setup.magiPort(), chatBody(false), connections, warmupMillis);
                throughput(paths, connections, trials, trialMillis, out);
            } finally {
                for (ReferenceProxy reference : references) {
                    reference.close();
                }
            }
            firstByte(setup, serverPort, streams, out);
            cold(setup, coldRuns, out);
            return flood(setup, queued, out);
        } finally {
            ModelTree.deleteRecursively(dir);
        }
    }

    /** Where the throughput trials send their requests: a name for the table, and a port. */
    private record Via(String name, int port) {
    }

    /**
     * Requests per second and latency, direct, through each reference proxy and through MAGI, in
     * alternating trials; each figure as a ratio of the direct one in the same trial.
     */
    private static void throughput(List<Via> paths, int connections, int trials, int trialMillis,
                                   PrintStream out) throws Exception {
        String body = chatBody(false);
        double[][][] measured = new double[trials][paths.size()][];
        for (int trial = 0; trial < trials; trial++) {
            for (int p = 0; p < paths.size(); p++) {
                measured[trial][p] = load(paths.get(p).port(), body, connections, trialMillis);
            }
        }
        out.println();
        StringBuilder header = new StringBuilder("trial");
        for (Via path : paths) {
            header.append(String.format(Locale.ROOT, "  %26s", path.name() + " req/s (ratio), median ms"));
        }
        out.println(header);
        for (int t = 0; t < trials; t++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%5d", t + 1));
            for (int p = 0; p < paths.size(); p++) {
                row.append(String.format(Locale.ROOT, "  %10.0f (%5.3f), %7.3f", measured[t][p][0],
                        measured[t][p][0] / measured[t][0][0], measured[t][p][1]));
            }
            out.println(row);
        }
        for (int p = 1; p < paths.size(); p++) {
            double[] ratios = new double[trials];
            double[] added = new double[trials];
            for (int t = 0; t < trials; t++) {
                ratios[t] = measured[t][p][0] / measured[t][0][0];
                added[t] = measured[t][p][1] - measured[t][0][1];
            }
            out.printf(Locale.ROOT, "%s: median ratio to direct %.3f, median added latency %.3f ms%n",
                    paths.get(p).name(), Samples.median(ratios), Samples.median(added));
        }
    }

    /** One trial: C threads, each with one kept-alive connection, for {@code millis}: [req/s, median ms]. */
    private static double[] load(int port, String body, int connections, int millis) throws Exception {
        byte[] request = HttpConnection.request("POST", HOST, port, CHAT, body);
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            List<Future<long[]>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> {
                    List<Long> latencies = new ArrayList<>();
                    try (HttpConnection connection = new HttpConnection(HOST, port)) {
                        while (System.nanoTime() < end) {
                            long start = System.nanoTime();
                            HttpConnection.Response response = connection.exchange(request, false);
                            if (response.status() != 200) {
                                throw new IllegalStateException("status " + response.status() + " from port " + port);
                            }
                            latencies.add(System.nanoTime() - start);
                        }
                    }
                    return latencies.stream().mapToLong(Long::longValue).toArray();
                }));
            }
            List<Long> all = new ArrayList<>();
            for (Future<long[]> result : results) {
                for (long nanos : result.get()) {
                    all.add(nanos);
                }
            }
            double[] millisEach = all.stream().mapToDouble(n -> n / 1e6).toArray();
            return new double[] {all.size() / (millis / 1000.0), Samples.median(millisEach)};
        } finally {
            pool.shutdownNow();
        }
    }

    /** Time to the first byte of a streamed answer, direct and through MAGI, alternating. */
    private static void firstByte(Setup setup, int serverPort, int streams, PrintStream out) throws IOException {
        String body = chatBody(true);
        double[] direct = new double[streams];
        double[] gateway = new double[streams];
        for (int i = 0; i < streams; i++) {
            direct[i] = streamFirstByte(serverPort, body)[0];
            gateway[i] = streamFirstByte(setup.magiPort(), body)[0];
        }
        double[] added = new double[streams];
        for (int i = 0; i < streams; i++) {
            added[i] = gateway[i] - direct[i];
        }
        out.println();
        out.printf(Locale.ROOT, "streamed, time to first byte over %d requests each: direct median %.3f ms,"
                + " gateway median %.3f ms, added (pairwise median) %.3f ms%n", streams, Samples.median(direct),
                Samples.median(gateway), Samples.median(added));
    }

    /**
     * Sends a streamed chat on a new connection and reads the answer to its end: [ms to the first body
     * byte, the instant of that byte in epoch microseconds].
     */
    private static double[] streamFirstByte(int port, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + CHAT + " HTTP/1.1\r\nHost: " + HOST + ":" + port + "\r\nContent-Type: application/json"
                + "\r\nAccept: text/event-stream\r\nConnection: close\r\nContent-Length: " + bytes.length + "\r\n\r\n";
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(HOST, port), 5_000);
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            long start = System.nanoTime();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            // The end of the headers, then the first byte of the body.
            int matched = 0;
            String status = null;
            StringBuilder firstLine = new StringBuilder();
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the connection closed before the body");
                }
                if (status == null) {
                    if (b == '\r') {
                        status = firstLine.toString();
                    } else {
                        firstLine.append((char) b);
                    }
                }
                matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            if (status == null || !status.contains(" 200 ")) {
                throw new IOException("expected 200, got " + status);
            }
            if (in.read() < 0) {
                throw new IOException("no body");
            }
            long first = System.nanoTime();
            long firstMicros = FakeLlamaServer.epochMicros();
            in.readAllBytes();
            return new double[] {(first - start) / 1e6, firstMicros};
        }
    }

    /** A cold request: the model stopped, a streamed chat through MAGI; first byte against the fake's ready. */
    private static void cold(Setup setup, int runs, PrintStream out) throws Exception {
        String body = chatBody(true);
        double[] firstByte = new double[runs];
        double[] afterReady = new double[runs];
        for (int run = 0; run < runs; run++) {
            setup.stop();
            Files.deleteIfExists(setup.readyFile);
            double[] measured = streamFirstByte(setup.magiPort(), body);
            long readyMicros = Long.parseLong(Files.readString(setup.readyFile).trim());
            firstByte[run] = measured[0];
            afterReady[run] = (measured[1] - readyMicros) / 1000.0;
        }
        out.println();
        out.printf(Locale.ROOT, "cold, %d runs: time to first byte median %.1f ms; after the server itself"
                + " turned ready, median %.2f ms (each: %s)%n", runs, Samples.median(firstByte),
                Samples.median(afterReady), format(afterReady));
    }

    /** N requests at once on a cold model: how many were served, and how many processes started. */
    private static Result flood(Setup setup, int queued, PrintStream out) throws Exception {
        setup.stop();
        int runsBefore = setup.runs();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + setup.magiPort() + CHAT))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(5))
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(false))).build();
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
        }
        int ok = 0;
        int other = 0;
        for (CompletableFuture<HttpResponse<Void>> answer : answers) {
            if (answer.get(5, TimeUnit.MINUTES).statusCode() == 200) {
                ok++;
            } else {
                other++;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.println();
        out.printf(Locale.ROOT, "%d requests at once on a cold model (--queue-limit %d): %d answered 200,"
                + " %d otherwise, %d process(es) started, all done in %.2f s%n", queued, queued, ok, other,
                setup.runs() - runsBefore, seconds);
        return new Result(ok, other, setup.runs() - runsBefore);
    }

    private static String format(double[] values) {
        StringBuilder text = new StringBuilder();
        for (double value : values) {
            text.append(text.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f", value));
        }
        return text + " ms";
    }

    private static String chatBody(boolean stream) {
        return "{\"model\":\"" + MODEL + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";
    }

    /** MAGI's standalone server with one model, whose llama-server is the fake. */
    private static final class Setup implements AutoCloseable {
        final Path readyFile;
        private final Path runsFile;
        private final MagiServer server;

        Setup(Path dir, int queueLimit, int loadMillis) throws Exception {
            Files.createDirectories(dir.resolve("models"));
            GgufWriter.typicalModel().writeTo(dir.resolve("models/" + MODEL + ".gguf"));
            readyFile = dir.resolve("ready");
            runsFile = dir.resolve("runs");
            Path launcher = dir.resolve("bin/llama-server");
            // Chunks without a pause: the benchmark measures what MAGI adds, not a generation speed.
            FakeLlamaServer.launcher().loadMillis(loadMillis).readyFile(readyFile).runsFile(runsFile).quiet()
                    .slots(64).stream(5, 0).writeTo(launcher);
            MagiEngine engine = MagiEngine.builder().withoutEnvironment()
                    .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                    .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                    .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                    .set(ConfigKey.WATCH, "false")
                    .set(ConfigKey.LLAMA_SERVER, launcher.toString())
                    .set(ConfigKey.QUEUE_LIMIT, String.valueOf(Math.min(queueLimit, 512)))
                    .build();
            server = MagiServer.newServer(engine, HOST, 0);
            server.start();
        }

        int magiPort() {
            return server.port();
        }

        /** Starts the model through the gateway; answers the port of its server. */
        int warm() throws IOException {
            streamFirstByte(magiPort(), chatBody(true));
            return server.engine().supervisor().server(MODEL).orElseThrow().port();
        }

        void stop() {
            server.engine().supervisor().stop(MODEL);
            if (server.engine().supervisor().server(MODEL).orElseThrow().state() != ServerState.STOPPED) {
                throw new IllegalStateException("the model's server did not stop");
            }
        }

        int runs() throws IOException {
            return Files.exists(runsFile) ? (int) Files.readAllLines(runsFile).stream().filter(l -> !l.isBlank())
                    .count() : 0;
        }

        @Override
        public void close() {
            server.close();
        }
    }
}

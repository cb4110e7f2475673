package dev.magi.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * A stand-in for llama.cpp's {@code llama-server}, run as a real child process so that supervision
 * is tested against what a real server does: it binds {@code --host}/{@code --port} first, answers
 * {@code GET /health} with 503 while "loading" and 200 once ready, exits 1 with llama-server's
 * messages when the port is taken or the {@code --model} file is not GGUF, and exits 0 on SIGTERM.
 *
 * <p>Its misbehaviour is chosen with environment variables (see {@link Launcher}, which writes an
 * executable script setting them, because MAGI starts {@code LLAMA_SERVER_PATH} as a program):
 * <ul>
 *   <li>{@code FAKE_LLAMA_VERSION}: what {@code --version} says after {@code version: } (default
 *       {@value #VERSION}); a run with {@code --version} prints that on stderr, as llama-server does,
 *       and exits 0 without counting as a run;</li>
 *   <li>{@code FAKE_LLAMA_ARGV_FILE}: write the arguments received there, one per line;</li>
 *   <li>{@code FAKE_LLAMA_RUNS_FILE}: append this run's pid there (its line number is the run number);</li>
 *   <li>{@code FAKE_LLAMA_LOAD_MS}: how long loading takes (default 100);</li>
 *   <li>{@code FAKE_LLAMA_LOAD_MS_BY_ALIAS}: {@code alias=ms,alias=ms}: how long loading takes for the
 *       model of that {@code --alias}, instead;</li>
 *   <li>{@code FAKE_LLAMA_READY_FILE}: write there the instant it turns ready, in microseconds since the
 *       epoch (benchmarks compare it with when the supervisor saw it ready);</li>
 *   <li>{@code FAKE_LLAMA_QUIET}: {@code true} to write nothing once it listens, as with
 *       {@code --log-disable};</li>
 *   <li>{@code FAKE_LLAMA_LOAD_EXIT}: exit with this code at the end of loading;</li>
 *   <li>{@code FAKE_LLAMA_CRASH_AFTER_MS} and {@code FAKE_LLAMA_CRASH_EXIT}: exit with that code this long
 *       after it first answered {@code /health} with 200 (so whoever probes it has seen it ready);</li>
 *   <li>{@code FAKE_LLAMA_CRASH_RUNS}: misbehave (the two above) only in the first N runs;</li>
 *   <li>{@code FAKE_LLAMA_IGNORE_SIGTERM}: {@code true} to survive SIGTERM (only SIGKILL ends it);</li>
 *   <li>{@code FAKE_LLAMA_CHILD}: a command (words split on spaces) started as its own child;</li>
 *   <li>{@code FAKE_LLAMA_OUTPUT_BYTES}: write that much output while loading, mostly on stdout;</li>
 *   <li>{@code FAKE_LLAMA_HEALTH_HANG}: a file; once ready, {@code GET /health} does not answer while it
 *       exists and is empty or holds this server's {@code --alias} (it answers when the file is gone),
 *       so a test makes one ready server hang and recover;</li>
 *   <li>{@code FAKE_LLAMA_DIE_ON_REQUEST}: a file; once ready, a {@code POST} while it exists and is empty
 *       or holds this server's {@code --alias} makes it exit with code 134 at once, without answering.</li>
 * </ul>
 * Once ready it answers a few of llama-server's endpoints, enough for the gateway: {@code GET /props}
 * ({@code total_slots}), {@code POST /v1/chat/completions} (JSON, or with {@code "stream": true}
 * server-sent event chunks ending {@code data: [DONE]}), {@code /v1/completions}, {@code /v1/embeddings},
 * {@code GET /v1/models} (its {@code --alias}), and any other path with a JSON echo of the request
 * ({@link FakeLlamaAnswers}). Those answers are tuned with:
 * <ul>
 *   <li>{@code FAKE_LLAMA_SLOTS}: the {@code total_slots} of {@code /props} (default 1);</li>
 *   <li>{@code FAKE_LLAMA_PROPS_GATE}: a file; {@code /props} answers once it exists, so a test decides
 *       when its reader learns the slots;</li>
 *   <li>{@code FAKE_LLAMA_LOAD_GATE}: a file; loading lasts until it exists, so a test decides when the
 *       server turns ready;</li>
 *   <li>{@code FAKE_LLAMA_STREAM_CHUNKS} and {@code FAKE_LLAMA_STREAM_PACE_MS}: how many chunks a stream
 *       has (default 5) and the pause before each after the first (default 10);</li>
 *   <li>{@code FAKE_LLAMA_STREAM_GATE}: a file; a stream sends its first chunk, then waits until the file
 *       exists before the others;</li>
 *   <li>{@code FAKE_LLAMA_ANSWER_GATE}: a file; a chat answered as JSON (not streamed) is held until the
 *       file exists, as a long generation; a client that closes its connection meanwhile ends it
 *       ({@code client-gone PATH}), as llama-server stops generating for a client that left;</li>
 *   <li>{@code FAKE_LLAMA_ANSWER_DELAY_MS}: a chat answered as JSON (not streamed) is held this long
 *       (after the gate, if any), sending nothing, as a generation that long; a client that closes its
 *       connection meanwhile ends it as above;</li>
 *   <li>{@code FAKE_LLAMA_PACED_ANSWERS}: {@code true} for a chat answered whole (not streamed) to take as
 *       long as a stream: one leading space per chunk, at the stream's pace, then the JSON, so the fake
 *       sees a client that leaves before the end ({@code client-gone PATH});</li>
 *   <li>{@code FAKE_LLAMA_EVENTS_FILE}: append a line per request ({@code request PATH}), per answer
 *       finished ({@code done PATH}) and per answer the client stopped reading ({@code client-gone PATH});</li>
 *   <li>{@code FAKE_LLAMA_ECHO_REQUEST}: {@code true} to answer a chat (not streamed) with
 *       {@code "ALIAS heard: "} and the request body as the message content, so a test sees what was sent;</li>
 *   <li>{@code FAKE_LLAMA_FAIL_CHAT}: aliases, comma-separated, whose chat completions answer 500
 *       ({@code failed PATH} in the events file).</li>
 * </ul>
 * Depends on nothing but the JDK, so its class path is its own class file.
 */
public final class FakeLlamaServer {
    /** The last line written once the bulk output of {@code FAKE_LLAMA_OUTPUT_BYTES} is done. */
    public static final String OUTPUT_DONE = "fake: bulk output done";
    /** How the last line a well-behaved fake writes on stderr once ready begins. */
    public static final String LISTENING = "main: server is listening on http://";
    /** The last line a well-behaved fake writes on stdout once ready; it writes nothing more until stopped. */
    public static final String LAST_LINE = "srv  update_slots: all slots are idle";

    /** What the fake's {@code --version} says after {@code version: } unless told otherwise. */
    public static final String VERSION = "1 (fake)";
    /** What the fake's {@code --version} says after {@code built with }. */
    public static final String BUILD = "java for the tests";

    private static final byte[] GGUF_MAGIC = {'G', 'G', 'U', 'F'};

    private PrintStream out = new PrintStream(new BufferedOutputStream(
            new FileOutputStream(FileDescriptor.out), 1 << 16), false, StandardCharsets.UTF_8);
    private PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true,
            StandardCharsets.UTF_8);
    private volatile boolean loaded;
    /** The file whose presence makes {@code /health} hang once ready; null: it never does. */
    private Path healthHang;
    private String alias;
    private final CountDownLatch seenReady = new CountDownLatch(1);

    private FakeLlamaServer() {
    }

    public static void main(String[] args) throws Exception {
        // The JDK's server writes an answer's head and body apart; with Nagle's algorithm on, a client
        // that delays its ACKs waits 40 ms for the body of every kept-alive answer. llama-server does not.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        new FakeLlamaServer().run(args, System.getenv());
    }

    private void run(String[] args, Map<String, String> env) throws Exception {
        if (Arrays.asList(args).contains("--version")) {
            // As llama-server: two lines on stderr, exit 0; no run is recorded, nothing is served.
            err.println("version: " + env.getOrDefault("FAKE_LLAMA_VERSION", VERSION));
            err.println("built with " + BUILD);
            exit(0);
        }
        String argvFile = env.get("FAKE_LLAMA_ARGV_FILE");
        if (argvFile != null) {
            Files.write(Path.of(argvFile), Arrays.asList(args), StandardCharsets.UTF_8);
        }
        int run = recordRun(env.get("FAKE_LLAMA_RUNS_FILE"));
        String crashRuns = env.get("FAKE_LLAMA_CRASH_RUNS");
        boolean misbehave = crashRuns == null || run <= Integer.parseInt(crashRuns);
        handleSigterm(Boolean.parseBoolean(env.get("FAKE_LLAMA_IGNORE_SIGTERM")));

        String host = option(args, "--host", "127.0.0.1");
        int port = Integer.parseInt(option(args, "--port", "8080"));
        String model = option(args, "--model", null);
        err.println("build: 0 (fake) with java " + Runtime.version() + ", pid " + ProcessHandle.current().pid());

        // llama-server binds before it loads, so a taken port fails before any loading.
        HttpServer server;
        try {
            if (Boolean.parseBoolean(env.get("FAKE_LLAMA_LOSE_BIND")) && misbehave) {
                // As when another program takes the port between MAGI's check and this bind.
                throw new IOException("lost the race for the port");
            }
            server = HttpServer.create(new InetSocketAddress(host, port), 64);
        } catch (IOException e) {
            err.println("main: couldn't bind HTTP server socket, hostname: " + host + ", port: " + port);
            exit(1);
            return;
        }
        String hangFile = env.get("FAKE_LLAMA_HEALTH_HANG");
        healthHang = hangFile == null ? null : Path.of(hangFile);
        alias = option(args, "--alias", "fake");
        server.createContext("/health", this::health);
        FakeLlamaAnswers answers = new FakeLlamaAnswers(option(args, "--alias", "fake"), env);
        String dieFile = env.get("FAKE_LLAMA_DIE_ON_REQUEST");
        server.createContext("/", exchange -> {
            if (loaded && dieFile != null && "POST".equals(exchange.getRequestMethod())
                    && names(Path.of(dieFile), alias)) {
                // As a server that died with the request in hand: no answer, the connection closes.
                err.println("fake: dying on a request to " + exchange.getRequestURI());
                Runtime.getRuntime().halt(134);
            }
            if (loaded) {
                answers.handle(exchange);
            } else {
                health(exchange);
            }
        });
        // Streams hold a thread each while they last; llama-server too serves several at once.
        server.setExecutor(Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "fake-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        err.println("main: HTTP server is listening, hostname: " + host + ", port: " + port + ", http threads: 2");
        if (Boolean.parseBoolean(env.get("FAKE_LLAMA_QUIET"))) {
            out.flush();
            out = new PrintStream(OutputStream.nullOutputStream());
            err = new PrintStream(OutputStream.nullOutputStream());
        }

        String child = env.get("FAKE_LLAMA_CHILD");
        if (child != null) {
            Process process = new ProcessBuilder(child.split(" "))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            out.println("fake: started child pid " + process.pid());
            out.flush();
        }

        err.println("main: loading model");
        if (model == null || !isGguf(Path.of(model))) {
            err.println("gguf_init_from_file_impl: invalid magic characters");
            err.println("llama_model_load: error loading model: llama_model_loader: failed to load model from "
                    + model);
            err.println("srv    load_model: failed to load model, '" + model + "'");
            err.println("main: exiting due to model loading error");
            exit(1);
        }
        writeBulk(env.get("FAKE_LLAMA_OUTPUT_BYTES"));
        answers.warmUp();
        Thread.sleep(loadMillis(env, option(args, "--alias", "")));
        FakeLlamaAnswers.awaitFile(env.get("FAKE_LLAMA_LOAD_GATE"));
        String loadExit = env.get("FAKE_LLAMA_LOAD_EXIT");
        if (loadExit != null && misbehave) {
            err.println("llama_model_load: error loading model: simulated crash during load");
            err.println("fake: exiting with code " + loadExit + " while loading");
            exit(Integer.parseInt(loadExit));
        }
        loaded = true;
        // Taken once /health answers 200, not before: the instant a probe can first see it ready.
        long readyMicros = epochMicros();
        err.println("main: model loaded");
        String readyFile = env.get("FAKE_LLAMA_READY_FILE");
        if (readyFile != null) {
            Files.writeString(Path.of(readyFile), Long.toString(readyMicros), StandardCharsets.UTF_8);
        }
        err.println(LISTENING + host + ":" + port + " - starting the main loop");
        out.println(LAST_LINE);
        out.flush();

        String crashAfter = env.get("FAKE_LLAMA_CRASH_AFTER_MS");
        if (crashAfter != null && misbehave) {
            seenReady.await();
            Thread.sleep(Long.parseLong(crashAfter));
            String code = env.getOrDefault("FAKE_LLAMA_CRASH_EXIT", "134");
            err.println("fake: crashing with exit code " + code);
            exit(Integer.parseInt(code));
        }
        new CountDownLatch(1).await();
    }

    private void health(HttpExchange exchange) throws IOException {
        boolean ready = loaded;
        if (ready && healthHang != null) {
            awaitGone(healthHang, alias);
        }
        byte[] body = (ready
                ? "{\"status\":\"ok\"}"
                : "{\"error\":{\"code\":503,\"message\":\"Loading model\",\"type\":\"unavailable_error\"}}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(ready ? 200 : 503, body.length);
        try (OutputStream response = exchange.getResponseBody()) {
            response.write(body);
        }
        if (ready) {
            seenReady.countDown();
        }
    }

    /** Holds the caller as a hung server would while {@code file} exists and is empty or names {@code alias}. */
    private static void awaitGone(Path file, String alias) {
        try {
            while (names(file, alias)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean names(Path file, String alias) {
        try {
            String named = Files.readString(file, StandardCharsets.UTF_8).trim();
            return named.isEmpty() || named.equals(alias);
        } catch (IOException e) {
            return false;
        }
    }

    private void handleSigterm(boolean ignore) {
        // The JVM's own SIGTERM handling runs shutdown hooks and exits 143; llama-server exits 0.
        sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
            if (ignore) {
                err.println("fake: ignoring SIGTERM");
            } else {
                err.println("fake: received SIGTERM, shutting down");
                exit(0);
            }
        });
    }

    private void writeBulk(String bytes) {
        if (bytes == null) {
            return;
        }
        long total = Long.parseLong(bytes);
        String padding = "x".repeat(80);
        long written = 0;
        for (long line = 0; written < total; line++) {
            String text = "load_tensors: line " + line + " " + padding;
            if (line % 10 == 9) {
                err.println(text);
            } else {
                out.println(text);
            }
            written += text.length() + 1;
        }
        out.println(OUTPUT_DONE);
        out.flush();
    }

    private void exit(int code) {
        out.flush();
        err.flush();
        System.exit(code);
    }

    private static long loadMillis(Map<String, String> env, String alias) {
        String byAlias = env.get("FAKE_LLAMA_LOAD_MS_BY_ALIAS");
        if (byAlias != null) {
            for (String entry : byAlias.split(",")) {
                String[] pair = entry.split("=", 2);
                if (pair.length == 2 && pair[0].equals(alias)) {
                    return Long.parseLong(pair[1]);
                }
            }
        }
        return Long.parseLong(env.getOrDefault("FAKE_LLAMA_LOAD_MS", "100"));
    }

    /** Now, in microseconds since the epoch: the same clock in every process of the machine. */
    public static long epochMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    private static boolean isGguf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(4), GGUF_MAGIC);
        } catch (IOException e) {
            return false;
        }
    }

    private static int recordRun(String runsFile) throws IOException {
        if (runsFile == null) {
            return 1;
        }
        Path file = Path.of(runsFile);
        Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return Files.readAllLines(file).size();
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    /** Writes an executable {@code #!/bin/sh} launcher of the fake with the chosen behaviour. */
    public static Launcher launcher() {
        return new Launcher();
    }

    /** Builds the launcher script: each method sets one of the fake's environment variables. */
    public static final class Launcher {
        private final List<String[]> env = new ArrayList<>();

        private Launcher() {
        }

        public Launcher env(String name, Object value) {
            env.add(new String[] {name, String.valueOf(value)});
            return this;
        }

        /** What {@code --version} says after {@code version: }. */
        public Launcher version(String version) {
            return env("FAKE_LLAMA_VERSION", version);
        }

        public Launcher argvFile(Path file) {
            return env("FAKE_LLAMA_ARGV_FILE", file.toAbsolutePath());
        }

        public Launcher runsFile(Path file) {
            return env("FAKE_LLAMA_RUNS_FILE", file.toAbsolutePath());
        }

        public Launcher loadMillis(long millis) {
            return env("FAKE_LLAMA_LOAD_MS", millis);
        }

        /** Loading takes {@code millis} for the model started with {@code --alias alias}. */
        public Launcher loadMillis(String alias, long millis) {
            for (String[] variable : env) {
                if (variable[0].equals("FAKE_LLAMA_LOAD_MS_BY_ALIAS")) {
                    variable[1] = variable[1] + "," + alias + "=" + millis;
                    return this;
                }
            }
            return env("FAKE_LLAMA_LOAD_MS_BY_ALIAS", alias + "=" + millis);
        }

        /** Writes the instant it turns ready to {@code file}; see {@link FakeLlamaServer#epochMicros()}. */
        public Launcher readyFile(Path file) {
            return env("FAKE_LLAMA_READY_FILE", file.toAbsolutePath());
        }

        /** Writes nothing once it listens, as llama-server with {@code --log-disable}. */
        public Launcher quiet() {
            return env("FAKE_LLAMA_QUIET", true);
        }

        public Launcher exitDuringLoad(int code) {
            return env("FAKE_LLAMA_LOAD_EXIT", code);
        }

        public Launcher crashAfterReady(long millis, int code) {
            return env("FAKE_LLAMA_CRASH_AFTER_MS", millis).env("FAKE_LLAMA_CRASH_EXIT", code);
        }

        /** Misbehave only in the first {@code runs} runs; needs {@link #runsFile}. */
        public Launcher misbehaveOnlyInFirstRuns(int runs) {
            return env("FAKE_LLAMA_CRASH_RUNS", runs);
        }

        /**
         * Fails to bind its port as if another program had taken it after MAGI checked it; with
         * {@link #misbehaveOnlyInFirstRuns} only in the first runs.
         */
        public Launcher loseBindRace() {
            return env("FAKE_LLAMA_LOSE_BIND", true);
        }

        public Launcher ignoreSigterm() {
            return env("FAKE_LLAMA_IGNORE_SIGTERM", true);
        }

        public Launcher child(String command) {
            return env("FAKE_LLAMA_CHILD", command);
        }

        public Launcher outputBytes(long bytes) {
            return env("FAKE_LLAMA_OUTPUT_BYTES", bytes);
        }

        /** The {@code total_slots} that {@code GET /props} answers. */
        public Launcher slots(int slots) {
            return env("FAKE_LLAMA_SLOTS", slots);
        }

        /** Once ready, {@code GET /health} does not answer while {@code file} exists. */
        public Launcher healthHang(Path file) {
            return env("FAKE_LLAMA_HEALTH_HANG", file.toAbsolutePath());
        }

        /** Once ready, a {@code POST} while {@code file} exists makes it exit at once without answering. */
        public Launcher dieOnRequest(Path file) {
            return env("FAKE_LLAMA_DIE_ON_REQUEST", file.toAbsolutePath());
        }

        /** Loading lasts until {@code file} exists. */
        public Launcher loadGate(Path file) {
            return env("FAKE_LLAMA_LOAD_GATE", file.toAbsolutePath());
        }

        /** A stream has {@code chunks} chunks, each after the first {@code paceMillis} after the one before. */
        public Launcher stream(int chunks, long paceMillis) {
            return env("FAKE_LLAMA_STREAM_CHUNKS", chunks).env("FAKE_LLAMA_STREAM_PACE_MS", paceMillis);
        }

        /**
         * A chat answered whole takes as long as a stream of {@link #stream}: a space per chunk at its
         * pace, then the JSON (which leading spaces leave valid).
         */
        public Launcher pacedAnswers() {
            return env("FAKE_LLAMA_PACED_ANSWERS", true);
        }

        /** {@code GET /props} answers only once {@code file} exists. */
        public Launcher propsGate(Path file) {
            return env("FAKE_LLAMA_PROPS_GATE", file.toAbsolutePath());
        }

        /** A stream sends its first chunk, then waits until {@code file} exists. */
        public Launcher streamGate(Path file) {
            return env("FAKE_LLAMA_STREAM_GATE", file.toAbsolutePath());
        }

        /** A chat answered as JSON is held {@code millis}, sending nothing, unless its client closes first. */
        public Launcher answerDelay(long millis) {
            return env("FAKE_LLAMA_ANSWER_DELAY_MS", millis);
        }

        /** A chat answered as JSON waits until {@code file} exists, or its client closed the connection. */
        public Launcher answerGate(Path file) {
            return env("FAKE_LLAMA_ANSWER_GATE", file.toAbsolutePath());
        }

        /** Records requests, finished answers and clients that stopped reading in {@code file}. */
        public Launcher eventsFile(Path file) {
            return env("FAKE_LLAMA_EVENTS_FILE", file.toAbsolutePath());
        }

        /** A chat answered as JSON has {@code "ALIAS heard: "} and the request body as its content. */
        public Launcher echoRequest() {
            return env("FAKE_LLAMA_ECHO_REQUEST", true);
        }

        /** The chat completions of the servers run with these aliases (model ids) answer 500. */
        public Launcher failChat(String... aliases) {
            return env("FAKE_LLAMA_FAIL_CHAT", String.join(",", aliases));
        }

        /** Writes the script to {@code file}, executable, and answers it. */
        public Path writeTo(Path file) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath;
            try {
                classPath = Path.of(FakeLlamaServer.class.getProtectionDomain().getCodeSource().getLocation()
                        .toURI()).toString();
            } catch (URISyntaxException e) {
                throw new IOException("Cannot locate the fake's classes", e);
            }
            StringBuilder script = new StringBuilder("#!/bin/sh\n");
            for (String[] variable : env) {
                script.append("export ").append(variable[0]).append('=').append(quote(variable[1])).append('\n');
            }
            // A small, quick-starting JVM: each fake server costs one JVM start.
            script.append("exec ").append(quote(java))
                    .append(" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx64m -Xss512k -cp ")
                    .append(quote(classPath)).append(' ').append(FakeLlamaServer.class.getName())
                    .append(" \"$@\"\n");
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, script, StandardCharsets.UTF_8);
            if (!file.toFile().setExecutable(true)) {
                throw new IOException("Cannot make " + file + " executable");
            }
            return file;
        }

        private static String quote(String text) {
            return "'" + text.replace("'", "'\\''") + "'";
        }
    }
}

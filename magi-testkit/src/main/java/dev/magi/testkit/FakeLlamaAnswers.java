package dev.magi.testkit;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the fake llama-server answers once ready, besides {@code /health}: just enough of
 * llama-server's endpoints for the gateway to be tested against a real process. See
 * {@link FakeLlamaServer} for the variables that tune it.
 */
final class FakeLlamaAnswers {
    /** Tokens of every prompt, as the fake's answers count them. */
    static final int PROMPT_TOKENS = 3;
    private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

    private final String alias;
    private final int slots;
    private final int chunks;
    private final long paceMillis;
    private final String streamGate;
    private final String answerGate;
    private final long answerDelayMillis;
    private final String propsGate;
    private final String eventsFile;
    private final boolean echoRequest;
    private final boolean failChat;
    private final boolean pacedAnswers;

    FakeLlamaAnswers(String alias, Map<String, String> env) {
        this.alias = alias;
        this.slots = Integer.parseInt(env.getOrDefault("FAKE_LLAMA_SLOTS", "1"));
        this.chunks = Integer.parseInt(env.getOrDefault("FAKE_LLAMA_STREAM_CHUNKS", "5"));
        this.paceMillis = Long.parseLong(env.getOrDefault("FAKE_LLAMA_STREAM_PACE_MS", "10"));
        this.streamGate = env.get("FAKE_LLAMA_STREAM_GATE");
        this.answerGate = env.get("FAKE_LLAMA_ANSWER_GATE");
        this.answerDelayMillis = Long.parseLong(env.getOrDefault("FAKE_LLAMA_ANSWER_DELAY_MS", "0"));
        this.propsGate = env.get("FAKE_LLAMA_PROPS_GATE");
        this.eventsFile = env.get("FAKE_LLAMA_EVENTS_FILE");
        this.echoRequest = Boolean.parseBoolean(env.get("FAKE_LLAMA_ECHO_REQUEST"));
        this.failChat = List.of(env.getOrDefault("FAKE_LLAMA_FAIL_CHAT", "").split(",")).contains(alias);
        this.pacedAnswers = Boolean.parseBoolean(env.get("FAKE_LLAMA_PACED_ANSWERS"));
    }

    void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        record("request " + path);
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            switch (path) {
                case "/props" -> {
                    awaitFile(propsGate);
                    json(exchange, 200, "{\"total_slots\":" + slots + ",\"model_alias\":\"" + alias
                        + "\",\"default_generation_settings\":{\"n_ctx\":2048}}");
                }
                case "/v1/models" -> json(exchange, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"" + alias
                        + "\",\"object\":\"model\",\"owned_by\":\"llamacpp\"}]}");
                case "/v1/chat/completions" -> {
                    if (failChat) {
                        json(exchange, 500, "{\"error\":{\"code\":500,\"message\":\"fake failure of " + alias
                                + "\",\"type\":\"server_error\"}}");
                        record("failed " + path);
                        return;
                    }
                    if (STREAM.matcher(text).find()) {
                        stream(exchange, path);
                        return;
                    }
                    if (!awaitFileWhileConnected(answerGate, exchange) || !holdWhileConnected(answerDelayMillis,
                            exchange)) {
                        // As llama-server, which stops generating for a client that closed its connection.
                        record("client-gone " + path);
                        exchange.close();
                        return;
                    }
                    JsonAnswer whole = pacedAnswers ? this::pacedJson : FakeLlamaAnswers::json;
                    whole.answer(exchange, 200, "{\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion\",\"model\":\""
                            + alias + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
                            + "\"" + (echoRequest ? escape(alias + " heard: " + text) : "fake answer from " + alias)
                            + "\"},\"finish_reason\":\"stop\"}],"
                            + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}");
                }
                case "/v1/completions" -> json(exchange, 200, "{\"id\":\"cmpl-fake\",\"object\":\"text_completion\","
                        + "\"model\":\"" + alias + "\",\"choices\":[{\"index\":0,\"text\":\"fake text from " + alias
                        + "\",\"finish_reason\":\"stop\"}]}");
                case "/v1/embeddings" -> json(exchange, 200, "{\"object\":\"list\",\"model\":\"" + alias
                        + "\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2,0.3]}]}");
                default -> json(exchange, 200, "{\"object\":\"fake.echo\",\"path\":\"" + path + "\",\"model\":\""
                        + alias + "\",\"bodyBytes\":" + body.length + ",\"method\":\"" + exchange.getRequestMethod()
                        + "\",\"rawPath\":\"" + exchange.getRequestURI().getRawPath() + "\",\"rawQuery\":\""
                        + exchange.getRequestURI().getRawQuery() + "\",\"echo\":\""
                        + exchange.getRequestHeaders().getFirst("X-Echo") + "\",\"authorized\":"
                        + exchange.getRequestHeaders().containsKey("Authorization") + ",\"body\":\""
                        + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).replaceAll("[^A-Za-z0-9 ]", "_") + "\"}");
            }
            record("done " + path);
        } catch (IOException e) {
            record("client-gone " + path);
        }
    }

    /**
     * Runs the code of a streamed answer once, while the fake "loads", as llama-server runs a warm-up
     * decode before it turns ready. Without it the first stream of a fresh fake spent 5 to 10 ms more
     * than the next ones building its first chunk (the JVM links each string concatenation on first
     * use), which a cold start's benchmark counted as MAGI's.
     */
    void warmUp() {
        STREAM.matcher("{\"stream\":true}").find();
        for (int i = 0; i < chunks; i++) {
            chunk(i);
        }
    }

    private byte[] chunk(int i) {
        return ("data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"model\":\"" + alias
                + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"}}]"
                + (i == chunks - 1 ? lastChunkTimings() : "") + "}\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Server-sent events at the chosen pace, flushed one by one as llama-server does. */
    private void stream(HttpExchange exchange, String path) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        try {
            for (int i = 0; i < chunks; i++) {
                if (i == 1) {
                    awaitFile(streamGate);
                }
                if (i > 0 && paceMillis > 0) {
                    Thread.sleep(paceMillis);
                }
                out.write(chunk(i));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.close();
            record("done " + path);
        } catch (IOException e) {
            record("client-gone " + path);
            exchange.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        }
    }

    /** The text as the inside of a JSON string. */
    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> escaped.append("\\\"");
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                default -> {
                    if (c < 0x20) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        return escaped.toString();
    }

    /**
     * llama-server ends a stream with its {@code timings}: tokens read ({@code prompt_n}, {@value #PROMPT_TOKENS}
     * here) and written ({@code predicted_n}, one per chunk here).
     */
    private String lastChunkTimings() {
        return ",\"timings\":{\"prompt_n\":" + PROMPT_TOKENS + ",\"prompt_ms\":1.5,\"predicted_n\":" + chunks
                + ",\"predicted_ms\":2.5}";
    }

    /** How a JSON answer is written. */
    private interface JsonAnswer {
        void answer(HttpExchange exchange, int status, String json) throws IOException;
    }

    /** A JSON answer after a space per chunk at the stream's pace: a slow answer whose client may leave. */
    private void pacedJson(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, chunks + bytes.length);
        OutputStream out = exchange.getResponseBody();
        try {
            for (int i = 0; i < chunks; i++) {
                if (i > 0 && paceMillis > 0) {
                    Thread.sleep(paceMillis);
                }
                out.write(' ');
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        out.write(bytes);
        out.close();
    }

    private static void json(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized void record(String line) {
        if (eventsFile == null) {
            return;
        }
        try {
            Files.writeString(Path.of(eventsFile), line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // A test that asked for the record reads it; nothing else to do here.
        }
    }

    /**
     * Waits until {@code file} exists, or until the client closed the connection of {@code exchange}:
     * false then. The JDK's server tells nothing of a close before a write, so the fake reads the
     * connection's state in {@code /proc/net/tcp}: the client's close leaves this end in CLOSE_WAIT.
     */
    private static boolean awaitFileWhileConnected(String file, HttpExchange exchange) {
        if (file == null) {
            return true;
        }
        Path path = Path.of(file);
        try {
            while (!Files.exists(path)) {
                if (closedByClient(exchange.getLocalAddress().getPort(), exchange.getRemoteAddress().getPort())) {
                    return false;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** Waits {@code millis} as a generation that long, or until the client closed the connection: false then. */
    private static boolean holdWhileConnected(long millis, HttpExchange exchange) {
        long end = System.nanoTime() + millis * 1_000_000;
        try {
            while (System.nanoTime() < end) {
                if (closedByClient(exchange.getLocalAddress().getPort(), exchange.getRemoteAddress().getPort())) {
                    return false;
                }
                Thread.sleep(Math.min(20, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** Whether the connection from {@code remotePort} to {@code localPort} is in CLOSE_WAIT (Linux). */
    private static boolean closedByClient(int localPort, int remotePort) {
        String closeWait = "08";
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 3 && port(fields[1]) == localPort && port(fields[2]) == remotePort
                        && fields[3].equals(closeWait)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The port of an {@code ADDRESS:PORT} of {@code /proc/net/tcp}, in hexadecimal there. */
    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1), 16);
    }

    /** Waits until {@code file} exists (the fake polls; a test waits on conditions, the fake may not). */
    static void awaitFile(String file) {
        if (file == null) {
            return;
        }
        Path path = Path.of(file);
        try {
            while (!Files.exists(path)) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

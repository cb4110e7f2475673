package dev.magi.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 connection over a bare socket, for what a full client hides: the order of writing and
 * reading (a whole body written before a byte of the answer is read), several requests over one
 * kept-alive connection, and whether the server closed the connection.
 */
public final class RawHttp implements AutoCloseable {
    /** Filler bytes for bodies: spaces, which are JSON's whitespace too. */
    private static final byte[] FILLER = filler(64 * 1024);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        // A guard against a server that never answers, not a measure of anything.
        socket.setSoTimeout(60_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** A connection to {@code port} on the loopback address. */
    public static RawHttp connect(int port) throws IOException {
        return new RawHttp(new Socket("127.0.0.1", port));
    }

    /** A response: status, headers (names in lower case) and body. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public Reply {
            headers = Map.copyOf(headers);
        }
    }

    /** Sends a request's line, a Host header, {@code headers} (name, value, ...) and the blank line. */
    public void sendHead(String method, String path, String... headers) throws IOException {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (int i = 0; i + 1 < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        send(head.append("\r\n").toString());
    }

    /** Sends a request's line and headers for a JSON body of {@code contentLength} bytes, sent next with {@link #send}. */
    public void sendJsonHead(String method, String path, long contentLength) throws IOException {
        sendHead(method, path, "Content-Type", "application/json", "Content-Length", String.valueOf(contentLength));
    }

    /** Sends text as it is. */
    public void send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sends {@code count} bytes of filler: a body, without holding it in memory. */
    public void sendFiller(long count) throws IOException {
        for (long left = count; left > 0; left -= FILLER.length) {
            out.write(FILLER, 0, (int) Math.min(FILLER.length, left));
        }
        out.flush();
    }

    /** Sends one chunk of a chunked body, of {@code size} bytes of filler (at most 64 KiB). */
    public void sendChunk(int size) throws IOException {
        out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(FILLER, 0, size);
        out.write(new byte[] {'\r', '\n'});
    }

    /** Sends the last chunk of a chunked body. */
    public void sendLastChunk() throws IOException {
        send("0\r\n\r\n");
    }

    /** Reads one response, its body framed by Content-Length or chunked. */
    public Reply read() throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            throw new IOException("the server closed the connection without answering");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(); header != null && !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            line();
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** Whether the server has begun to answer (or closed the connection), without waiting for it. */
    public boolean answered() throws IOException {
        return in.available() > 0 || socket.isInputShutdown();
    }

    /** Everything the server sends until it closes the connection. */
    public String readToEnd() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Whether the server closed the connection: the next read finds its end (or its reset). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("reset")) {
                return true;
            }
            throw e;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static byte[] filler(int size) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) ' ');
        return bytes;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.magi.jaxrs.supervision;

import dev.magi.jaxrs.SseClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A server-sent event stream opened over a bare socket, read only when the test asks, on the test's
 * own thread. Unlike {@link SseClient} it starts no thread, so hundreds of them leave the JVM's thread
 * count to the server; and a stream nobody reads is a client that stopped reading, as a stalled
 * browser tab is.
 */
final class RawStream implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers;

    private RawStream(Socket socket, InputStream in, int status, Map<String, String> headers) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = headers;
    }

    /** Sends the request and reads the status line and headers; reads block at most {@link LiveMagi#PATIENCE}. */
    static RawStream open(URI uri) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()));
        socket.setSoTimeout((int) LiveMagi.PATIENCE.toMillis());
        String request = "GET " + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String statusLine = readLine(in);
        String[] parts = statusLine == null ? new String[0] : statusLine.split(" ", 3);
        if (parts.length < 2) {
            socket.close();
            throw new IOException("Not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return new RawStream(socket, in, Integer.parseInt(parts[1]), headers);
    }

    int status() {
        return status;
    }

    /** A response header, by its name in any case; null when absent. */
    String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The whole body of a response that ends (an error), its chunks joined. */
    String body() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(header("Transfer-Encoding"))) {
            for (int size = chunkSize(); size > 0; size = chunkSize()) {
                body.write(in.readNBytes(size));
                readLine(in);
            }
        } else if (header("Content-Length") != null) {
            body.write(in.readNBytes(Integer.parseInt(header("Content-Length"))));
        } else {
            body.write(in.readAllBytes());
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /**
     * Reads the stream's bytes until an event line {@code event: NAME} has come; comments and other
     * events before it are skipped. Fails when the stream ends first.
     */
    void awaitEvent(String name) throws IOException {
        String wanted = "event:" + name;
        while (true) {
            String line = readLine(in);
            if (line == null) {
                throw new IOException("The stream ended before an event '" + name + "'");
            }
            if (line.replace(" ", "").equals(wanted)) {
                return;
            }
        }
    }

    private int chunkSize() throws IOException {
        String line = readLine(in);
        int extension = line.indexOf(';');
        return Integer.parseInt((extension < 0 ? line : line.substring(0, extension)).trim(), 16);
    }

    /** A line without its CR LF; null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

package dev.magi.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One kept-alive HTTP/1.1 connection over a plain socket: the load generator of the HTTP benchmarks.
 *
 * <p>Hand-written rather than {@code java.net.http.HttpClient} because on two cores the client shares
 * the CPU with the server it measures: a request here is one prepared byte array written and a
 * response read into a reused buffer (status line, headers, then a {@code Content-Length} or chunked
 * body), so the client's share stays small and is the same for MAGI and its baseline.
 */
final class HttpConnection implements AutoCloseable {
    private final String host;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] line = new byte[8192];
    private final byte[] discard = new byte[1 << 16];

    /** What a response carried: its status and body length, and the body when it was kept. */
    record Response(int status, long length, byte[] body, String contentType, boolean chunked) {
    }

    HttpConnection(String host, int port) throws IOException {
        this.host = host;
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(host, port), 5_000);
        socket.setSoTimeout(60_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = socket.getOutputStream();
    }

    /** A complete request, ready to be written as often as needed. */
    static byte[] request(String method, String host, int port, String path, String jsonBody) {
        byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + "Accept: application/json\r\n"
                + (jsonBody == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n")
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, request, 0, headBytes.length);
        System.arraycopy(body, 0, request, headBytes.length, body.length);
        return request;
    }

    /** {@code GET path}, keeping the body. */
    Response get(String path, int port) throws IOException {
        return exchange(request("GET", host, port, path, null), true);
    }

    /** Writes {@code request} and reads the whole response; the body is kept only when asked. */
    Response exchange(byte[] request, boolean keepBody) throws IOException {
        out.write(request);
        out.flush();
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        String contentType = null;
        for (String header = readLine(); !header.isEmpty(); header = readLine()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                case "content-type" -> contentType = value;
                default -> {
                }
            }
        }
        ByteArrayOutputStream body = keepBody ? new ByteArrayOutputStream() : null;
        long length = 0;
        if (chunked) {
            for (long size = chunkSize(); size > 0; size = chunkSize()) {
                length += copy(size, body);
                readLine();
            }
            // Trailers, if any, end with an empty line.
            while (!readLine().isEmpty()) {
                // ignored
            }
        } else if (contentLength >= 0) {
            length = copy(contentLength, body);
        } else {
            throw new IOException("a response without Content-Length or chunked encoding cannot be kept alive");
        }
        if (close) {
            throw new IOException("the server closed the connection (status " + status + ")");
        }
        return new Response(status, length, body == null ? null : body.toByteArray(), contentType, chunked);
    }

    private long chunkSize() throws IOException {
        String text = readLine();
        int semicolon = text.indexOf(';');
        return Long.parseLong((semicolon < 0 ? text : text.substring(0, semicolon)).trim(), 16);
    }

    private long copy(long count, ByteArrayOutputStream body) throws IOException {
        long left = count;
        while (left > 0) {
            int n = in.read(discard, 0, (int) Math.min(discard.length, left));
            if (n < 0) {
                throw new EOFException("the connection ended inside a body");
            }
            if (body != null) {
                body.write(discard, 0, n);
            }
            left -= n;
        }
        return count;
    }

    private String readLine() throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended inside a response head");
            }
            if (b == '\n') {
                break;
            }
            if (length == line.length) {
                throw new IOException("a response head line longer than " + line.length + " bytes");
            }
            line[length++] = (byte) b;
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        return new String(line, 0, length, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

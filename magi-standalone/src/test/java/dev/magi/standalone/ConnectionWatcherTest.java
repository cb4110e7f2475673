package dev.magi.standalone;

import dev.magi.testkit.Eventually;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watcher against a real Jetty connector and a real socket: a request held unanswered, as one that
 * waits for a slot is, while its client closes the connection.
 */
@DisplayName("A connection's watcher")
class ConnectionWatcherTest {
    private Server jetty;
    private ServerConnector connector;
    /** Bytes a client sends behind its request. */
    private static final int JUNK = 1000;
    private final CompletableFuture<EndPoint> held = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        jetty = new Server();
        connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                // Never answered: the request stays as one waiting for its slot.
                held.complete(request.getConnectionMetaData().getConnection().getEndPoint());
                return true;
            }
        });
        jetty.start();
    }

    @AfterEach
    void stop() throws Exception {
        jetty.stop();
    }

    private Socket request() throws Exception {
        Socket socket = new Socket("127.0.0.1", connector.getLocalPort());
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    @Test
    @DisplayName("tells the second wait of a request of a close, though the first wait's read interest is"
            + " still registered")
    void secondWait() throws Exception {
        Socket client = request();
        ConnectionWatcher watcher = new ConnectionWatcher(held.get(60, TimeUnit.SECONDS));
        CountDownLatch first = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);

        watcher.watch(first::countDown).run();
        Runnable stopSecond = watcher.watch(second::countDown);
        client.close();

        assertThat(second.await(60, TimeUnit.SECONDS)).as("the second wait told of the close").isTrue();
        assertThat(first.getCount()).as("the first wait, over, is not told").isEqualTo(1);
        stopSecond.run();
    }

    @Test
    @DisplayName("tells a later wait at once of a close it saw during an earlier one")
    void afterClose() throws Exception {
        Socket client = request();
        ConnectionWatcher watcher = new ConnectionWatcher(held.get(60, TimeUnit.SECONDS));
        CountDownLatch first = new CountDownLatch(1);
        Runnable stopFirst = watcher.watch(first::countDown);
        client.close();
        assertThat(first.await(60, TimeUnit.SECONDS)).as("the first wait told of the close").isTrue();
        stopFirst.run();

        CountDownLatch later = new CountDownLatch(1);
        watcher.watch(later::countDown);
        assertThat(later.getCount()).as("told before watch returned").isZero();
    }

    /** Reads what the client sent off the connection, as Jetty would, until {@code expected} bytes came. */
    private static void awaitUnread(EndPoint endPoint, int expected) {
        AtomicInteger read = new AtomicInteger();
        ByteBuffer buffer = BufferUtil.allocate(expected + 1);
        Eventually.await(Duration.ofSeconds(60), () -> read.get() + " of the " + expected + " bytes left for the connection",
                () -> {
                    try {
                        read.addAndGet(endPoint.fill(buffer));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return read.get() == expected;
                });
    }

    @Test
    @DisplayName("stops watching, having read a single byte, a client that sends bytes behind a request that"
            + " waits, rather than reading them one by one")
    void bytesWhileWatched() throws Exception {
        Socket client = request();
        EndPoint endPoint = held.get(60, TimeUnit.SECONDS);
        ConnectionWatcher watcher = new ConnectionWatcher(endPoint);
        CountDownLatch closed = new CountDownLatch(1);
        Runnable stop = watcher.watch(closed::countDown);
        OutputStream out = client.getOutputStream();
        out.write(new byte[JUNK]);
        out.flush();

        Eventually.await(Duration.ofSeconds(60), "the watcher to stop watching", () -> !watcher.interested());
        assertThat(watcher.dropped()).as("bytes read and dropped").isEqualTo(1);
        awaitUnread(endPoint, JUNK - 1);

        CountDownLatch later = new CountDownLatch(1);
        watcher.watch(later::countDown).run();
        assertThat(watcher.interested()).as("a later wait does not watch the connection again").isFalse();
        assertThat(closed.getCount()).as("bytes are not a close").isEqualTo(1);
        stop.run();
        client.close();
    }

    @Test
    @DisplayName("reads nothing of what becomes readable once no wait watches: it may be the next request")
    void bytesAfterTheWait() throws Exception {
        Socket client = request();
        EndPoint endPoint = held.get(60, TimeUnit.SECONDS);
        ConnectionWatcher watcher = new ConnectionWatcher(endPoint);
        watcher.watch(() -> { }).run();
        OutputStream out = client.getOutputStream();
        out.write(new byte[JUNK]);
        out.flush();

        Eventually.await(Duration.ofSeconds(60), "the watcher to be woken and let go", () -> !watcher.interested());
        assertThat(watcher.dropped()).as("bytes read and dropped").isZero();
        awaitUnread(endPoint, JUNK);
        client.close();
    }
}

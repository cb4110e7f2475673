package dev.magi.standalone;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watcher against a real Jetty connector and a real socket: a request held unanswered, as one that
 * waits for a slot is, while its client closes the connection.
 */
@DisplayName("A connection's watcher")
class ConnectionWatcherTest {
    private Server jetty;
    private ServerConnector connector;
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
}

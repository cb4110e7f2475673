package dev.magi.jaxrs.gateway;

import dev.magi.core.engine.MagiEngine;
import dev.magi.core.gateway.Admission;
import dev.magi.core.gateway.Lease;
import dev.magi.testkit.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.magi.jaxrs.gateway.LiveGateway.PATIENCE;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An answer that cannot be written to its client (the container throws as its first byte is sent)
 * still gives its lease back: the model's slot must not stay taken for good. The answer comes from a
 * real fake llama-server through the real upstream client; only the client's side, the servlet
 * request and response, is a stand-in, since no real container throws on demand.
 */
@DisplayName("An answer whose client cannot be written to")
class UpstreamPipeFailureTest {
    private static final String MODEL = "small-1b-q4_0";
    private static final byte[] CHAT = ("{\"model\":\"" + MODEL + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private LiveGateway gateway;

    @AfterEach
    void close() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @DisplayName("gives its lease back when the first write throws, and the slot serves the next request")
    void leaseReleasedWhenTheWriteThrows() throws Exception {
        gateway = LiveGateway.in(dir).model(MODEL).start();
        MagiEngine engine = gateway.engine();
        Lease lease = admit(engine);
        assertThat(engine.gateway().inFlight(MODEL)).isEqualTo(1);
        AtomicBoolean writeTried = new AtomicBoolean();

        try (Upstream upstream = new Upstream(); GatewayTimers timers = new GatewayTimers()) {
            CompletableFuture<Upstream.Answer> answered = upstream.forward(lease, "/v1/chat/completions", CHAT,
                    Map.of("Content-Type", "application/json"));
            Exchange exchange = Exchange.start(ServletStubs.request(), ServletStubs.failingResponse(writeTried), ClientWatch.NONE, timers);
            Inference.deliver(answered, exchange, null);

            Eventually.await(PATIENCE, "the answer to be written", writeTried::get);
            Eventually.await(PATIENCE, "the lease to be given back", () -> engine.gateway().inFlight(MODEL) == 0);
        }
        try (Lease next = admit(engine)) {
            assertThat(engine.gateway().inFlight(MODEL)).isEqualTo(1);
        }
    }

    private static Lease admit(MagiEngine engine) throws Exception {
        return engine.gateway().admit(new Admission(MODEL, null, null, false))
                .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
}

package dev.magi.core.gateway;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("The gateway, against the fake llama-server as a real process")
class GatewayTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private MagiEngine engine;
    /** {@code --idle-ttl} of the next engine. */
    private String idleTtl = "900";
    /** The restart (and start) back-off of the next engine; null for the default. */
    private Duration backOff;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    private Path runsFile() {
        return dir.resolve("runs.txt");
    }

    private Path loadGate() {
        return dir.resolve("load-gate");
    }

    /** An engine over {@code models} (enabled), the fake installed as llama-server. */
    private Gateway gateway(FakeLlamaServer.Launcher fake, String queueTimeout, String... models) throws Exception {
        Files.createDirectories(dir.resolve("models"));
        for (String model : models) {
            GgufWriter.typicalModel().writeTo(dir.resolve("models").resolve(model));
        }
        fake.runsFile(runsFile()).writeTo(dir.resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(10);
        engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, dir.resolve("bin/llama-server").toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                .set(ConfigKey.MAX_STARTUP_TIME, "30")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "1")
                .set(ConfigKey.QUEUE_TIMEOUT, queueTimeout)
                .set(ConfigKey.IDLE_TTL, idleTtl)
                .supervision(options -> backOff == null ? options
                        : options.withRestartPolicy(backOff, backOff, 5, Duration.ofMinutes(10)))
                .build();
        engine.registry().setAllEnabled(true);
        return engine.gateway();
    }

    private int runs() throws Exception {
        return Files.exists(runsFile()) ? Files.readAllLines(runsFile()).size() : 0;
    }

    private static Admission chat(String model) {
        return new Admission(model, "hello", null, true);
    }

    private static GatewayError errorOf(CompletableFuture<Lease> future) {
        assertThat(future).isCompletedExceptionally();
        try {
            future.join();
            throw new AssertionError("not failed");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayException.class);
            return ((GatewayException) e.getCause()).error();
        }
    }

    private static Lease await(CompletableFuture<Lease> future) throws Exception {
        return future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Nested
    @DisplayName("on demand")
    class OnDemand {
        @Test
        @DisplayName("600 concurrent requests for one cold model start one process; 64 are served once it is"
                + " ready, the others are refused queue_full at once, and none hangs")
        void flood() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher().loadGate(loadGate()), "300", "small-1b-q4_0.gguf");
            ExecutorService clients = Executors.newFixedThreadPool(16);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<CompletableFuture<Lease>>> admitted = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                admitted.add(clients.submit(() -> {
                    go.await();
                    return gateway.admit(chat("small-1b-q4_0"));
                }));
            }
            go.countDown();
            List<CompletableFuture<Lease>> futures = new ArrayList<>();
            for (Future<CompletableFuture<Lease>> f : admitted) {
                futures.add(f.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            }
            clients.shutdown();

            // The server cannot be ready yet: its loading waits for the gate.
            List<CompletableFuture<Lease>> refused = futures.stream().filter(CompletableFuture::isDone).toList();
            List<CompletableFuture<Lease>> waiting = futures.stream().filter(f -> !f.isDone()).toList();
            assertThat(refused).hasSize(536).allSatisfy(f -> assertThat(errorOf(f)).isEqualTo(GatewayError.QUEUE_FULL));
            assertThat(waiting).hasSize(64);
            assertThat(gateway.queued("small-1b-q4_0")).isEqualTo(64);

            // One slot: each lease is closed as soon as it is granted, so the next in the queue gets it.
            List<Lease> served = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> all = CompletableFuture.allOf(waiting.stream()
                    .map(future -> future.thenAccept(lease -> {
                        served.add(lease);
                        lease.close();
                    })).toArray(CompletableFuture[]::new));
            Files.createFile(loadGate());
            all.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(served).hasSize(64).allSatisfy(lease -> {
                assertThat(lease.modelId()).isEqualTo("small-1b-q4_0");
                assertThat(lease.route()).isEqualTo(Route.MODEL);
                assertThat(lease.baseUri().toString()).startsWith("http://127.0.0.1:");
            });
            assertThat(runs()).isEqualTo(1);
            assertThat(gateway.queued("small-1b-q4_0")).isZero();
            assertThat(gateway.inFlight("small-1b-q4_0")).isZero();
            assertThat(gateway.startedBy("small-1b-q4_0")).contains(StartedBy.GATEWAY);
        }

        @Test
        @DisplayName("a server serves as many requests at once as /props says it has slots; a closed lease"
                + " lets the next in")
        void slotsFromProps() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher().slots(2), "300", "small-1b-q4_0.gguf");
            Lease first = await(gateway.admit(chat("small-1b-q4_0")));
            Lease second = await(gateway.admit(chat("small-1b-q4_0")));
            CompletableFuture<Lease> third = gateway.admit(chat("small-1b-q4_0"));

            assertThat(first.loadMs()).isGreaterThanOrEqualTo(0);
            assertThat(second.loadMs()).isZero();
            assertThat(third).isNotDone();
            assertThat(gateway.inFlight("small-1b-q4_0")).isEqualTo(2);
            second.close();
            second.close();
            try (Lease lease = await(third)) {
                assertThat(gateway.inFlight("small-1b-q4_0")).isEqualTo(2);
            }
            first.close();
            assertThat(gateway.inFlight("small-1b-q4_0")).isZero();
        }

        @Test
        @DisplayName("the first request is handed the ready server before its /props is read, with one slot;"
                + " the other slots come once /props answers")
        void firstRequestDoesNotWaitForProps() throws Exception {
            Path propsGate = dir.resolve("props-gate");
            Gateway gateway = gateway(FakeLlamaServer.launcher().slots(2).propsGate(propsGate), "300",
                    "small-1b-q4_0.gguf");

            // /props cannot answer yet: the lease comes from the ready server alone.
            Lease first = await(gateway.admit(chat("small-1b-q4_0")));
            CompletableFuture<Lease> second = gateway.admit(chat("small-1b-q4_0"));

            assertThat(first.loadMs()).isGreaterThanOrEqualTo(0);
            assertThat(second).as("one slot until /props says more").isNotDone();
            assertThat(gateway.traffic("small-1b-q4_0").slots()).as("not read yet").isZero();
            Files.createFile(propsGate);
            try (Lease lease = await(second)) {
                assertThat(gateway.inFlight("small-1b-q4_0")).isEqualTo(2);
                assertThat(gateway.traffic("small-1b-q4_0").slots()).isEqualTo(2);
            }
            first.close();
            assertThat(gateway.inFlight("small-1b-q4_0")).isZero();
        }

        @Test
        @DisplayName("a failed start answers every waiter model_load_failed with the exit code and the last log lines")
        void failedStart() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher().exitDuringLoad(3), "300", "small-1b-q4_0.gguf");
            List<CompletableFuture<Lease>> waiters = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiters.add(gateway.admit(chat("small-1b-q4_0")));
            }
            for (CompletableFuture<Lease> waiter : waiters) {
                Eventually.await(PATIENCE, "the start to fail", waiter::isDone);
                assertThat(errorOf(waiter)).isEqualTo(GatewayError.MODEL_LOAD_FAILED);
                assertThatThrownBy(waiter::join).cause().hasMessageContaining("3")
                        .hasMessageContaining("simulated crash during load");
            }
            assertThat(runs()).isEqualTo(1);
            assertThat(gateway.queued("small-1b-q4_0")).isZero();
        }

        @Test
        @DisplayName("after a failed start, requests for the model are refused model_backoff until its back-off"
                + " ends, and no new start is tried")
        void backOffAfterFailedStart() throws Exception {
            backOff = Duration.ofSeconds(60);
            Gateway gateway = gateway(FakeLlamaServer.launcher().exitDuringLoad(3), "300", "small-1b-q4_0.gguf");
            CompletableFuture<Lease> first = gateway.admit(chat("small-1b-q4_0"));
            Eventually.await(PATIENCE, "the start to fail", first::isDone);
            assertThat(errorOf(first)).isEqualTo(GatewayError.MODEL_LOAD_FAILED);

            CompletableFuture<Lease> next = gateway.admit(chat("small-1b-q4_0"));

            assertThat(next).isDone();
            assertThat(errorOf(next)).isEqualTo(GatewayError.MODEL_BACKOFF);
            Throwable failure = next.handle((lease, thrown) -> thrown).join();
            GatewayException refusal = (GatewayException) (failure instanceof CompletionException
                    ? failure.getCause() : failure);
            assertThat(refusal.retryAfterSeconds()).isBetween(1, 60);
            assertThat(refusal.getMessage()).contains("small-1b-q4_0", "failed to start");
            assertThat(runs()).isEqualTo(1);
        }

        @Test
        @DisplayName("a tier falls to its other candidate while one is in start back-off")
        void tierAvoidsBackOff() throws Exception {
            backOff = Duration.ofSeconds(60);
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf", "tiny-1b-q4_0.gguf");
            engine.registry().setTierOverride("small-1b-q4_0", Tier.FAST);
            engine.registry().setTierOverride("tiny-1b-q4_0", Tier.FAST);
            // Only the first candidate (by id) fails to load: the fake reads its knobs from its environment.
            engine.registry().updateRuntimeSettings("small-1b-q4_0",
                    settings -> settings.withEnv(Map.of("FAKE_LLAMA_LOAD_EXIT", "3")));
            CompletableFuture<Lease> first = gateway.admit(chat("small-1b-q4_0"));
            Eventually.await(PATIENCE, "the start to fail", first::isDone);
            assertThat(errorOf(first)).isEqualTo(GatewayError.MODEL_LOAD_FAILED);

            for (int i = 0; i < 3; i++) {
                try (Lease lease = await(gateway.admit(chat("fast")))) {
                    assertThat(lease.modelId()).isEqualTo("tiny-1b-q4_0");
                }
            }
            assertThat(errorOf(gateway.admit(chat("small-1b-q4_0")))).isEqualTo(GatewayError.MODEL_BACKOFF);
            assertThat(runs()).isEqualTo(2);
        }

        @Test
        @DisplayName("a wait longer than --queue-timeout is queue_timeout")
        void queueTimeout() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher().loadGate(loadGate()), "0.3", "small-1b-q4_0.gguf");
            CompletableFuture<Lease> waiter = gateway.admit(chat("small-1b-q4_0"));
            Eventually.await(PATIENCE, "the wait to time out", waiter::isDone);
            assertThat(errorOf(waiter)).isEqualTo(GatewayError.QUEUE_TIMEOUT);
            assertThat(gateway.queued("small-1b-q4_0")).isZero();
        }

        @Test
        @DisplayName("a request whose client goes away (its future cancelled) leaves the queue")
        void cancelLeaves() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher().loadGate(loadGate()), "300", "small-1b-q4_0.gguf");
            CompletableFuture<Lease> gone = gateway.admit(chat("small-1b-q4_0"));
            CompletableFuture<Lease> stays = gateway.admit(chat("small-1b-q4_0"));
            assertThat(gateway.queued("small-1b-q4_0")).isEqualTo(2);

            gone.cancel(true);

            assertThat(gateway.queued("small-1b-q4_0")).isEqualTo(1);
            Files.createFile(loadGate());
            await(stays).close();
            assertThat(gateway.inFlight("small-1b-q4_0")).isZero();
        }
    }

    @Nested
    @DisplayName("which model")
    class WhichModel {
        @Test
        @DisplayName("a tier name is served by its candidate, and auto by the tier its score chooses")
        void tierAndAuto() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf", "big-70b-q4_0.gguf");
            engine.registry().setTierOverride("small-1b-q4_0", Tier.FAST);
            engine.registry().setTierOverride("big-70b-q4_0", Tier.POWERFUL);
            try (Lease fast = await(gateway.admit(chat("FAST")))) {
                assertThat(fast.modelId()).isEqualTo("small-1b-q4_0");
                assertThat(fast.route()).isEqualTo(Route.TIER);
                assertThat(fast.tier()).isEqualTo(Tier.FAST);
                assertThat(fast.score()).isNull();
            }
            try (Lease auto = await(gateway.admit(new Admission("auto", "Analyze X and compare Y", null, true)))) {
                assertThat(auto.modelId()).isEqualTo("big-70b-q4_0");
                assertThat(auto.route()).isEqualTo(Route.AUTO);
                assertThat(auto.tier()).isEqualTo(Tier.POWERFUL);
                assertThat(auto.score()).isEqualTo(7.25);
            }
            assertThat(runs()).isEqualTo(2);
        }

        @Test
        @DisplayName("an alias set with PUT /{id}/aliases names its model, with the route alias")
        void alias() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf");
            assertThat(errorOf(gateway.admit(chat("gpt-4o-mini")))).isEqualTo(GatewayError.MODEL_NOT_FOUND);
            engine.registry().setAliases("small-1b-q4_0", List.of("gpt-4o-mini"));
            try (Lease aliased = await(gateway.admit(chat("gpt-4o-mini")))) {
                assertThat(aliased.modelId()).isEqualTo("small-1b-q4_0");
                assertThat(aliased.route()).isEqualTo(Route.ALIAS);
            }
        }

        @Test
        @DisplayName("a tier or auto where one model's vocabulary matters is virtual_model_not_supported, and"
                + " nothing starts")
        void virtualRefused() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf");
            assertThat(errorOf(gateway.admit(new Admission("fast", null, null, false))))
                    .isEqualTo(GatewayError.VIRTUAL_MODEL_NOT_SUPPORTED);
            assertThat(errorOf(gateway.admit(new Admission("auto", "hi", null, false))))
                    .isEqualTo(GatewayError.VIRTUAL_MODEL_NOT_SUPPORTED);
            assertThat(errorOf(gateway.admit(new Admission("nope", null, null, true))))
                    .isEqualTo(GatewayError.MODEL_NOT_FOUND);
            assertThat(errorOf(gateway.admit(new Admission(null, null, null, true))))
                    .isEqualTo(GatewayError.MODEL_REQUIRED);
            assertThat(runs()).isZero();
            assertThat(engine.supervisor().servers()).isEmpty();
        }

        @Test
        @DisplayName("lists runnable models, the tiers with candidates and auto")
        void listing() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf");
            engine.registry().setTierOverride("small-1b-q4_0", Tier.FAST);
            assertThat(gateway.models()).extracting(ListedModel::id).containsExactly("small-1b-q4_0", "fast", "auto");
            assertThat(gateway.models()).extracting(ListedModel::virtual).containsExactly(false, true, true);
            assertThat(Files.readString(dir.resolve("models/small-1b-q4_0.gguf"), StandardCharsets.ISO_8859_1))
                    .startsWith("GGUF");
        }
    }

    @Nested
    @DisplayName("idle unload")
    class Idle {
        private ServerState state(String id) {
            return engine.supervisor().server(id).map(ServerStatus::state).orElse(ServerState.STOPPED);
        }

        @Test
        @DisplayName("a server the gateway started stops once unused for --idle-ttl, and the next request"
                + " starts it again")
        void unloadsOnDemandServer() throws Exception {
            idleTtl = "1";
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf");
            List<String> unloads = new CopyOnWriteArrayList<>();
            gateway.addObserver(new GatewayObserver() {
                @Override
                public void unloaded(String modelId, String reason) {
                    unloads.add(modelId + " " + reason);
                }
            });
            await(gateway.admit(chat("small-1b-q4_0"))).close();
            assertThat(state("small-1b-q4_0")).isEqualTo(ServerState.READY);

            Eventually.await(PATIENCE, "the idle server to stop", () -> state("small-1b-q4_0") == ServerState.STOPPED);
            Eventually.await(PATIENCE, "the unload to be told, with its reason", () -> !unloads.isEmpty());
            assertThat(unloads).containsExactly("small-1b-q4_0 idle");

            Eventually.await(PATIENCE, "the stopped server to be forgotten as the gateway's",
                    () -> gateway.startedBy("small-1b-q4_0").isEmpty());
            try (Lease again = await(gateway.admit(chat("small-1b-q4_0")))) {
                assertThat(again.loadMs()).isGreaterThanOrEqualTo(0);
            }
            assertThat(runs()).isEqualTo(2);
        }

        @Test
        @DisplayName("a server serving a request is not unloaded, however long the request lasts")
        void keepsBusyServer() throws Exception {
            idleTtl = "1";
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf", "big-70b-q4_0.gguf");
            Lease busy = await(gateway.admit(chat("big-70b-q4_0")));
            // The witness is used after the busy one started: were busy servers due, the busy one would be
            // due no later than the witness.
            await(gateway.admit(chat("small-1b-q4_0"))).close();

            Eventually.await(PATIENCE, "the idle witness to stop", () -> state("small-1b-q4_0") == ServerState.STOPPED);

            assertThat(state("big-70b-q4_0")).isEqualTo(ServerState.READY);
            busy.close();
            Eventually.await(PATIENCE, "the server to stop once idle", () -> state("big-70b-q4_0") == ServerState.STOPPED);
        }

        @Test
        @DisplayName("a model's ttlSeconds 0 keeps a server the gateway started past a 1 s --idle-ttl")
        void ttlZeroKeeps() throws Exception {
            idleTtl = "1";
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf", "big-70b-q4_0.gguf");
            engine.registry().updateRuntimeSettings("big-70b-q4_0", settings -> settings.withTtlSeconds(0));
            await(gateway.admit(chat("big-70b-q4_0"))).close();
            // Used after the kept one, so were ttlSeconds ignored, the kept one would be due no later.
            await(gateway.admit(chat("small-1b-q4_0"))).close();

            Eventually.await(PATIENCE, "the idle witness to stop", () -> state("small-1b-q4_0") == ServerState.STOPPED);

            assertThat(state("big-70b-q4_0")).isEqualTo(ServerState.READY);
            assertThat(gateway.startedBy("big-70b-q4_0")).contains(StartedBy.GATEWAY);
            assertThat(gateway.retention("big-70b-q4_0").idleExpiresAt()).isNull();
            assertThat(gateway.retention("big-70b-q4_0").pinned()).isFalse();
        }

        @Test
        @DisplayName("a model's ttlSeconds of 1 s unloads its server, though --idle-ttl is 900 s")
        void ownTtlUnloads() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf");
            engine.registry().updateRuntimeSettings("small-1b-q4_0", settings -> settings.withTtlSeconds(1));
            Lease lease = await(gateway.admit(chat("small-1b-q4_0")));
            assertThat(gateway.retention("small-1b-q4_0").idleExpiresAt()).as("busy").isNull();
            assertThat(gateway.retention("small-1b-q4_0").lastRequestAt()).isNotNull();
            lease.close();

            Eventually.await(PATIENCE, "the idle server to stop", () -> state("small-1b-q4_0") == ServerState.STOPPED);
        }

        @Test
        @DisplayName("a start through the API of a running server the gateway started pins it: it is never unloaded")
        void apiStartPinsGatewayServer() throws Exception {
            idleTtl = "1";
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf", "big-70b-q4_0.gguf");
            // Held while it is started through the API, so that it cannot go idle before.
            try (Lease held = await(gateway.admit(chat("big-70b-q4_0")))) {
                assertThat(gateway.startedBy("big-70b-q4_0")).contains(StartedBy.GATEWAY);
                ServerStatus started = engine.startServer("big-70b-q4_0", true);
                assertThat(started.state()).isEqualTo(ServerState.READY);
            }
            assertThat(gateway.startedBy("big-70b-q4_0")).contains(StartedBy.API);
            assertThat(gateway.retention("big-70b-q4_0").pinned()).isTrue();
            assertThat(gateway.retention("big-70b-q4_0").idleExpiresAt()).isNull();
            await(gateway.admit(chat("small-1b-q4_0"))).close();

            Eventually.await(PATIENCE, "the idle witness to stop", () -> state("small-1b-q4_0") == ServerState.STOPPED);

            assertThat(state("big-70b-q4_0")).isEqualTo(ServerState.READY);
            // The API start found the gateway's process running and started none of its own.
            assertThat(runs()).isEqualTo(2);
        }

        @Test
        @DisplayName("a server started through the API is pinned: never unloaded for idleness")
        void keepsPinnedServer() throws Exception {
            idleTtl = "1";
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", "small-1b-q4_0.gguf", "big-70b-q4_0.gguf");
            engine.startServer("big-70b-q4_0", true);
            await(gateway.admit(chat("big-70b-q4_0"))).close();
            // Used after the pinned one, so were pinned servers due, the pinned one would be due no later.
            await(gateway.admit(chat("small-1b-q4_0"))).close();

            Eventually.await(PATIENCE, "the idle witness to stop", () -> state("small-1b-q4_0") == ServerState.STOPPED);

            assertThat(state("big-70b-q4_0")).isEqualTo(ServerState.READY);
            assertThat(gateway.startedBy("big-70b-q4_0")).contains(StartedBy.API);
            // Served by the process started through the API, not by a new one.
            await(gateway.admit(chat("big-70b-q4_0"))).close();
            assertThat(runs()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("following the server's runs")
    class Runs {
        private static final String MODEL = "small-1b-q4_0";

        @Test
        @DisplayName("a server the gateway started, then stopped and started on another port through the API,"
                + " is reached at its new port by the next request")
        void newPort() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher(), "300", MODEL + ".gguf");
            URI first;
            try (Lease lease = await(gateway.admit(chat(MODEL)))) {
                first = lease.baseUri();
            }
            int moved = FreePorts.rangeStart(1);
            engine.registry().setPort(MODEL, moved);
            engine.supervisor().stop(MODEL);
            ServerStatus restarted = engine.startServer(MODEL, true);
            assertThat(restarted.endpoint().getPort()).isEqualTo(moved).isNotEqualTo(first.getPort());

            try (Lease lease = await(gateway.admit(chat(MODEL)))) {
                assertThat(lease.baseUri()).isEqualTo(restarted.endpoint());
            }
            assertThat(runs()).isEqualTo(2);
        }

        @Test
        @DisplayName("a server restarted through the API with other slots is held to its new slots, which"
                + " GET /servers shows before any request")
        void newSlots() throws Exception {
            Gateway gateway = gateway(FakeLlamaServer.launcher().slots(1), "300", MODEL + ".gguf");
            await(gateway.admit(chat(MODEL))).close();
            // Read beside the first request, which does not wait for it.
            Eventually.await(PATIENCE, "the first run's slots to be read", () -> gateway.traffic(MODEL).slots() == 1);

            engine.supervisor().stop(MODEL);
            Eventually.await(PATIENCE, "the stopped server's slots to be forgotten",
                    () -> gateway.traffic(MODEL).slots() == 0);
            // The next run of the same program answers 3 slots, as llama-server with another --parallel.
            FakeLlamaServer.launcher().slots(3).runsFile(runsFile()).writeTo(dir.resolve("bin/llama-server"));
            engine.startServer(MODEL, true);
            Eventually.await(PATIENCE, "the new run's slots to be read",
                    () -> gateway.traffic(MODEL).slots() == 3);

            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                leases.add(await(gateway.admit(chat(MODEL))));
            }
            assertThat(gateway.inFlight(MODEL)).isEqualTo(3);
            assertThat(gateway.queued(MODEL)).isZero();
            leases.forEach(Lease::close);
            assertThat(runs()).isEqualTo(2);
        }

        @Test
        @DisplayName("a server the gateway started that crashed and was restarted by the supervisor with other"
                + " slots is held to its new slots, with no request in between")
        void crashRestart() throws Exception {
            backOff = Duration.ofMillis(200);
            Gateway gateway = gateway(FakeLlamaServer.launcher().slots(1), "300", MODEL + ".gguf");
            await(gateway.admit(chat(MODEL))).close();
            // Read beside the first request, which does not wait for it.
            Eventually.await(PATIENCE, "the first run's slots to be read", () -> gateway.traffic(MODEL).slots() == 1);
            ServerStatus first = engine.supervisor().server(MODEL).orElseThrow();
            // Its process runs already: the script is read again only by the restart.
            FakeLlamaServer.launcher().slots(3).runsFile(runsFile()).writeTo(dir.resolve("bin/llama-server"));

            assertThat(ProcessHandle.of(first.pid()).orElseThrow().destroyForcibly()).isTrue();
            Eventually.await(PATIENCE, "the supervisor to restart it", () -> engine.supervisor().server(MODEL)
                    .map(server -> server.isReady() && server.restartCount() == 1).orElse(false));
            Eventually.await(PATIENCE, "the restarted run's slots to be read",
                    () -> gateway.traffic(MODEL).slots() == 3);

            assertThat(runs()).isEqualTo(2);
            assertThat(gateway.startedBy(MODEL)).contains(StartedBy.GATEWAY);
        }
    }
}

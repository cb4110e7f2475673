package dev.magi.core.gateway;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.core.memory.MemoryEstimate;
import dev.magi.core.supervision.ServerState;
import dev.magi.core.supervision.ServerStatus;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The memory budget, against the fake llama-server as a real process")
class MemoryBudgetTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** 1 layer x 4 KV heads x (64 + 64) x 2 bytes per token, at the header's 4,096 tokens. */
    private static final long SMALL_BYTES = MemoryEstimate.bytes(0, 1024, 4096, 0);
    private static final String A = "a-1b-q4_0";
    private static final String B = "b-1b-q4_0";
    private static final String HUGE = "huge-1b-q4_0";

    @TempDir
    Path dir;
    private MagiEngine engine;
    private final List<String> events = new CopyOnWriteArrayList<>();
    /** The fake llama-server of the next engine. */
    private FakeLlamaServer.Launcher fake = FakeLlamaServer.launcher();

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** An engine over the models a and b (about 4.2 MiB each) and huge (64 MiB of cache), all enabled. */
    private Gateway gateway(String memoryBudget, String maxLoadedModels) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        for (String id : List.of(A, B)) {
            model(4096).writeTo(models.resolve(id + ".gguf"));
        }
        model(65_536).writeTo(models.resolve(HUGE + ".gguf"));
        fake.runsFile(dir.resolve("runs.txt")).writeTo(dir.resolve("bin/llama-server"));
        int ports = FreePorts.rangeStart(10);
        engine = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, models.toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, dir.resolve("bin/llama-server").toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                .set(ConfigKey.MAX_STARTUP_TIME, "30")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "1")
                .set(ConfigKey.MEMORY_BUDGET, memoryBudget)
                .set(ConfigKey.MAX_LOADED_MODELS, maxLoadedModels)
                .build();
        engine.registry().setAllEnabled(true);
        Gateway gateway = engine.gateway();
        gateway.addObserver(new GatewayObserver() {
            @Override
            public void startedOnDemand(String modelId) {
                events.add("started " + modelId);
            }

            @Override
            public void unloaded(String modelId, String reason) {
                events.add("unloaded " + modelId + " " + reason);
            }
        });
        return gateway;
    }

    private static GgufWriter model(int contextLength) {
        return GgufWriter.typicalModel()
                .putUint32("llama.context_length", contextLength)
                .putUint32("llama.attention.head_count", 4);
    }

    private ServerState state(String id) {
        return engine.supervisor().server(id).map(ServerStatus::state).orElse(ServerState.STOPPED);
    }

    private int runs() throws Exception {
        Path runs = dir.resolve("runs.txt");
        return Files.exists(runs) ? Files.readAllLines(runs).size() : 0;
    }

    private static Admission chat(String model) {
        return new Admission(model, "hello", null, true);
    }

    private static Lease await(CompletableFuture<Lease> future) throws Exception {
        return future.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static GatewayException failure(CompletableFuture<Lease> future) {
        Eventually.await(PATIENCE, "the request to be answered", future::isDone);
        try {
            future.join();
            throw new AssertionError("not refused");
        } catch (CompletionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayException.class);
            return (GatewayException) e.getCause();
        }
    }

    @Test
    @DisplayName("the models carry their estimate, and the budget and what runs are told")
    void estimates() throws Exception {
        Gateway gateway = gateway("6M", "0");
        assertThat(gateway.models()).filteredOn(m -> m.id().equals(A)).extracting(ListedModel::estimatedMemoryBytes)
                .containsExactly(SMALL_BYTES);
        assertThat(gateway.memory()).isEqualTo(new MemoryUse(6L << 20, 0, 0));
        await(gateway.admit(chat(A))).close();
        assertThat(gateway.memory()).isEqualTo(new MemoryUse(6L << 20, SMALL_BYTES, 0));
    }

    @Test
    @DisplayName("with room for one of two, a request for the second stops the idle first (unloaded: evicted)"
            + " and starts the second")
    void evictsIdle() throws Exception {
        Gateway gateway = gateway("6M", "0");
        await(gateway.admit(chat(A))).close();
        assertThat(state(A)).isEqualTo(ServerState.READY);

        try (Lease second = await(gateway.admit(chat(B)))) {
            assertThat(second.modelId()).isEqualTo(B);
            assertThat(state(A)).isEqualTo(ServerState.STOPPED);
            assertThat(state(B)).isEqualTo(ServerState.READY);
        }
        assertThat(events).containsExactly("started " + A, "unloaded " + A + " evicted", "started " + B);
        assertThat(runs()).isEqualTo(2);
    }

    @Test
    @DisplayName("a busy first makes the second wait until the first's request ends; then the first is evicted"
            + " and the second starts")
    void waitsForBusy() throws Exception {
        Gateway gateway = gateway("6M", "0");
        CountDownLatch waiting = new CountDownLatch(1);
        gateway.addObserver(new GatewayObserver() {
            @Override
            public void waitingForMemory(String modelId) {
                if (modelId.equals(B)) {
                    waiting.countDown();
                }
            }
        });
        Lease busy = await(gateway.admit(chat(A)));
        CompletableFuture<Lease> second = gateway.admit(chat(B));

        assertThat(waiting.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the second waits for memory").isTrue();
        assertThat(second).isNotDone();
        assertThat(state(A)).isEqualTo(ServerState.READY);
        assertThat(state(B)).isEqualTo(ServerState.STOPPED);
        assertThat(runs()).isEqualTo(1);
        assertThat(gateway.queued(B)).isEqualTo(1);

        busy.close();
        try (Lease lease = await(second)) {
            assertThat(lease.modelId()).isEqualTo(B);
            assertThat(state(A)).isEqualTo(ServerState.STOPPED);
        }
        assertThat(events).containsExactly("started " + A, "unloaded " + A + " evicted", "started " + B);
    }

    @Test
    @DisplayName("a start waiting for the memory of a starting server whose every request left is served once"
            + " that server is ready and idle")
    void wakesWhenAbandonedStartEnds() throws Exception {
        Path loadGate = dir.resolve("load-gate");
        fake = FakeLlamaServer.launcher().loadGate(loadGate);
        Gateway gateway = gateway("6M", "0");
        CountDownLatch waiting = new CountDownLatch(1);
        gateway.addObserver(new GatewayObserver() {
            @Override
            public void waitingForMemory(String modelId) {
                if (modelId.equals(A)) {
                    waiting.countDown();
                }
            }
        });
        CompletableFuture<Lease> forB = gateway.admit(chat(B));
        Eventually.await(PATIENCE, "b to start loading", () -> state(B) == ServerState.STARTING);
        CompletableFuture<Lease> forA = gateway.admit(chat(A));
        assertThat(waiting.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a waits for memory").isTrue();

        // Its client went away: b's start goes on, with nobody to serve once it is ready.
        forB.cancel(true);
        assertThat(gateway.queued(B)).isZero();
        Files.createFile(loadGate);

        try (Lease lease = await(forA)) {
            assertThat(lease.modelId()).isEqualTo(A);
            assertThat(state(B)).isEqualTo(ServerState.STOPPED);
        }
        assertThat(events).containsExactly("started " + B, "unloaded " + B + " evicted", "started " + A);
    }

    @Test
    @DisplayName("--max-loaded-models 1 does the same whatever the budget")
    void modelLimit() throws Exception {
        Gateway gateway = gateway("1T", "1");
        await(gateway.admit(chat(A))).close();
        await(gateway.admit(chat(B))).close();
        assertThat(state(A)).isEqualTo(ServerState.STOPPED);
        assertThat(state(B)).isEqualTo(ServerState.READY);
        assertThat(events).containsExactly("started " + A, "unloaded " + A + " evicted", "started " + B);
        assertThat(gateway.memory().maxLoadedModels()).isEqualTo(1);
    }

    @Test
    @DisplayName("a model bigger than the budget is insufficient_memory, naming its size and the budget, and nothing"
            + " starts")
    void tooBig() throws Exception {
        Gateway gateway = gateway("6M", "0");
        GatewayException refused = failure(gateway.admit(chat(HUGE)));
        assertThat(refused.error()).isEqualTo(GatewayError.INSUFFICIENT_MEMORY);
        assertThat(refused.getMessage()).contains(HUGE, "6 MiB", "--memory-budget");
        assertThat(engine.supervisor().servers()).isEmpty();
        assertThat(runs()).isZero();
        assertThat(gateway.queued(HUGE)).isZero();
    }

    @Test
    @DisplayName("a server started through the API is pinned: never evicted, so what does not fit beside it is"
            + " refused")
    void pinnedNeverEvicted() throws Exception {
        Gateway gateway = gateway("6M", "0");
        engine.supervisor().start(A, true);

        GatewayException refused = failure(gateway.admit(chat(B)));

        assertThat(refused.error()).isEqualTo(GatewayError.INSUFFICIENT_MEMORY);
        assertThat(refused.getMessage()).contains("1 server started through the API or a profile");
        assertThat(state(A)).isEqualTo(ServerState.READY);
        assertThat(state(B)).isEqualTo(ServerState.STOPPED);
        assertThat(runs()).isEqualTo(1);
        assertThat(events).isEmpty();
        assertThat(gateway.memory().reservedBytes()).isEqualTo(SMALL_BYTES);
    }
}

package dev.magi.core.engine;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RuntimeSettings;
import dev.magi.spi.Tier;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.GgufWriter;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two MAGI nodes on one H2 server, as MAGI_H2_URL allows: each sees the other's changes without a
 * restart, and changes made on both at once are all kept.
 */
@DisplayName("Two MAGI nodes sharing one h2 store")
class SharedStoreTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final List<String> MODELS = List.of("north-1b-q4_0", "south-1b-q4_0");

    @TempDir
    Path dir;
    Server server;
    MagiEngine first;
    MagiEngine second;

    @BeforeEach
    void setUp() throws Exception {
        Files.createDirectories(dir.resolve("models"));
        for (String model : MODELS) {
            GgufWriter.typicalModel().writeTo(dir.resolve("models/" + model + ".gguf"));
        }
        server = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.resolve("h2").toString(), "-ifNotExists")
                .start();
        String url = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/magi;USER=magi;PASSWORD=magi";
        first = node("first", url);
        second = node("second", url);
    }

    @AfterEach
    void tearDown() {
        for (MagiEngine node : new MagiEngine[] {first, second}) {
            if (node != null) {
                node.close();
            }
        }
        server.stop();
    }

    private MagiEngine node(String name, String url) {
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, dir.resolve("models").toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve(name + "/data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve(name + "/profiles").toString())
                .set(ConfigKey.STORE, "h2")
                .set(ConfigKey.H2_URL, url)
                .set(ConfigKey.WATCH, "false")
                .build();
    }

    @Test
    @DisplayName("see each other's changes without a change or a restart of their own, and tell their listeners")
    void changesReachTheOtherNode() throws Exception {
        List<RegistrySnapshot> heard = new CopyOnWriteArrayList<>();
        second.registry().addListener(heard::add);

        first.registry().setTierOverride("north-1b-q4_0", Tier.POWERFUL);
        first.registry().setEnabled("south-1b-q4_0", true);

        // Listeners hear a reload just after it is current: wait for what they hear.
        await("the second node's listeners hear the first's changes", () -> {
            if (heard.isEmpty()) {
                return false;
            }
            RegistrySnapshot last = heard.get(heard.size() - 1);
            DiscoveredModel north = last.models().get("north-1b-q4_0");
            return north.tierOverride() == Tier.POWERFUL && last.models().get("south-1b-q4_0").enabled();
        });
        assertThat(second.registry().snapshot()).isEqualTo(heard.get(heard.size() - 1));

        second.registry().setTierOverride("north-1b-q4_0", null);
        await("the first node sees the second's change", () ->
                first.registry().require("north-1b-q4_0").tierOverride() == null);
        assertThat(first.registry().require("south-1b-q4_0").enabled()).as("kept").isTrue();
    }

    @Test
    @DisplayName("lose none of the changes both make at the same time")
    void concurrentChangesAllKept() throws Exception {
        int changes = 40;
        CompletableFuture<Void> onFirst = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= changes; i++) {
                int size = 1024 * i;
                first.registry().updateRuntimeSettings("north-1b-q4_0",
                        s -> new RuntimeSettings(s.nGpuLayers(), size, s.nThreads(), s.batchSize()));
            }
        });
        CompletableFuture<Void> onSecond = CompletableFuture.runAsync(() -> {
            for (int i = 1; i <= changes; i++) {
                int threads = i;
                second.registry().updateRuntimeSettings("south-1b-q4_0",
                        s -> new RuntimeSettings(s.nGpuLayers(), s.ctxSize(), threads, s.batchSize()));
                // A change of the other node's model too: both nodes write the same row.
                second.registry().updateRuntimeSettings("north-1b-q4_0",
                        s -> new RuntimeSettings(threads, s.ctxSize(), s.nThreads(), s.batchSize()));
            }
        });
        CompletableFuture.allOf(onFirst, onSecond).get();

        RegistrySnapshot saved = first.store().loadRegistry().orElseThrow();
        RuntimeSettings north = saved.models().get("north-1b-q4_0").runtimeSettings();
        RuntimeSettings south = saved.models().get("south-1b-q4_0").runtimeSettings();
        assertThat(north.ctxSize()).isEqualTo(1024 * changes);
        assertThat(north.nGpuLayers()).isEqualTo(changes);
        assertThat(south.nThreads()).isEqualTo(changes);
        await("both nodes hold what was saved", () -> first.registry().snapshot().equals(saved)
                && second.registry().snapshot().equals(saved));
    }

    private static void await(String what, BooleanSupplier condition) {
        Eventually.await(PATIENCE, what, condition);
    }
}

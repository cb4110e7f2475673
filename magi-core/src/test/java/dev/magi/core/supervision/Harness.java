package dev.magi.core.supervision;

import dev.magi.core.classify.SizeTierClassifier;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.config.MagiConfig;
import dev.magi.core.discovery.ModelScanner;
import dev.magi.core.launch.local.LocalLauncher;
import dev.magi.core.registry.ModelRegistry;
import dev.magi.core.store.json.JsonRegistryStore;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.Settings;
import dev.magi.spi.launch.Launcher;
import dev.magi.testkit.Eventually;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.Processes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A registry over a temporary models folder, the fake llama-server as {@code LLAMA_SERVER_PATH}, and
 * the short settings tests use (readiness interval 0.2 s, stop timeout 1 s, quick restarts). Closing
 * it closes every supervisor it made, which stops their servers.
 */
final class Harness implements AutoCloseable {
    /** How long a condition may take before a test gives up: generous, since machines are busy. */
    static final Duration PATIENCE = Duration.ofSeconds(60);

    final Path dir;
    final Path modelsDir;
    final Path dataDir;
    final Path argvFile;
    final Path runsFile;
    final PortRange ports;
    final ModelRegistry registry;
    private final Map<String, String> settings = new HashMap<>();
    private final List<ServerSupervisor> supervisors = new ArrayList<>();

    Harness(Path dir) throws IOException {
        this(dir, 10);
    }

    Harness(Path dir, int portCount) throws IOException {
        this.dir = dir;
        this.modelsDir = Files.createDirectories(dir.resolve("models"));
        this.dataDir = dir.resolve("data");
        this.argvFile = dir.resolve("argv.txt");
        this.runsFile = dir.resolve("runs.txt");
        this.ports = freeRange(portCount);
        JsonRegistryStore store = new JsonRegistryStore(dataDir.resolve("model_registry.json"),
                dir.resolve("profiles"));
        this.registry = new ModelRegistry(store, new SizeTierClassifier(),
                new RegistrySnapshot(Map.of(), modelsDir.toString(), null, ports, null));
        set(ConfigKey.REGISTRY_PATH, dataDir.resolve("model_registry.json").toString());
        set(ConfigKey.SCAN_PATH, modelsDir.toString());
        set(ConfigKey.LLAMA_HOST, "127.0.0.1");
        set(ConfigKey.LLAMA_SERVER, dir.resolve("bin/llama-server").toString());
        set(ConfigKey.MAX_STARTUP_TIME, "20");
        set(ConfigKey.READINESS_INTERVAL, "0.2");
        set(ConfigKey.STOP_TIMEOUT, "1");
    }

    Harness set(ConfigKey key, String value) {
        settings.put(key.variable(), value);
        return this;
    }

    /** Writes a small real GGUF model under the models folder, rescans, and answers its id. */
    String model(String fileName) {
        GgufWriter.typicalModel().writeTo(modelsDir.resolve(fileName));
        rescan();
        return idOf(fileName);
    }

    void rescan() {
        registry.applyScan(new ModelScanner().scan(modelsDir));
    }

    String idOf(String fileName) {
        Path file = modelsDir.resolve(fileName).toAbsolutePath();
        return registry.snapshot().models().values().stream()
                .filter(m -> Path.of(m.filePath()).equals(file))
                .map(DiscoveredModel::modelId)
                .findFirst()
                .orElseThrow(() -> new AssertionError(fileName + " is not in the registry"));
    }

    /** A launcher of the fake that records its arguments and its runs, installed as LLAMA_SERVER_PATH. */
    FakeLlamaServer.Launcher fake() {
        return FakeLlamaServer.launcher().argvFile(argvFile).runsFile(runsFile);
    }

    Harness install(FakeLlamaServer.Launcher launcher) throws IOException {
        launcher.writeTo(dir.resolve("bin/llama-server"));
        return this;
    }

    SupervisorOptions options() {
        return SupervisorOptions.from(MagiConfig.from(Settings.of(settings)))
                .withRestartPolicy(Duration.ofMillis(50), Duration.ofMillis(400), 5, Duration.ofMinutes(10));
    }

    ServerSupervisor supervisor() {
        return supervisor(options());
    }

    ServerSupervisor supervisor(SupervisorOptions options) {
        return supervisor(options, localLauncher(options));
    }

    ServerSupervisor supervisor(SupervisorOptions options, Launcher launcher) {
        ServerSupervisor supervisor = new ServerSupervisor(registry, options, launcher);
        supervisors.add(supervisor);
        return supervisor;
    }

    /** The local launcher over this harness's data directory, as the engine opens it. */
    static LocalLauncher localLauncher(SupervisorOptions options) {
        return new LocalLauncher(options.llamaHost(), options.dataDir().resolve("pids.json"));
    }

    /** The arguments the fake received last. */
    List<String> argv() throws IOException {
        return Files.readAllLines(argvFile, StandardCharsets.UTF_8);
    }

    /** The pids of every run of the fake, in order. */
    List<Long> runs() throws IOException {
        if (!Files.exists(runsFile)) {
            return List.of();
        }
        return Files.readAllLines(runsFile).stream().map(Long::parseLong).toList();
    }

    @Override
    public void close() {
        for (ServerSupervisor supervisor : supervisors) {
            supervisor.close();
        }
    }

    // ---------------------------------------------------------------- helpers for tests

    /** Waits until {@code condition} holds, failing with {@code what} after {@link #PATIENCE}. */
    static void await(String what, BooleanSupplier condition) {
        Eventually.await(PATIENCE, what, condition);
    }

    /** Waits until {@code value} gives something {@code condition} accepts, and answers it. */
    static <T> T awaitValue(String what, Supplier<T> value, Predicate<T> condition) {
        return Eventually.awaitValue(PATIENCE, what, value::get, condition);
    }

    /** See {@link Processes#isRunning}. */
    static boolean isRunning(long pid) {
        return Processes.isRunning(pid);
    }

    /** A range of ports free now; see {@link FreePorts}. */
    static PortRange freeRange(int count) {
        int start = FreePorts.rangeStart(count);
        return new PortRange(start, start + count - 1);
    }
}

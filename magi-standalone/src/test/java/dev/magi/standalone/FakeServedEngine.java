package dev.magi.standalone;

import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.FakeLlamaServer;
import dev.magi.testkit.FreePorts;
import dev.magi.testkit.GgufWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine of the standalone's gateway tests: typical GGUF models in a test's directory, served by the
 * fake llama-server, with ten ports of their own and quick readiness checks and stops. A test adds its
 * own settings (timeouts) before {@code build()}.
 */
final class FakeServedEngine {
    private FakeServedEngine() {
    }

    /**
     * @param dir    the test's directory: models, data, profiles and the fake go under it
     * @param fake   the fake llama-server, as the test wants it to answer
     * @param models the models' file names, without {@code .gguf}
     */
    static MagiEngine.Builder builder(Path dir, FakeLlamaServer.Launcher fake, List<String> models)
            throws IOException {
        Path modelsDir = Files.createDirectories(dir.resolve("models"));
        for (String model : models) {
            GgufWriter.typicalModel().writeTo(modelsDir.resolve(model + ".gguf"));
        }
        Path llamaServer = dir.resolve("bin/llama-server");
        fake.writeTo(llamaServer);
        int ports = FreePorts.rangeStart(10);
        return MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, modelsDir.toString())
                .set(ConfigKey.REGISTRY_PATH, dir.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, dir.resolve("profiles").toString())
                .set(ConfigKey.WATCH, "false")
                .set(ConfigKey.LLAMA_SERVER, llamaServer.toString())
                .set(ConfigKey.LLAMA_HOST, "127.0.0.1")
                .set(ConfigKey.PORT_RANGE, ports + "-" + (ports + 9))
                .set(ConfigKey.MAX_STARTUP_TIME, "60")
                .set(ConfigKey.READINESS_INTERVAL, "0.2")
                .set(ConfigKey.STOP_TIMEOUT, "1");
    }
}

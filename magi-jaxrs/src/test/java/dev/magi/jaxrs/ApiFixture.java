package dev.magi.jaxrs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.magi.core.config.ConfigKey;
import dev.magi.core.engine.MagiEngine;
import dev.magi.testkit.GgufWriter;
import dev.magi.testkit.TensorType;
import org.glassfish.jersey.server.ResourceConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real engine over temporary directories holding three real GGUF models (one per tier by size),
 * served over HTTP by {@link ApiServer}; and the assertions every error answer must pass.
 */
final class ApiFixture implements AutoCloseable {
    /** 1 billion parameters: fast under the default thresholds. */
    static final String FAST = "tiny-1b-q4_k_m";
    /** 8 billion parameters: balanced. */
    static final String BALANCED = "middle-8b-q8_0";
    /** 32 billion parameters: powerful. */
    static final String POWERFUL = "large-32b-q4_k_m";

    final Path root;
    final Path models;
    final Path profiles;
    final MagiEngine engine;
    final ApiServer api;

    private ApiFixture(Path root, UnaryOperator<MagiEngine.Builder> settings, Consumer<ResourceConfig> extra)
            throws Exception {
        this.root = root;
        this.models = root.resolve("models");
        this.profiles = root.resolve("profiles");
        Files.createDirectories(models);
        writeModel(models.resolve("Tiny-1B-Q4_K_M.gguf"), "llama", 1);
        writeModel(models.resolve("Middle-8B-Q8_0.gguf"), "llama", 8);
        writeModel(models.resolve("Large-32B-Q4_K_M.gguf"), "qwen3", 32);
        MagiEngine.Builder builder = MagiEngine.builder().withoutEnvironment()
                .set(ConfigKey.SCAN_PATH, models.toString())
                .set(ConfigKey.REGISTRY_PATH, root.resolve("data/model_registry.json").toString())
                .set(ConfigKey.PROFILES_PATH, profiles.toString())
                .set(ConfigKey.WATCH, "false");
        this.engine = settings.apply(builder).build();
        ApiServer server;
        try {
            server = new ApiServer(engine, extra);
        } catch (Exception e) {
            engine.close();
            throw e;
        }
        this.api = server;
    }

    static ApiFixture start(Path root) throws Exception {
        return new ApiFixture(root, b -> b, c -> {
        });
    }

    /** With settings changed on the engine's builder (an API key, another scan path...). */
    static ApiFixture withSettings(Path root, UnaryOperator<MagiEngine.Builder> settings) throws Exception {
        return new ApiFixture(root, settings, c -> {
        });
    }

    /** With test-only resources or providers added to the API's own Jersey application. */
    static ApiFixture withExtras(Path root, Consumer<ResourceConfig> extra) throws Exception {
        return new ApiFixture(root, b -> b, extra);
    }

    /**
     * A real GGUF header whose tensor infos add up to {@code billions} billion parameters (no tensor
     * data is written, so the file stays a few hundred bytes).
     */
    static Path writeModel(Path file, String architecture, long billions) throws IOException {
        Files.createDirectories(file.getParent());
        long extra = billions * 1_000_000_000L - GgufWriter.TYPICAL_MODEL_PARAMETERS;
        return GgufWriter.typicalModel(architecture, file.getFileName().toString())
                .tensor("blk.0.ffn_up.weight", TensorType.F32, 1_000, extra / 1_000)
                .tensor("blk.0.ffn_gate.weight", TensorType.F32, extra % 1_000)
                .writeTo(file);
    }

    /** Every file under the fixture's root, relative to it, for checking that nothing escaped. */
    List<String> allFiles() throws IOException {
        try (var walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    /**
     * The API's one error shape: the status, a JSON body with {@code error}, a {@code message} a person
     * can act on and a {@code details} object, and nothing of the implementation.
     */
    static JsonNode assertError(ApiServer.Reply reply, int status, String error) {
        String raw = reply.raw().body();
        assertThat(reply.status()).as("status of %s", raw).isEqualTo(status);
        assertThat(reply.header("Content-Type")).as("content type of %s", raw).startsWith("application/json");
        JsonNode body = reply.json();
        assertThat(body.path("error").asText()).as("error of %s", raw).isEqualTo(error);
        assertThat(body.path("message").asText()).as("message of %s", raw).isNotBlank();
        assertThat(body.path("details").isObject()).as("details of %s", raw).isTrue();
        assertNoInternals(reply);
        return body;
    }

    /** No stack trace, exception class, package name or parser setting in a body. */
    static void assertNoInternals(ApiServer.Reply reply) {
        assertThat(reply.raw().body())
                .doesNotContain("at dev.magi")
                .doesNotContain("\tat ")
                .doesNotContain("Exception")
                .doesNotContainIgnoringCase("dev.magi.")
                .doesNotContain("java.")
                .doesNotContain("jakarta.")
                .doesNotContain("com.fasterxml")
                .doesNotContain("org.glassfish")
                .doesNotContain("org.eclipse")
                .doesNotContain("org.yaml")
                .doesNotContain("`")
                .doesNotContain("Feature")
                .doesNotContain("Constraints")
                .doesNotContain("[Source")
                .doesNotContainIgnoringCase("<html");
    }

    @Override
    public void close() throws Exception {
        try {
            api.close();
        } finally {
            engine.close();
        }
    }
}

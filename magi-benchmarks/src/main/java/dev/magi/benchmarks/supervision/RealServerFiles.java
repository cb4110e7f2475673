package dev.magi.benchmarks.supervision;

import dev.magi.testkit.RealLlamaServer;
import dev.magi.testkit.SharedFixtures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the real {@code llama-server} and the real model are, found as the real-server tests find
 * them, but from the repository's root, where the benchmarks are run: the binary from
 * {@code --llama-server}, else the {@code magi.test.llama.server} property, else the environment
 * variable {@code MAGI_TEST_LLAMA_SERVER}, else {@code .cache/llama-server/llama-server} (where
 * scripts/install-llama-server.sh puts it); the model from {@code --model}, else
 * {@code <magi.shared.dir or ../shared>/fixtures/real/stories260K.gguf}.
 *
 * @param binary the server to run
 * @param model  the GGUF file it loads
 */
record RealServerFiles(Path binary, Path model) {
    static final String ENVIRONMENT = "MAGI_TEST_LLAMA_SERVER";

    /** The files named by the options when given (null when not), else the defaults above. */
    static RealServerFiles locate(Path binaryOption, Path modelOption) {
        return new RealServerFiles(binaryOption != null ? binaryOption : defaultBinary(),
                modelOption != null ? modelOption : defaultModel());
    }

    private static Path defaultBinary() {
        String property = System.getProperty(RealLlamaServer.PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String environment = System.getenv(ENVIRONMENT);
        if (environment != null && !environment.isBlank()) {
            return Path.of(environment);
        }
        return Path.of(".cache/llama-server/llama-server");
    }

    private static Path defaultModel() {
        String shared = System.getProperty("magi.shared.dir");
        Path directory = shared != null && !shared.isBlank() ? Path.of(shared) : Path.of("../shared");
        return directory.resolve(SharedFixtures.STORIES_260K);
    }

    /** Why the benchmark cannot run here, or empty when both files are there. */
    Optional<String> whyUnavailable() {
        if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
            return Optional.of("no real llama-server at " + binary.toAbsolutePath().normalize() + ": run "
                    + RealLlamaServer.INSTALL_SCRIPT + ", or name one with " + ENVIRONMENT + " or --llama-server");
        }
        if (!Files.isRegularFile(model)) {
            return Optional.of("no real model at " + model.toAbsolutePath().normalize() + " (../shared/"
                    + SharedFixtures.STORIES_260K + " is absent from a user's clone): give a GGUF file with --model; "
                    + RealLlamaServer.INSTALL_SCRIPT + " installs the server, not the model");
        }
        return Optional.empty();
    }
}

package dev.magi.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The real {@code llama-server} that the real-server tests run: the build names it in
 * {@code magi.test.llama.server} (scripts/install-llama-server.sh's wrapper in the clone's
 * {@code .cache/llama-server/}, or the binary of {@code MAGI_TEST_LLAMA_SERVER}); where it is absent
 * those tests are skipped with {@link #absentMessage}, since a user's clone need not have one.
 */
public final class RealLlamaServer {
    /** The system property the build sets to the binary's path. */
    public static final String PROPERTY = "magi.test.llama.server";

    /** The script that installs the binary where the build looks by default. */
    public static final String INSTALL_SCRIPT = "scripts/install-llama-server.sh";

    private RealLlamaServer() {
    }

    /** Where the binary should be; from an IDE, where the script puts it in the clone beside the module. */
    public static Path location() {
        String configured = System.getProperty(PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path moduleDirectory = Path.of("").toAbsolutePath();
        Path repository = moduleDirectory.getParent() != null ? moduleDirectory.getParent() : moduleDirectory;
        return repository.resolve(".cache/llama-server/llama-server");
    }

    /** The binary, when it is there and may be run. */
    public static Optional<Path> binary() {
        Path location = location();
        return Files.isRegularFile(location) && Files.isExecutable(location) ? Optional.of(location)
                : Optional.empty();
    }

    /** Why a test that needs the real server is skipped. */
    public static String absentMessage() {
        return "No real llama-server at " + location() + ": run " + INSTALL_SCRIPT
                + " (or set MAGI_TEST_LLAMA_SERVER to one) to run the real-server tests";
    }
}

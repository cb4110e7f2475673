package dev.magi.testkit;

import java.nio.file.Path;

/**
 * The project's shared fixtures live beside the repository in {@code ../shared}, not in it: present
 * in CI, absent on a user's clone, where tests that need them are skipped with {@link #absentMessage}.
 */
public final class SharedFixtures {
    /** The real llama model of {@code ../shared/fixtures/real/README.md}. */
    public static final String STORIES_260K = "fixtures/real/stories260K.gguf";

    private SharedFixtures() {
    }

    /** The build sets {@code magi.shared.dir}; from an IDE, fall back to ../shared next to the repository. */
    public static Path directory() {
        String configured = System.getProperty("magi.shared.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path moduleDirectory = Path.of("").toAbsolutePath();
        Path repository = moduleDirectory.getParent() != null ? moduleDirectory.getParent() : moduleDirectory;
        return repository.resolve("../shared").normalize();
    }

    public static Path file(String relative) {
        return directory().resolve(relative);
    }

    /** Why a test that needs {@code relative} is skipped. */
    public static String absentMessage(String relative) {
        return "../shared/" + relative + " is not present (a user's clone); this test runs in CI. Looked at "
                + file(relative);
    }
}

package dev.magi.core.supervision;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A test with a fresh {@link Harness} in its own temporary directory, closed after each test. */
abstract class HarnessTest {
    @TempDir
    Path dir;
    Harness harness;

    @BeforeEach
    void createHarness() throws Exception {
        harness = new Harness(dir);
    }

    @AfterEach
    void closeHarness() {
        harness.close();
    }
}

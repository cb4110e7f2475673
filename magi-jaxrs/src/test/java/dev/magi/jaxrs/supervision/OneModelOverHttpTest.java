package dev.magi.jaxrs.supervision;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** A test of one model's server over HTTP: a fresh {@link LiveMagi} with model {@link #ID}, closed after each test. */
abstract class OneModelOverHttpTest {
    static final String ID = "alpha-1b-q4_0";
    static final String SERVERS = "/api/models/servers/";

    @TempDir
    Path dir;
    LiveMagi live;

    @BeforeEach
    void createLiveMagi() throws Exception {
        live = new LiveMagi(dir).model(ID + ".gguf");
    }

    @AfterEach
    void closeLiveMagi() throws Exception {
        live.close();
    }
}

package dev.magi.core.store.h2;

import dev.magi.core.config.ConfigKey;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.Settings;
import dev.magi.spi.StoreProvider;
import dev.magi.testkit.store.RegistryStoreContract;
import org.h2.api.Trigger;
import org.h2.tools.Server;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@DisplayName("The h2 store")
class H2RegistryStoreTest extends RegistryStoreContract {

    @Override
    protected StoreProvider provider() {
        return new H2StoreProvider();
    }

    @Override
    protected Settings settings(Path dir) {
        return fileSettings(dir);
    }

    /** The embedded database the store opens for {@link #settings}; this JVM may open it beside the store. */
    private String url() {
        return "jdbc:h2:file:" + dir.resolve("data/magi");
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), "sa", "");
    }

    private static Map<String, DiscoveredModel> models(int count) {
        Map<String, DiscoveredModel> models = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String id = String.format("model-%05d", i);
            models.put(id, DiscoveredModel.builder(id, "/models/" + id + ".gguf", id + ".gguf")
                    .sizeParams(1 + i % 70 / 2.0).problems(List.of()).build());
        }
        return models;
    }

    private static RegistrySnapshot registry(Map<String, DiscoveredModel> models) {
        return new RegistrySnapshot(models, "/models", Instant.parse("2026-01-01T00:00:00Z"), null, null);
    }

    @Test
    @DisplayName("fails to open a database file that is a FIFO, naming the path, rather than hang the start")
    void fifoDatabase() throws Exception {
        // H2 opens its file read-write, which does not wait for a writer as a read-only open of a
        // FIFO does; this keeps it that way.
        Path other = dir.resolve("other");
        Path database = other.resolve("data/magi.mv.db");
        Files.createDirectories(database.getParent());
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", database.toString()).inheritIO().start().waitFor() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo is not available here");

        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fifo-opener");
            thread.setDaemon(true);
            return thread;
        });
        Future<RegistryStore> opening = executor.submit(() -> provider().open(fileSettings(other)));
        try {
            assertThatThrownBy(() -> opening.get(10, TimeUnit.SECONDS).close())
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(MagiException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_FAILED);
                        assertThat(e.getMessage()).contains(database.toString());
                    });
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    @DisplayName("keeps its database as magi.mv.db beside REGISTRY_PATH")
    void databaseFile() {
        store.saveRegistry(fullRegistry(""));
        assertThat(dir.resolve("data/magi.mv.db")).isRegularFile();
        assertThat(dir.resolve("data/model_registry.json")).doesNotExist();
    }

    /** Counts the rows written to MAGI.MODEL. */
    public static final class CountingTrigger implements Trigger {
        static final AtomicInteger ROWS = new AtomicInteger();

        @Override
        public void fire(Connection connection, Object[] oldRow, Object[] newRow) {
            ROWS.incrementAndGet();
        }
    }

    @Test
    @DisplayName("writes one row when one model of 10,000 changes, and none when nothing does")
    void writesOnlyWhatChanged() throws SQLException {
        Map<String, DiscoveredModel> models = models(10_000);
        store.saveRegistry(registry(models));
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TRIGGER MAGI.COUNT_MODEL_WRITES AFTER INSERT, UPDATE, DELETE ON MAGI.MODEL"
                    + " FOR EACH ROW CALL '" + CountingTrigger.class.getName() + "'");
        }
        CountingTrigger.ROWS.set(0);

        store.saveRegistry(registry(models));
        assertThat(CountingTrigger.ROWS.get()).as("rows written for an unchanged registry").isZero();

        models.put("model-04321", models.get("model-04321").toBuilder().enabled(true).port(8090).build());
        store.saveRegistry(registry(models));
        assertThat(CountingTrigger.ROWS.get()).as("rows written for one changed model").isEqualTo(1);

        models.remove("model-00007");
        store.saveRegistry(registry(models));
        assertThat(CountingTrigger.ROWS.get()).as("rows written after one model is removed").isEqualTo(2);

        // A model found between two others takes its place in the order without moving them.
        Map<String, DiscoveredModel> withNewcomer = new LinkedHashMap<>();
        models.forEach((id, model) -> {
            withNewcomer.put(id, model);
            if (id.equals("model-05000")) {
                withNewcomer.put("model-05000-b", model.toBuilder().modelId("model-05000-b").build());
            }
        });
        models = withNewcomer;
        store.saveRegistry(registry(models));
        assertThat(CountingTrigger.ROWS.get()).as("rows written after one model is added").isEqualTo(3);

        assertThat(reopen().loadRegistry()).contains(registry(models));
    }

    @Test
    @DisplayName("makes commits durable: WRITE_DELAY is 0")
    void writeDelay() throws SQLException {
        try (Connection connection = connect(); Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery(
                     "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString(1)).isEqualTo("0");
        }
    }

    @Nested
    @DisplayName("its schema")
    class Schema {

        private int version() throws SQLException {
            try (Connection connection = connect()) {
                return H2Schema.currentVersion(connection);
            }
        }

        @Test
        @DisplayName("is created at the latest version and left alone by a reopen")
        void createdOnce() throws SQLException {
            assertThat(version()).isEqualTo(H2Schema.MIGRATIONS.size());
            reopen();
            try (Connection connection = connect(); Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM MAGI.SCHEMA_VERSION")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(H2Schema.MIGRATIONS.size());
            }
        }

        @Test
        @DisplayName("applies the migrations a database lacks, in order, keeping its data")
        void migratesInOrder() throws SQLException {
            store.saveProfile(ModelProfile.withDefaults("kept", null, List.of()));
            store.close();
            store = null;
            List<H2Schema.Migration> next = new ArrayList<>(H2Schema.MIGRATIONS);
            int v = next.size();
            next.add(new H2Schema.Migration(v + 1, "a table", List.of("CREATE TABLE IF NOT EXISTS MAGI.EXTRA (N INT)")));
            next.add(new H2Schema.Migration(v + 2, "a row in it", List.of("INSERT INTO MAGI.EXTRA VALUES (42)")));

            try (H2RegistryStore migrated = H2RegistryStore.open(url(), new H2Schema(next))) {
                assertThat(migrated.profileNames()).containsExactly("kept");
                assertThat(version()).isEqualTo(v + 2);
                try (Connection connection = connect(); Statement statement = connection.createStatement();
                     ResultSet rows = statement.executeQuery("SELECT N FROM MAGI.EXTRA")) {
                    assertThat(rows.next()).isTrue();
                    assertThat(rows.getInt(1)).isEqualTo(42);
                }
            }
        }

        @Test
        @DisplayName("rolls back a migration that fails and does not record it")
        void failedMigration() throws SQLException {
            store.close();
            store = null;
            List<H2Schema.Migration> next = new ArrayList<>(H2Schema.MIGRATIONS);
            int v = next.size();
            next.add(new H2Schema.Migration(v + 1, "half of a change", List.of(
                    "INSERT INTO MAGI.PROFILE (NAME, DOCUMENT) VALUES ('half', 'name: half')",
                    "THIS IS NOT SQL")));

            assertThatThrownBy(() -> H2RegistryStore.open(url(), new H2Schema(next)))
                    .isInstanceOf(MagiException.class)
                    .hasMessageContaining("migration " + (v + 1))
                    .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED);

            store = open();
            assertThat(version()).isEqualTo(v);
            assertThat(store.profileNames()).isEmpty();
        }

        @Test
        @DisplayName("refuses a database that a newer MAGI migrated")
        void newerSchema() throws SQLException {
            store.close();
            store = null;
            try (Connection connection = connect(); Statement statement = connection.createStatement()) {
                statement.execute("INSERT INTO MAGI.SCHEMA_VERSION VALUES (999, 'from the future', CURRENT_TIMESTAMP)");
            }
            assertThatThrownBy(this::openAgain).isInstanceOf(MagiException.class)
                    .hasMessageContaining("schema version 999")
                    .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED);
        }

        private void openAgain() {
            open().close();
        }
    }

    @Nested
    @DisplayName("when the database cannot be opened")
    class CannotOpen {

        private void damage() throws IOException {
            store.close();
            store = null;
            byte[] garbage = new byte[64 * 1024];
            new Random(7).nextBytes(garbage);
            Files.write(dir.resolve("data/magi.mv.db"), garbage);
        }

        private List<Path> asideFiles() throws IOException {
            try (Stream<Path> files = Files.list(dir.resolve("data"))) {
                return files.filter(f -> f.getFileName().toString().startsWith("magi.mv.db.corrupt-")).toList();
            }
        }

        @Test
        @DisplayName("reports a damaged database file of MAGI_H2_URL as a storage failure naming the database")
        void damagedFile() throws IOException {
            damage();
            Settings given = Settings.of(Map.of(ConfigKey.H2_URL.variable(), url()));

            assertThatThrownBy(() -> provider().open(given).close()).isInstanceOf(MagiException.class)
                    .hasMessageStartingWith("Cannot open the H2 database jdbc:h2:file:" + dir.resolve("data/magi"))
                    .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.STORAGE_FAILED);
            assertThat(asideFiles()).isEmpty();
        }

        @Test
        @DisplayName("moves a damaged database beside REGISTRY_PATH aside and starts with an empty one")
        void damagedDefaultFile() throws IOException {
            damage();

            store = open();

            assertThat(store.loadRegistry()).isEmpty();
            assertThat(store.profileNames()).isEmpty();
            assertThat(asideFiles()).singleElement()
                    .satisfies(aside -> assertThat(Files.size(aside)).isEqualTo(64 * 1024));
            store.saveRegistry(fullRegistry("-rebuilt"));
            assertThat(store.loadRegistry()).contains(fullRegistry("-rebuilt"));
        }

        @Test
        @DisplayName("still refuses a database beside REGISTRY_PATH that another process has open, and leaves it")
        void inUse() throws Exception {
            store.saveProfile(fullProfile("kept"));
            store.close();
            store = null;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    HeldDatabaseMain.class.getName(), url()).redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(
                        new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                assertThat(out.readLine()).isEqualTo("OPEN");

                assertThatThrownBy(() -> open().close()).isInstanceOf(MagiException.class)
                        .hasMessageContaining("in use by another process");
                assertThat(asideFiles()).isEmpty();
            } finally {
                holder.getOutputStream().close();
                assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            store = open();
            assertThat(store.loadProfile("kept")).contains(fullProfile("kept"));
        }

        @Test
        @DisplayName("refuses a MAGI_H2_URL that is not an H2 URL, and keeps passwords out of messages")
        void badUrl() {
            assertThatThrownBy(() -> provider().open(Settings.of(Map.of(ConfigKey.H2_URL.variable(),
                    "jdbc:postgresql://db/magi")))).isInstanceOf(MagiException.class)
                    .extracting(e -> ((MagiException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);

            assertThat(H2Connections.redact("jdbc:h2:tcp://db/magi;USER=magi;PASSWORD=s3cret;TRACE_LEVEL_FILE=0"))
                    .isEqualTo("jdbc:h2:tcp://db/magi;USER=magi;PASSWORD=***;TRACE_LEVEL_FILE=0");
        }
    }

    @Test
    @DisplayName("lets two MAGI nodes share one registry through an H2 server, with the URL's user and password")
    void sharedThroughServer() throws SQLException {
        Server server = Server.createTcpServer("-tcpPort", "0", "-baseDir", dir.resolve("server").toString(),
                "-ifNotExists").start();
        try {
            Settings shared = Settings.of(Map.of(ConfigKey.H2_URL.variable(),
                    "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/magi;USER=magi;PASSWORD=s3cret"));
            try (RegistryStore first = provider().open(shared); RegistryStore second = provider().open(shared)) {
                first.saveRegistry(fullRegistry("-shared"));
                first.saveProfile(fullProfile("shared"));
                first.saveActiveProfile("shared");

                assertThat(second.loadRegistry()).contains(fullRegistry("-shared"));
                assertThat(second.loadProfile("shared")).contains(fullProfile("shared"));
                assertThat(second.loadActiveProfile()).contains("shared");

                second.saveRegistry(registry(models(3)));
                assertThat(first.loadRegistry()).contains(registry(models(3)));
            }
        } finally {
            server.stop();
        }
    }
}

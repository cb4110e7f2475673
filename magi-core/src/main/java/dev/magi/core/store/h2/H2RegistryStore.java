package dev.magi.core.store.h2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.json.RegistryJson;
import dev.magi.core.profile.format.ProfileYaml;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistryConflictException;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.TierThresholds;
import org.h2.jdbc.JdbcSQLNonTransientConnectionException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import static org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1;

/**
 * The {@code h2} store: the registry, the profiles and the active profile in an H2 database.
 *
 * <p>Each model is one row holding its JSON document ({@link RegistryJson}) and its place in the
 * registry; the registry-wide fields are one row of their own; each profile is one row holding its
 * YAML document ({@link ProfileYaml}). {@link #saveRegistry} compares the registry with the rows in
 * the database and, in one transaction, writes only the rows that differ and deletes the rows of
 * models that are gone: changing one model of 10,000 writes one row.
 *
 * <p>Durability: every change is one transaction. H2 by default writes a commit up to
 * {@code WRITE_DELAY} (500 ms) after it returns and forces its file to disk only now and then, so a
 * killed process could lose acknowledged changes and a power cut more. The store therefore sets
 * {@code WRITE_DELAY} to 0 when it opens (a commit is written before it returns) and runs
 * {@code CHECKPOINT SYNC} after each of its commits (the file is forced to disk before the method
 * returns). H2's append-only file keeps the last committed state readable after a crash at any instant.
 */
public final class H2RegistryStore implements RegistryStore {
    private static final Logger LOG = LoggerFactory.getLogger(H2RegistryStore.class);

    private static final Pattern PASSWORD = Pattern.compile("(?i)(;\\s*PASSWORD\\s*=)[^;]*");

    /** How long a write waits for another MAGI node's write to the same database. */
    private static final int LOCK_TIMEOUT_MILLIS = 30_000;

    private final String shownUrl;
    private final JdbcConnectionPool pool;
    private final ObjectMapper mapper = RegistryJson.newMapper();
    /** MAGI serialises writes already; this keeps a direct caller from interleaving two diffs. */
    private final Object writeLock = new Object();

    /** Cleared when the database refuses {@code CHECKPOINT SYNC} (a user without admin rights). */
    private volatile boolean syncAfterCommit = true;

    private H2RegistryStore(String url, JdbcConnectionPool pool) {
        this.shownUrl = redact(url);
        this.pool = pool;
    }

    /**
     * Opens the database at {@code url}, creating and migrating its tables as needed.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} when it cannot be opened
     */
    public static H2RegistryStore open(String url) {
        return open(url, new H2Schema());
    }

    static H2RegistryStore open(String url, H2Schema schema) {
        // H2 refuses a user or password given both in the URL and to the data source, and the data
        // source always passes one: move them out of the URL.
        JdbcDataSource source = new JdbcDataSource();
        StringBuilder rest = new StringBuilder();
        String user = "sa";
        String password = "";
        String[] parts = url.split(";");
        rest.append(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            int eq = part.indexOf('=');
            String key = eq < 0 ? part.strip() : part.substring(0, eq).strip();
            if (key.equalsIgnoreCase("USER") && eq >= 0) {
                user = part.substring(eq + 1);
            } else if (key.equalsIgnoreCase("PASSWORD") && eq >= 0) {
                password = part.substring(eq + 1);
            } else if (!part.isBlank()) {
                rest.append(';').append(part);
            }
        }
        source.setURL(rest.toString());
        source.setUser(user);
        source.setPassword(password);
        JdbcConnectionPool pool = JdbcConnectionPool.create(source);
        pool.setMaxConnections(16);
        H2RegistryStore store = new H2RegistryStore(url, pool);
        boolean opened = false;
        try (Connection connection = pool.getConnection()) {
            schema.migrate(connection);
            store.makeCommitsDurable(connection);
            opened = true;
        } catch (SQLException e) {
            throw store.failure("Cannot open the H2 database " + store.shownUrl, e);
        } finally {
            if (!opened) {
                pool.dispose();
            }
        }
        LOG.info("h2 store opened: {}", store.shownUrl);
        return store;
    }

    private void makeCommitsDurable(Connection connection) {
        // WRITE_DELAY is a setting of the whole database, kept in it; 0 makes each commit write its
        // changes before it returns. It needs admin rights, which the user of a shared server may lack.
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET WRITE_DELAY 0");
        } catch (SQLException e) {
            LOG.warn("Could not set WRITE_DELAY 0 on {} ({}): a change may be written up to WRITE_DELAY"
                    + " milliseconds after it is acknowledged; ask the database's administrator to set it",
                    shownUrl, firstLine(e));
        }
    }

    /** The URL as given, without its password. */
    public String url() {
        return shownUrl;
    }

    // ---------------------------------------------------------------- registry

    @Override
    public Optional<RegistrySnapshot> loadRegistry() {
        return read("Cannot load the registry", connection -> {
            // One snapshot of the registry row and the model rows, however writers interleave.
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            Header header = readHeader(connection);
            if (header == null) {
                return Optional.empty();
            }
            Map<String, DiscoveredModel> models = new LinkedHashMap<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery(
                         "SELECT MODEL_ID, DOCUMENT FROM MAGI.MODEL ORDER BY ORDINAL, MODEL_ID")) {
                while (rows.next()) {
                    String id = rows.getString(1);
                    try {
                        models.put(id, RegistryJson.readModel(mapper.readTree(rows.getString(2))));
                    } catch (JsonProcessingException | RuntimeException e) {
                        // One damaged row costs that model's overrides (a rescan finds its file again),
                        // not the whole registry.
                        LOG.error("Model '{}' in {} cannot be read and is left out ({}); a rescan adds it again",
                                id, shownUrl, e.getMessage());
                    }
                }
            }
            return Optional.of(new RegistrySnapshot(models, header.scanPath(), header.lastScan(),
                    header.portRange(), header.thresholds()));
        });
    }

    @Override
    public void saveRegistry(RegistrySnapshot registry) {
        save(registry, null);
    }

    @Override
    public long saveRegistry(RegistrySnapshot registry, long expectedVersion) {
        return save(registry, expectedVersion);
    }

    /** Saves the registry in one transaction, if {@code expectedVersion} is null or still the latest. */
    private long save(RegistrySnapshot registry, Long expectedVersion) {
        Objects.requireNonNull(registry, "registry");
        // Serialise first, outside the transaction: the rows to compare against are all that is read in it.
        List<String> ids = List.copyOf(registry.models().keySet());
        List<String> documents = new ArrayList<>(ids.size());
        for (DiscoveredModel model : registry.models().values()) {
            documents.add(json(model));
        }
        Header header = Header.of(registry);
        synchronized (writeLock) {
            return write("Cannot save the registry", connection -> {
                try (Statement statement = connection.createStatement()) {
                    // Another node writing the same database waits here until its save is done.
                    statement.execute("SET LOCK_TIMEOUT " + LOCK_TIMEOUT_MILLIS);
                    statement.executeQuery("SELECT ID FROM MAGI.REGISTRY WHERE ID = 1 FOR UPDATE").close();
                }
                long version = readVersion(connection);
                if (expectedVersion != null && version != expectedVersion) {
                    throw new RegistryConflictException("The registry was changed by another MAGI sharing "
                            + shownUrl + " since this one read it", Map.of("url", shownUrl));
                }
                if (!header.equals(readHeader(connection))) {
                    try (PreparedStatement merge = connection.prepareStatement(
                            "MERGE INTO MAGI.REGISTRY (ID, SCAN_PATH, LAST_SCAN, PORT_START, PORT_END, POWERFUL_MIN,"
                                    + " FAST_MAX) KEY (ID) VALUES (1, ?, ?, ?, ?, ?, ?)")) {
                        merge.setString(1, header.scanPath());
                        merge.setObject(2, header.lastScan() == null ? null
                                : OffsetDateTime.ofInstant(header.lastScan(), ZoneOffset.UTC));
                        merge.setInt(3, header.portRange().start());
                        merge.setInt(4, header.portRange().end());
                        merge.setDouble(5, header.thresholds().powerfulMin());
                        merge.setDouble(6, header.thresholds().fastMax());
                        merge.executeUpdate();
                    }
                }
                Map<String, Row> stored = readRows(connection);
                Map<String, Long> storedKeys = new HashMap<>();
                stored.forEach((id, row) -> storedKeys.put(id, row.ordinal()));
                long[] keys = ModelOrder.keys(ids, storedKeys);
                try (PreparedStatement merge = connection.prepareStatement(
                        "MERGE INTO MAGI.MODEL (MODEL_ID, ORDINAL, DOCUMENT) KEY (MODEL_ID) VALUES (?, ?, ?)")) {
                    int batched = 0;
                    for (int i = 0; i < ids.size(); i++) {
                        Row wanted = new Row(keys[i], documents.get(i));
                        if (!wanted.equals(stored.get(ids.get(i)))) {
                            merge.setString(1, ids.get(i));
                            merge.setLong(2, wanted.ordinal());
                            merge.setString(3, wanted.document());
                            merge.addBatch();
                            batched++;
                        }
                    }
                    if (batched > 0) {
                        merge.executeBatch();
                    }
                }
                try (PreparedStatement delete = connection.prepareStatement(
                        "DELETE FROM MAGI.MODEL WHERE MODEL_ID = ?")) {
                    int batched = 0;
                    for (String id : stored.keySet()) {
                        if (!registry.models().containsKey(id)) {
                            delete.setString(1, id);
                            delete.addBatch();
                            batched++;
                        }
                    }
                    if (batched > 0) {
                        delete.executeBatch();
                    }
                }
                try (PreparedStatement count = connection.prepareStatement(
                        "UPDATE MAGI.REGISTRY SET VERSION = ? WHERE ID = 1")) {
                    count.setLong(1, version + 1);
                    count.executeUpdate();
                }
                return version + 1;
            });
        }
    }

    @Override
    public OptionalLong registryVersion() {
        return OptionalLong.of(read("Cannot read the registry's version", H2RegistryStore::readVersion));
    }

    /** The number of saves of the registry so far; 0 before the first. */
    private static long readVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT VERSION FROM MAGI.REGISTRY WHERE ID = 1")) {
            return row.next() ? row.getLong(1) : 0;
        }
    }

    private Header readHeader(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT SCAN_PATH, LAST_SCAN, PORT_START, PORT_END,"
                     + " POWERFUL_MIN, FAST_MAX FROM MAGI.REGISTRY WHERE ID = 1")) {
            if (!row.next()) {
                return null;
            }
            OffsetDateTime lastScan = row.getObject(2, OffsetDateTime.class);
            return new Header(row.getString(1), lastScan == null ? null : lastScan.toInstant(),
                    new PortRange(row.getInt(3), row.getInt(4)),
                    new TierThresholds(row.getDouble(5), row.getDouble(6)));
        }
    }

    private static Map<String, Row> readRows(Connection connection) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT MODEL_ID, ORDINAL, DOCUMENT FROM MAGI.MODEL")) {
            while (result.next()) {
                rows.put(result.getString(1), new Row(result.getLong(2), result.getString(3)));
            }
        }
        return rows;
    }

    private String json(DiscoveredModel model) {
        try {
            return mapper.writeValueAsString(model);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a model cannot be written as JSON", e);
        }
    }

    /** The registry-wide fields, as kept in their row. */
    private record Header(String scanPath, Instant lastScan, PortRange portRange, TierThresholds thresholds) {
        static Header of(RegistrySnapshot registry) {
            return new Header(registry.scanPath(), registry.lastScan(), registry.portRange(),
                    registry.tierThresholds());
        }
    }

    /** A model's row, less its id: its sort key ({@link ModelOrder}) and its document. */
    private record Row(long ordinal, String document) {
    }

    // ---------------------------------------------------------------- profiles

    @Override
    public List<String> profileNames() {
        return read("Cannot list the profiles", connection -> {
            List<String> names = new ArrayList<>();
            try (Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT NAME FROM MAGI.PROFILE")) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            // Sorted here rather than by the database, so the order is Java's whatever its collation.
            names.sort(null);
            return List.copyOf(names);
        });
    }

    @Override
    public Optional<ModelProfile> loadProfile(String name) {
        ModelProfile.requireValidName(name);
        String document = read("Cannot load the profile '" + name + "'", connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT DOCUMENT FROM MAGI.PROFILE WHERE NAME = ?")) {
                select.setString(1, name);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getString(1) : null;
                }
            }
        });
        return document == null ? Optional.empty() : Optional.of(ProfileYaml.parse(document, name));
    }

    @Override
    public void saveProfile(ModelProfile profile) {
        String document = ProfileYaml.write(profile);
        write("Cannot save the profile '" + profile.name() + "'", connection -> {
            try (PreparedStatement merge = connection.prepareStatement(
                    "MERGE INTO MAGI.PROFILE (NAME, DOCUMENT) KEY (NAME) VALUES (?, ?)")) {
                merge.setString(1, profile.name());
                merge.setString(2, document);
                merge.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public boolean deleteProfile(String name) {
        ModelProfile.requireValidName(name);
        return write("Cannot delete the profile '" + name + "'", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM MAGI.PROFILE WHERE NAME = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<String> loadActiveProfile() {
        return read("Cannot read the active profile", connection -> {
            try (Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT NAME FROM MAGI.ACTIVE_PROFILE WHERE ID = 1")) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.<String>empty();
            }
        });
    }

    @Override
    public void saveActiveProfile(String name) {
        if (name != null) {
            ModelProfile.requireValidName(name);
        }
        write("Cannot record the active profile", connection -> {
            if (name == null) {
                try (Statement statement = connection.createStatement()) {
                    statement.executeUpdate("DELETE FROM MAGI.ACTIVE_PROFILE");
                }
            } else {
                try (PreparedStatement merge = connection.prepareStatement(
                        "MERGE INTO MAGI.ACTIVE_PROFILE (ID, NAME) KEY (ID) VALUES (1, ?)")) {
                    merge.setString(1, name);
                    merge.executeUpdate();
                }
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- connections

    @Override
    public void close() {
        // For an embedded database, closing the last connection closes the database and its file.
        pool.dispose();
    }

    @FunctionalInterface
    private interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private <T> T read(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                return work.apply(connection);
            } finally {
                connection.rollback();
                connection.setAutoCommit(true);
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        } catch (IllegalStateException e) {
            throw closed(what, e);
        }
    }

    /** Runs {@code work} in one transaction: all of it is committed, or none of it. */
    private <T> T write(String what, Work<T> work) {
        try (Connection connection = pool.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.apply(connection);
                connection.commit();
                forceToDisk(connection);
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(connection);
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        } catch (IllegalStateException e) {
            throw closed(what, e);
        }
    }

    private void forceToDisk(Connection connection) {
        if (!syncAfterCommit) {
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT SYNC");
        } catch (SQLException e) {
            syncAfterCommit = false;
            LOG.warn("Could not force {} to disk after a commit ({}): changes are written at commit but reach"
                    + " stable storage when the operating system flushes them", shownUrl, firstLine(e));
        }
    }

    private static void rollbackQuietly(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The failure that led here is the one to report; H2 undoes an uncommitted transaction anyway.
            LOG.debug("Rollback failed: {}", e.toString());
        }
    }

    private MagiException closed(String what, IllegalStateException e) {
        // JdbcConnectionPool answers IllegalStateException once disposed.
        return new MagiException(ErrorCode.STORAGE_FAILED, what + ": the h2 store is closed",
                Map.of("url", shownUrl), e);
    }

    private MagiException failure(String what, SQLException e) {
        String reason = firstLine(e);
        if (e instanceof H2Schema.NewerSchemaException) {
            reason = e.getMessage();
        } else if (e instanceof JdbcSQLNonTransientConnectionException
                && e.getErrorCode() == DATABASE_ALREADY_OPEN_1) {
            reason = "the database is in use by another process (stop it, or share the database through an"
                    + " H2 server URL such as jdbc:h2:tcp://host/path in MAGI_H2_URL): " + reason;
        }
        return new MagiException(ErrorCode.STORAGE_FAILED, what + ": " + reason, Map.of("url", shownUrl), e);
    }

    /** H2's message without its SQL text and error-code suffix, which mean nothing to a person. */
    private static String firstLine(SQLException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        return message.replaceAll("\\s*\\[\\d+-\\d+]\\s*$", "").strip();
    }

    static String redact(String url) {
        return PASSWORD.matcher(url).replaceAll("$1***");
    }

    @Override
    public String toString() {
        return "H2RegistryStore[" + shownUrl + "]";
    }
}

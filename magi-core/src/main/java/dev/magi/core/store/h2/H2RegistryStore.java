package dev.magi.core.store.h2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.magi.core.json.RegistryJson;
import dev.magi.core.profile.format.ProfileYaml;
import dev.magi.core.util.AtomicFiles;
import dev.magi.spi.DiscoveredModel;
import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import dev.magi.spi.ModelProfile;
import dev.magi.spi.PortRange;
import dev.magi.spi.RegistryConflictException;
import dev.magi.spi.RegistrySnapshot;
import dev.magi.spi.RegistryStore;
import dev.magi.spi.TierThresholds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.Set;

import static org.h2.api.ErrorCode.FILE_CORRUPTED_1;
import static org.h2.api.ErrorCode.FILE_VERSION_ERROR_1;

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
 * The transactions, their durability and the wording of storage failures are in {@link H2Connections}.
 */
public final class H2RegistryStore implements RegistryStore {
    private static final Logger LOG = LoggerFactory.getLogger(H2RegistryStore.class);

    /** H2's error codes for a database file that is not a readable database. */
    private static final Set<Integer> DAMAGED = Set.of(FILE_CORRUPTED_1, FILE_VERSION_ERROR_1);

    /** How long a write waits for another MAGI node's write to the same database. */
    private static final int LOCK_TIMEOUT_MILLIS = 30_000;

    private final String shownUrl;
    private final H2Connections connections;
    private final ObjectMapper mapper = RegistryJson.newMapper();
    /** MAGI serialises writes already; this keeps a direct caller from interleaving two diffs. */
    private final Object writeLock = new Object();

    private H2RegistryStore(H2Connections connections) {
        this.shownUrl = connections.shownUrl();
        this.connections = connections;
    }

    /**
     * Opens the database at {@code url}, creating and migrating its tables as needed.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} when it cannot be opened
     */
    public static H2RegistryStore open(String url) {
        return open(url, new H2Schema());
    }

    /**
     * Opens the embedded database at {@code url}, whose file is {@code file}; when that file is
     * damaged, moves it aside as {@code NAME.corrupt-TIMESTAMP} (never deleted), logs it at ERROR and
     * opens an empty database in its place. A database another process has open is not damaged, and
     * stays an error.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} when it cannot be opened
     */
    static H2RegistryStore openOrMoveAside(String url, Path file) {
        try {
            return open(url);
        } catch (MagiException e) {
            if (!(e.getCause() instanceof SQLException cause) || !DAMAGED.contains(cause.getErrorCode())
                    || !Files.isRegularFile(file)) {
                throw e;
            }
            try {
                Path aside = AtomicFiles.moveAside(file);
                LOG.error("H2 database {} cannot be opened ({}); it was moved to {} and the registry is rebuilt",
                        file, e.getMessage(), aside);
            } catch (IOException moveFailed) {
                LOG.error("H2 database {} cannot be opened ({}) and could not be moved aside: {}", file,
                        e.getMessage(), moveFailed.getMessage());
                throw e;
            }
            return open(url);
        }
    }

    /**
     * Opens the embedded database at {@code url}, whose file is {@code file}, leaving a damaged file
     * as it is.
     *
     * @throws MagiException {@link ErrorCode#STORAGE_FAILED} naming {@code file} when it is damaged,
     *                       or when it cannot be opened
     */
    static H2RegistryStore openOrReportDamage(String url, Path file) {
        try {
            return open(url);
        } catch (MagiException e) {
            if (!(e.getCause() instanceof SQLException cause) || !DAMAGED.contains(cause.getErrorCode())) {
                throw e;
            }
            String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage().lines().findFirst()
                    .orElse("").replaceAll("\\s*\\[[0-9-]+]$", "");
            throw new MagiException(ErrorCode.STORAGE_FAILED, "The H2 database file " + file + " is damaged (" + reason
                    + ") and was left as it is: restore it from a backup or with H2's recovery tool",
                    Map.of("path", file.toString()), e);
        }
    }

    static H2RegistryStore open(String url, H2Schema schema) {
        H2Connections connections = H2Connections.to(url);
        H2RegistryStore store = new H2RegistryStore(connections);
        boolean opened = false;
        try (Connection connection = connections.connection()) {
            schema.migrate(connection);
            connections.makeCommitsDurable(connection);
            opened = true;
        } catch (SQLException e) {
            throw connections.failure("Cannot open the H2 database " + store.shownUrl, e);
        } finally {
            if (!opened) {
                connections.close();
            }
        }
        LOG.info("h2 store opened: {}", store.shownUrl);
        return store;
    }

    /** The URL as given, without its password. */
    public String url() {
        return shownUrl;
    }

    // ---------------------------------------------------------------- registry

    @Override
    public Optional<RegistrySnapshot> loadRegistry() {
        return connections.read("Cannot load the registry", connection -> {
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
            return connections.write("Cannot save the registry", connection -> {
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
        return OptionalLong.of(connections.read("Cannot read the registry's version", H2RegistryStore::readVersion));
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
        return connections.read("Cannot list the profiles", connection -> {
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
        String document = connections.read("Cannot load the profile '" + name + "'", connection -> {
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
        connections.write("Cannot save the profile '" + profile.name() + "'", connection -> {
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
        return connections.write("Cannot delete the profile '" + name + "'", connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM MAGI.PROFILE WHERE NAME = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    @Override
    public Optional<String> loadActiveProfile() {
        return connections.read("Cannot read the active profile", connection -> {
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
        connections.write("Cannot record the active profile", connection -> {
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
        connections.close();
    }

    @Override
    public String toString() {
        return "H2RegistryStore[" + shownUrl + "]";
    }
}

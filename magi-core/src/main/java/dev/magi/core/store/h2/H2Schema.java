package dev.magi.core.store.h2;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The h2 store's tables, created and brought up to date by numbered migrations. The version reached
 * is recorded in {@code MAGI.SCHEMA_VERSION}; opening a database runs, in order, every migration
 * above it, each with its version row in one transaction.
 *
 * <p>H2 commits a transaction at every DDL statement, so a migration cannot be undone as a whole once
 * it has created a table. Migrations are therefore written to be run again safely ({@code IF NOT
 * EXISTS}): a crash, or a second MAGI node opening the same database at the same instant, only makes
 * a migration run twice, never half. Data changes in a migration are rolled back with its version row
 * when it fails.
 */
final class H2Schema {

    /** One step of the schema; {@code statements} run in order. */
    record Migration(int version, String description, List<String> statements) {
        Migration {
            statements = List.copyOf(statements);
        }
    }

    static final String SCHEMA = "MAGI";

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "registry, models, profiles and the active profile", List.of(
                    // The registry-wide fields: one row, present once a registry has been saved.
                    "CREATE TABLE IF NOT EXISTS MAGI.REGISTRY ("
                            + "ID INT PRIMARY KEY CHECK (ID = 1),"
                            + " SCAN_PATH VARCHAR,"
                            + " LAST_SCAN TIMESTAMP(9) WITH TIME ZONE,"
                            + " PORT_START INT NOT NULL,"
                            + " PORT_END INT NOT NULL,"
                            + " POWERFUL_MIN DOUBLE PRECISION NOT NULL,"
                            + " FAST_MAX DOUBLE PRECISION NOT NULL)",
                    // One row per model: its JSON document (RegistryJson) and a key that sorts the rows
                    // in the registry's order (ModelOrder).
                    "CREATE TABLE IF NOT EXISTS MAGI.MODEL ("
                            + "MODEL_ID VARCHAR PRIMARY KEY,"
                            + " ORDINAL BIGINT NOT NULL,"
                            + " DOCUMENT VARCHAR NOT NULL)",
                    // One row per profile: its YAML document (ProfileYaml).
                    "CREATE TABLE IF NOT EXISTS MAGI.PROFILE ("
                            + "NAME VARCHAR(64) PRIMARY KEY,"
                            + " DOCUMENT VARCHAR NOT NULL)",
                    "CREATE TABLE IF NOT EXISTS MAGI.ACTIVE_PROFILE ("
                            + "ID INT PRIMARY KEY CHECK (ID = 1),"
                            + " NAME VARCHAR(64) NOT NULL)")),
            new Migration(2, "a version of the registry, so that nodes sharing it see each other's saves", List.of(
                    // Counts the saves of the registry: a node that finds another number than the one it
                    // last loaded or saved knows another node changed it.
                    "ALTER TABLE MAGI.REGISTRY ADD COLUMN IF NOT EXISTS VERSION BIGINT DEFAULT 0 NOT NULL")));

    private final List<Migration> migrations;

    H2Schema(List<Migration> migrations) {
        for (int i = 0; i < migrations.size(); i++) {
            if (migrations.get(i).version() != i + 1) {
                throw new IllegalArgumentException("migrations must be numbered 1, 2, 3... in order");
            }
        }
        this.migrations = List.copyOf(migrations);
    }

    H2Schema() {
        this(MIGRATIONS);
    }

    int latestVersion() {
        return migrations.size();
    }

    /**
     * Applies the migrations the database lacks and answers the version it is at.
     *
     * @throws NewerSchemaException when the database was migrated by a newer MAGI
     */
    int migrate(Connection connection) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            statement.execute("CREATE TABLE IF NOT EXISTS MAGI.SCHEMA_VERSION ("
                    + "VERSION INT PRIMARY KEY,"
                    + " DESCRIPTION VARCHAR NOT NULL,"
                    + " APPLIED_AT TIMESTAMP WITH TIME ZONE NOT NULL)");
            int current = currentVersion(connection);
            if (current > latestVersion()) {
                throw new NewerSchemaException(current, latestVersion());
            }
            connection.setAutoCommit(false);
            for (Migration migration : migrations.subList(current, migrations.size())) {
                try {
                    for (String sql : migration.statements()) {
                        statement.execute(sql);
                    }
                    try (PreparedStatement record = connection.prepareStatement(
                            "MERGE INTO MAGI.SCHEMA_VERSION (VERSION, DESCRIPTION, APPLIED_AT) KEY (VERSION)"
                                    + " VALUES (?, ?, ?)")) {
                        record.setInt(1, migration.version());
                        record.setString(2, migration.description());
                        record.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                        record.executeUpdate();
                    }
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw new SQLException("migration " + migration.version() + " (" + migration.description()
                            + ") failed: " + e.getMessage(), e);
                }
            }
            return latestVersion();
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    static int currentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT COALESCE(MAX(VERSION), 0) FROM MAGI.SCHEMA_VERSION")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    /** The database's schema is newer than this MAGI knows. */
    static final class NewerSchemaException extends SQLException {
        private static final long serialVersionUID = 1L;

        NewerSchemaException(int found, int known) {
            super("the database has schema version " + found + " but this MAGI knows versions up to " + known
                    + "; it was written by a newer MAGI");
        }
    }
}

package dev.magi.core.store.h2;

import dev.magi.spi.ErrorCode;
import dev.magi.spi.MagiException;
import org.h2.jdbc.JdbcSQLNonTransientConnectionException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Pattern;

import static org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1;

/**
 * The connections of one {@link H2RegistryStore}: its pool, its read and write transactions, the
 * durability of its commits and the wording of its storage failures.
 *
 * <p>Kept apart from the store so the store reads as the mapping of the registry and the profiles to
 * rows, while how a change becomes one transaction that is on disk before the call returns, and how
 * H2's errors are told to a person (without the URL's password), live in one place.
 */
final class H2Connections {
    // Logged under the store's name: that is the logger operators already know and configure.
    private static final Logger LOG = LoggerFactory.getLogger(H2RegistryStore.class);

    private static final Pattern PASSWORD = Pattern.compile("(?i)(;\\s*PASSWORD\\s*=)[^;]*");

    private final String shownUrl;
    private final JdbcConnectionPool pool;

    /** Cleared when the database refuses {@code CHECKPOINT SYNC} (a user without admin rights). */
    private volatile boolean syncAfterCommit = true;

    private H2Connections(String url, JdbcConnectionPool pool) {
        this.shownUrl = redact(url);
        this.pool = pool;
    }

    /** A pool of connections to {@code url}; nothing is opened until the first connection is taken. */
    static H2Connections to(String url) {
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
        return new H2Connections(url, pool);
    }

    /** The URL as given, without its password. */
    String shownUrl() {
        return shownUrl;
    }

    /** A connection of the pool, for opening the database; the caller closes it. */
    Connection connection() throws SQLException {
        return pool.getConnection();
    }

    void makeCommitsDurable(Connection connection) {
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

    void close() {
        // For an embedded database, closing the last connection closes the database and its file.
        pool.dispose();
    }

    @FunctionalInterface
    interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    <T> T read(String what, Work<T> work) {
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
    <T> T write(String what, Work<T> work) {
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

    MagiException failure(String what, SQLException e) {
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
}

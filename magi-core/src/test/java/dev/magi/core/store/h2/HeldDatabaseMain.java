package dev.magi.core.store.h2;

import java.sql.Connection;
import java.sql.DriverManager;

/**
 * An H2 database held open by a JVM of its own, for the test that another process's database is
 * not taken for a damaged one: it opens the URL of its argument, prints {@code OPEN}, and keeps
 * the database open until its standard input ends.
 */
public final class HeldDatabaseMain {
    private HeldDatabaseMain() {
    }

    public static void main(String[] args) throws Exception {
        try (Connection connection = DriverManager.getConnection(args[0], "sa", "")) {
            System.out.println("OPEN");
            System.out.flush();
            System.in.readAllBytes();
        }
    }
}

package io.starlingdb.sql.differential;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The engine whose answers Starling's are compared with, chosen by {@code
 * starling.sqldiff.reference}: {@code h2} (the default: in the JVM, nothing to install) or {@code
 * postgres}, a running PostgreSQL 15 at {@code starling.sqldiff.pgUrl} (tests/sqldiff-postgres.sh
 * makes one), whose semantics Starling follows. The generator writes one SQL text, Starling's;
 * this is the one place where it is spelled for the reference.
 */
enum ReferenceEngine {
    H2 {
        @Override
        Connection connect() throws SQLException {
            return DriverManager.getConnection("jdbc:h2:mem:sqldiff" + System.nanoTime() + ";DB_CLOSE_DELAY=0");
        }

        @Override
        List<String> createStatements(RandomSchema schema) {
            return schema.statements(false);
        }

        @Override
        String spell(String sql) {
            return sql;
        }

        /** H2's failures were always skipped: its dialect refuses much that Starling runs (AVG(NULL), say). */
        @Override
        boolean failureStarlingShouldShare(String sqlState) {
            return false;
        }
    },

    POSTGRES {
        @Override
        Connection connect() throws SQLException {
            String url = System.getProperty("starling.sqldiff.pgUrl");
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("starling.sqldiff.reference=postgres needs starling.sqldiff.pgUrl "
                        + "(jdbc:postgresql://HOST:PORT/DATABASE?user=USER; tests/sqldiff-postgres.sh starts a PostgreSQL)");
            }
            Connection c = DriverManager.getConnection(url);
            try (Statement s = c.createStatement()) {
                // A schema of the run's own, so that tables of a run that died before its DROPs
                // cannot collide with this run's (the databases are named d0_, d1_, ... in every run).
                s.execute("CREATE SCHEMA " + SCHEMA);
                s.execute("SET search_path TO " + SCHEMA);
                // A statement the reference cannot finish (a join of 8 tables gone wrong) fails
                // rather than hangs; Starling's own statements have the same bound.
                s.execute("SET statement_timeout = " + Engines.STATEMENT_TIMEOUT_SECONDS * 1000L);
            }
            return c;
        }

        @Override
        void release(Connection c) throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            }
        }

        /** Starling's own DDL: PostgreSQL knows its type names (TEXT, FLOAT) but for DOUBLE, which {@link #spell} rewrites. */
        @Override
        List<String> createStatements(RandomSchema schema) {
            return schema.statements(true);
        }

        /**
         * PostgreSQL has no type DOUBLE (the generator writes it in column types and in casts:
         * {@code CAST(1.25 AS DOUBLE)}); its name is DOUBLE PRECISION, the same 64-bit type. No
         * generated string literal holds the word.
         */
        @Override
        String spell(String sql) {
            return DOUBLE.matcher(sql).replaceAll("DOUBLE PRECISION");
        }

        /**
         * A data exception (class 22: division by zero, a value out of its type's range) or an
         * integrity violation (23) is a property of the data, which Starling must share; the other
         * failures (42: a type PostgreSQL cannot resolve, say) are the dialect's, skipped and counted.
         */
        @Override
        boolean failureStarlingShouldShare(String sqlState) {
            return sqlState.startsWith("22") || sqlState.startsWith("23");
        }
    };

    /** The schema of this JVM's run in PostgreSQL. */
    private static final String SCHEMA = "sqldiff_" + ProcessHandle.current().pid() + "_" + System.nanoTime();
    private static final Pattern DOUBLE = Pattern.compile("\\bDOUBLE\\b(?! PRECISION)");

    /** The reference that {@code starling.sqldiff.reference} names (h2 when unset). */
    static ReferenceEngine configured() {
        String name = System.getProperty("starling.sqldiff.reference", "h2");
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "h2" -> H2;
            case "postgres", "postgresql" -> POSTGRES;
            default -> throw new IllegalArgumentException("starling.sqldiff.reference=" + name + ": expected h2 or postgres");
        };
    }

    /** A connection to a fresh, empty database of this engine. */
    abstract Connection connect() throws SQLException;

    /** Removes what {@link #connect} made outside the connection; the caller then closes it. */
    void release(Connection c) throws SQLException {
    }

    /** The statements that create and fill the random database in this engine (before {@link #spell}). */
    abstract List<String> createStatements(RandomSchema schema);

    /** The generated (Starling) SQL as this engine must read it. */
    abstract String spell(String sql);

    /** Whether a failure of this engine with sqlState, where Starling answered, is a mismatch rather than a skip. */
    abstract boolean failureStarlingShouldShare(String sqlState);

    /**
     * Whether some failures of this engine are compared ({@link #failureStarlingShouldShare}), so
     * that the generator may write data on which the engines must fail alike (INTEGER values at
     * the ends of the range).
     */
    boolean comparesFailures() {
        return this == POSTGRES;
    }

    /**
     * Whether the generator may write what H2 cannot check: FULL JOIN (H2 has none), and strings
     * with trailing spaces.
     */
    boolean widensQueries() {
        return this == POSTGRES;
    }

    /** The name the reports use. */
    String label() {
        return this == H2 ? "H2" : "PostgreSQL";
    }
}

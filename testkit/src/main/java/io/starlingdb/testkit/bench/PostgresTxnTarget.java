package io.starlingdb.testkit.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The transactional workloads on PostgreSQL through JDBC, the same transactions as
 * {@link StarlingTxnTarget}'s: a transfer reads both accounts in one SELECT and writes both
 * balances (one batch, in id order so two transfers never deadlock) in a SERIALIZABLE
 * transaction; an increment reads the counter and writes it back in a REPEATABLE READ
 * transaction (PostgreSQL's snapshot isolation, which refuses the lost update with 40001, as
 * Starling's SNAPSHOT does).
 */
final class PostgresTxnTarget implements TxnTarget {

    private final Connection c;
    private final PreparedStatement readAccounts;
    private final PreparedStatement writeAccount;
    private final PreparedStatement readCounter;
    private final PreparedStatement writeCounter;
    private final int accounts;
    private final int counters;
    private int isolation = -1;

    PostgresTxnTarget(String url, String user, int accounts, int counters) throws SQLException {
        this.accounts = accounts;
        this.counters = counters;
        c = DriverManager.getConnection(url, user, "");
        c.setAutoCommit(false);
        readAccounts = c.prepareStatement("SELECT id, balance FROM accounts WHERE id IN (?, ?)");
        writeAccount = c.prepareStatement("UPDATE accounts SET balance = ? WHERE id = ?");
        readCounter = c.prepareStatement("SELECT n FROM counters WHERE id = ?");
        writeCounter = c.prepareStatement("UPDATE counters SET n = ? WHERE id = ?");
    }

    /** (Re)creates the tables: accounts 0..accounts-1 at initialBalance, counters at 0. */
    static void prepare(String url, String user, int accounts, long initialBalance, int counters) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS accounts");
            s.execute("DROP TABLE IF EXISTS counters");
            s.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance BIGINT NOT NULL)");
            s.execute("CREATE TABLE counters (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)");
            s.execute("INSERT INTO accounts SELECT i, " + initialBalance + " FROM generate_series(0, " + (accounts - 1) + ") i");
            s.execute("INSERT INTO counters SELECT i, 0 FROM generate_series(0, " + (counters - 1) + ") i");
            s.execute("VACUUM ANALYZE accounts");
            s.execute("VACUUM ANALYZE counters");
        }
    }

    @Override
    public void transfer(int from, int to, long amount) throws SQLException {
        isolation(Connection.TRANSACTION_SERIALIZABLE);
        try {
            readAccounts.setInt(1, from);
            readAccounts.setInt(2, to);
            long a = Long.MIN_VALUE;
            long b = Long.MIN_VALUE;
            int rows = 0;
            try (ResultSet rs = readAccounts.executeQuery()) {
                while (rs.next()) {
                    rows++;
                    if (rs.getInt(1) == from) {
                        a = rs.getLong(2);
                    } else {
                        b = rs.getLong(2);
                    }
                }
            }
            if (rows != 2) {
                throw new IllegalStateException("accounts " + from + " and " + to + ": " + rows + " rows");
            }
            int low = Math.min(from, to);
            int high = Math.max(from, to);
            for (int id : new int[] {low, high}) {
                writeAccount.setLong(1, id == from ? a - amount : b + amount);
                writeAccount.setInt(2, id);
                writeAccount.addBatch();
            }
            writeAccount.executeBatch();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    @Override
    public void increment(int counter) throws SQLException {
        isolation(Connection.TRANSACTION_REPEATABLE_READ);
        try {
            readCounter.setInt(1, counter);
            long n;
            try (ResultSet rs = readCounter.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("counter " + counter + " is missing");
                }
                n = rs.getLong(1);
            }
            writeCounter.setLong(1, n + 1);
            writeCounter.setInt(2, counter);
            writeCounter.executeUpdate();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            throw e;
        }
    }

    @Override
    public long bankTotal() throws SQLException {
        return total("accounts", "balance", accounts);
    }

    @Override
    public long counterTotal() throws SQLException {
        return total("counters", "n", counters);
    }

    private long total(String table, String column, int expectedRows) throws SQLException {
        isolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(" + column + "), 0) FROM " + table)) {
            rs.next();
            long rows = rs.getLong(1);
            long sum = rs.getLong(2);
            c.commit();
            if (rows != expectedRows) {
                throw new IllegalStateException(rows + " rows in " + table + ", expected " + expectedRows);
            }
            return sum;
        }
    }

    private void isolation(int level) throws SQLException {
        if (isolation != level) {
            c.setTransactionIsolation(level);
            isolation = level;
        }
    }

    private void rollbackQuietly() {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken: the next statement reports it
        }
    }

    @Override
    public Failure classify(Exception e) {
        if (e instanceof SQLException s && s.getSQLState() != null) {
            return switch (s.getSQLState()) {
                case "40001", "40P01" -> Failure.RETRY;
                case "40003" -> Failure.UNKNOWN;
                default -> Failure.ERROR;
            };
        }
        return Failure.ERROR;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}

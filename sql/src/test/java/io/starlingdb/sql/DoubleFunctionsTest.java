package io.starlingdb.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starlingdb.engine.txn.Transaction;
import io.starlingdb.sql.exec.Errors;
import io.starlingdb.sql.exec.QueryCompiler;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.calcite.linq4j.Enumerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The functions of DOUBLE answer what PostgreSQL 15's float8 functions answer, and fail where
 * they fail with the same SQLSTATE, instead of answering an infinity, zero or NaN: each case of
 * {@link #POSTGRESQL} is one call, its operands and PostgreSQL's answer, run in both execution
 * tiers (interpreted and generated code) and through a session.
 */
class DoubleFunctionsTest {

    /** More runs than {@code TieredPlan}'s interpreted tier, so the compiled code answers too. */
    private static final int RUNS = 4;

    /**
     * Taken from PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86-64: {@code SELECT call} with x
     * and y {@code 'value'::float8} (TRUNCATE is PostgreSQL's {@code trunc}). An answer is the value
     * as psql prints it, or "error" and the SQLSTATE (its message in parentheses).
     */
    private static final String POSTGRESQL = """
            POWER(x, y) | 10                 | 400       | error 22003   (value out of range: overflow)
            POWER(x, y) | 10                 | -400      | error 22003   (value out of range: underflow)
            POWER(x, y) | -2                 | 1025      | error 22003   (value out of range: overflow)
            POWER(x, y) | 1e-300             | 2         | error 22003   (value out of range: underflow)
            POWER(x, y) | 2                  | -1074     | 5e-324
            POWER(x, y) | 2                  | -1075     | error 22003   (value out of range: underflow)
            POWER(x, y) | 10                 | -323      | 1e-323
            POWER(x, y) | 0                  | -1        | error 2201F   (zero raised to a negative power is undefined)
            POWER(x, y) | 0                  | -Infinity | error 2201F   (zero raised to a negative power is undefined)
            POWER(x, y) | 0                  | 0         | 1
            POWER(x, y) | 0                  | 0.5       | 0
            POWER(x, y) | 0                  | Infinity  | 0
            POWER(x, y) | -8                 | 0.3333333333333333 | error 2201F   (a negative number raised to a non-integer power yields a complex result)
            POWER(x, y) | -8                 | 3         | -512
            POWER(x, y) | -8                 | -3        | -0.001953125
            POWER(x, y) | -8                 | Infinity  | Infinity
            POWER(x, y) | -0.5               | Infinity  | 0
            POWER(x, y) | 2                  | Infinity  | Infinity
            POWER(x, y) | 2                  | -Infinity | 0
            POWER(x, y) | 0.5                | -Infinity | Infinity
            POWER(x, y) | -1                 | Infinity  | 1
            POWER(x, y) | -1                 | -Infinity | 1
            POWER(x, y) | 1                  | Infinity  | 1
            POWER(x, y) | Infinity           | 2         | Infinity
            POWER(x, y) | Infinity           | -2        | 0
            POWER(x, y) | Infinity           | 0         | 1
            POWER(x, y) | -Infinity          | 3         | -Infinity
            POWER(x, y) | -Infinity          | -3        | -0
            POWER(x, y) | -Infinity          | 0.5       | error 2201F   (a negative number raised to a non-integer power yields a complex result)
            POWER(x, y) | -Infinity          | Infinity  | Infinity
            POWER(x, y) | NaN                | 0         | 1
            POWER(x, y) | NaN                | 2         | NaN
            POWER(x, y) | 1                  | NaN       | 1
            POWER(x, y) | 2                  | NaN       | NaN
            POWER(x, y) | -1                 | NaN       | NaN
            POWER(x, y) | 2                  | 0.5       | 1.4142135623730951
            POWER(x, y) | 1.0000001          | 1e20      | error 22003   (value out of range: overflow)
            POWER(x, y) | 0.9999999          | 1e20      | error 22003   (value out of range: underflow)
            EXP(x)      | 1000               | -         | error 22003   (value out of range: overflow)
            EXP(x)      | 709                | -         | 8.218407461554972e+307
            EXP(x)      | 710                | -         | error 22003   (value out of range: overflow)
            EXP(x)      | -1000              | -         | error 22003   (value out of range: underflow)
            EXP(x)      | -740               | -         | 4.2e-322
            EXP(x)      | -745.2             | -         | error 22003   (value out of range: underflow)
            EXP(x)      | Infinity           | -         | Infinity
            EXP(x)      | -Infinity          | -         | 0
            EXP(x)      | NaN                | -         | NaN
            EXP(x)      | 1                  | -         | 2.718281828459045
            LN(x)       | 0                  | -         | error 2201E   (cannot take logarithm of zero)
            LN(x)       | -1                 | -         | error 2201E   (cannot take logarithm of a negative number)
            LN(x)       | -Infinity          | -         | error 2201E   (cannot take logarithm of a negative number)
            LN(x)       | Infinity           | -         | Infinity
            LN(x)       | NaN                | -         | NaN
            LN(x)       | 1e-320             | -         | -736.8272408909739
            LN(x)       | 2                  | -         | 0.6931471805599453
            LOG10(x)    | 0                  | -         | error 2201E   (cannot take logarithm of zero)
            LOG10(x)    | -1                 | -         | error 2201E   (cannot take logarithm of a negative number)
            LOG10(x)    | Infinity           | -         | Infinity
            LOG10(x)    | NaN                | -         | NaN
            LOG10(x)    | 1e308              | -         | 308
            LOG10(x)    | 1e-320             | -         | -320.000004834948
            SQRT(x)     | -1                 | -         | error 2201F   (cannot take square root of a negative number)
            SQRT(x)     | -Infinity          | -         | error 2201F   (cannot take square root of a negative number)
            SQRT(x)     | Infinity           | -         | Infinity
            SQRT(x)     | NaN                | -         | NaN
            SQRT(x)     | 2                  | -         | 1.4142135623730951
            SQRT(x)     | 1e-320             | -         | 9.99994433575849e-161
            CBRT(x)     | -8                 | -         | -2
            CBRT(x)     | Infinity           | -         | Infinity
            CBRT(x)     | NaN                | -         | NaN
            ASIN(x)     | 2                  | -         | error 22003   (input is out of range)
            ASIN(x)     | -2                 | -         | error 22003   (input is out of range)
            ASIN(x)     | Infinity           | -         | error 22003   (input is out of range)
            ASIN(x)     | NaN                | -         | NaN
            ASIN(x)     | 0.5                | -         | 0.5235987755982989
            ACOS(x)     | -2                 | -         | error 22003   (input is out of range)
            ACOS(x)     | 2                  | -         | error 22003   (input is out of range)
            ACOS(x)     | -Infinity          | -         | error 22003   (input is out of range)
            ACOS(x)     | NaN                | -         | NaN
            ACOS(x)     | 0.5                | -         | 1.0471975511965979
            ATAN(x)     | Infinity           | -         | 1.5707963267948966
            ATAN(x)     | NaN                | -         | NaN
            ATAN(x)     | 1                  | -         | 0.7853981633974483
            ATAN2(x, y) | 1                  | 0         | 1.5707963267948966
            ATAN2(x, y) | 0                  | 0         | 0
            ATAN2(x, y) | Infinity           | Infinity  | 0.7853981633974483
            ATAN2(x, y) | NaN                | 1         | NaN
            ATAN2(x, y) | 1e-300             | 1e300     | 0
            SIN(x)      | Infinity           | -         | error 22003   (input is out of range)
            SIN(x)      | -Infinity          | -         | error 22003   (input is out of range)
            SIN(x)      | NaN                | -         | NaN
            SIN(x)      | 1                  | -         | 0.8414709848078965
            COS(x)      | Infinity           | -         | error 22003   (input is out of range)
            COS(x)      | 1                  | -         | 0.5403023058681398
            TAN(x)      | Infinity           | -         | error 22003   (input is out of range)
            TAN(x)      | 1                  | -         | 1.5574077246549023
            COT(x)      | Infinity           | -         | error 22003   (input is out of range)
            COT(x)      | 0                  | -         | Infinity
            COT(x)      | NaN                | -         | NaN
            COT(x)      | 1e-320             | -         | Infinity
            COT(x)      | 1                  | -         | 0.6420926159343306
            DEGREES(x)  | 1e308              | -         | error 22003   (value out of range: overflow)
            DEGREES(x)  | Infinity           | -         | Infinity
            DEGREES(x)  | NaN                | -         | NaN
            DEGREES(x)  | 5e-324             | -         | 2.8e-322
            DEGREES(x)  | 93.99              | -         | 5385.230316434607
            DEGREES(x)  | 43.2               | -         | 2475.1776749651563
            RADIANS(x)  | 5e-324             | -         | error 22003   (value out of range: underflow)
            RADIANS(x)  | 1e-320             | -         | 1.73e-322
            RADIANS(x)  | 1e308              | -         | 1.7453292519943295e+306
            RADIANS(x)  | Infinity           | -         | Infinity
            RADIANS(x)  | 45                 | -         | 0.7853981633974483
            SIGN(x)     | Infinity           | -         | 1
            SIGN(x)     | -Infinity          | -         | -1
            SIGN(x)     | NaN                | -         | 0
            SIGN(x)     | -2.5               | -         | -1
            ROUND(x)    | 2.5                | -         | 2
            ROUND(x)    | -2.5               | -         | -2
            ROUND(x)    | 0.5                | -         | 0
            ROUND(x)    | 1.5                | -         | 2
            ROUND(x)    | Infinity           | -         | Infinity
            ROUND(x)    | NaN                | -         | NaN
            ROUND(x)    | 1e308              | -         | 1e+308
            TRUNCATE(x) | -2.5               | -         | -2
            TRUNCATE(x) | 2.5                | -         | 2
            TRUNCATE(x) | -Infinity          | -         | -Infinity
            TRUNCATE(x) | NaN                | -         | NaN
            TRUNCATE(x) | 1e308              | -         | 1e+308
            """;

    /**
     * Functions whose result is DOUBLE for any numeric argument: an INTEGER argument computes as
     * the DOUBLE of its value (PostgreSQL picks the float8 function for integers too), and so
     * does a DECIMAL one (Starling's type rule; PostgreSQL has numeric forms of some of them).
     * The others (SIGN, ROUND, TRUNCATE) keep their argument's type.
     */
    private static final Set<String> DOUBLE_OF_ANY_NUMBER = Set.of("POWER", "EXP", "LN", "LOG10", "SQRT", "CBRT", "ASIN", "ACOS",
            "ATAN", "ATAN2", "SIN", "COS", "TAN", "COT", "DEGREES", "RADIANS");

    /** One line of {@link #POSTGRESQL}; row {@code id} of table d holds its operands. */
    record Case(int id, String call, Double x, Double y, String answer) {

        boolean fails() {
            return answer.startsWith("error ");
        }

        String sqlState() {
            return answer.substring("error ".length(), "error ".length() + 5);
        }

        double value() {
            return Double.parseDouble(answer);
        }

        String function() {
            return call.substring(0, call.indexOf('('));
        }
    }

    @TempDir
    Path dir;
    SqlFixture db;
    List<Case> cases;

    @BeforeEach
    void open() throws SqlException {
        db = new SqlFixture(dir);
        db.update("CREATE TABLE d (id INTEGER PRIMARY KEY, x DOUBLE, y DOUBLE, i INTEGER, j INTEGER, m DECIMAL(30, 10), n DECIMAL(30, 10))");
        cases = new ArrayList<>();
        for (String line : POSTGRESQL.strip().split("\n")) {
            String[] fields = line.split("\\|");
            Double x = Double.parseDouble(fields[1].strip());
            Double y = fields[2].strip().equals("-") ? null : Double.parseDouble(fields[2].strip());
            String answer = fields[3].strip().split(" {2}")[0];
            Case c = new Case(cases.size() + 1, fields[0].strip(), x, y, answer);
            cases.add(c);
            db.update("INSERT INTO d VALUES (?, ?, ?, ?, ?, ?, ?)", c.id(), x, y, integer(x), integer(y), decimal(x), decimal(y));
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    /** The value as an INTEGER if it is one; else NULL (that variant of the case is not run). */
    private static Integer integer(Double v) {
        return v != null && v == Math.rint(v) && Math.abs(v) <= Integer.MAX_VALUE ? (Integer) (int) (double) v : null;
    }

    /** The value as a DECIMAL(30, 10) if it is one exactly; else NULL. */
    private static BigDecimal decimal(Double v) {
        if (v == null || v.isNaN() || v.isInfinite() || Math.abs(v) >= 1e19) {
            return null;
        }
        BigDecimal d = new BigDecimal(Double.toString(v));
        return d.scale() <= 10 && d.doubleValue() == v ? d : null;
    }

    @Test
    void everyFunctionOfADoubleAnswersAsPostgreSQL() throws SqlException {
        for (Case c : cases) {
            answers(c, c.call(), "SELECT " + c.call() + " FROM d WHERE id = " + c.id());
        }
    }

    @Test
    void integerAndDecimalArgumentsComputeAsDoubles() throws SqlException {
        int integers = 0;
        int decimals = 0;
        for (Case c : cases) {
            if (!DOUBLE_OF_ANY_NUMBER.contains(c.function())) {
                continue;
            }
            if (integer(c.x()) != null && (c.y() == null || integer(c.y()) != null)) {
                String call = c.call().replace("x", "i").replace("y", "j");
                answers(c, call, "SELECT " + call + " FROM d WHERE id = " + c.id());
                integers++;
            }
            if (decimal(c.x()) != null && (c.y() == null || decimal(c.y()) != null)) {
                String call = c.call().replace("x", "m").replace("y", "n");
                answers(c, call, "SELECT " + call + " FROM d WHERE id = " + c.id());
                decimals++;
            }
        }
        assertTrue(integers > 30 && decimals > 30, integers + " INTEGER and " + decimals + " DECIMAL cases");
    }

    /** Constant arguments fail when the statement runs, every time, with the function's SQLSTATE (not when it is planned). */
    @Test
    void constantArgumentsFailAsColumnsDo() {
        for (String[] failure : new String[][] {{"LN(0)", "2201E"}, {"LOG10(-1.5)", "2201E"}, {"SQRT(-1)", "2201F"},
                {"POWER(0, -1)", "2201F"}, {"POWER(-8, 1.0 / 3)", "2201F"}, {"POWER(10, 400)", "22003"}, {"POWER(10.0, 400)", "22003"},
                {"EXP(1000)", "22003"}, {"EXP(-1000.0)", "22003"}, {"ASIN(2)", "22003"}, {"ACOS(-2)", "22003"},
                {"DEGREES(1e308)", "22003"}}) {
            String sql = "SELECT " + failure[0] + " FROM d WHERE id = 1";
            for (int run = 0; run < RUNS; run++) {
                SqlException e = assertThrows(SqlException.class, () -> db.rows(sql), sql + " (run " + (run + 1) + ")");
                assertEquals(failure[1], e.sqlState(), sql + " (run " + (run + 1) + "): " + e.getMessage());
            }
        }
    }

    @Test
    void refusalsSayWhatWasRefused() {
        assertEquals("cannot take logarithm of zero", error("SELECT LN(x) FROM d WHERE x = 0 AND id < 20").getMessage());
        assertEquals("cannot take square root of a negative number", error("SELECT SQRT(x) FROM d WHERE x < 0").getMessage());
        assertEquals("zero raised to a negative power is undefined", error("SELECT POWER(0, x) FROM d WHERE x < 0").getMessage());
        assertEquals("input is out of range", error("SELECT ASIN(x) FROM d WHERE x > 1").getMessage());
        assertTrue(error("SELECT EXP(x) FROM d WHERE x > 709").getMessage().contains("overflow"));
    }

    @Test
    void aFailingFunctionInAnUpdateChangesNothing() throws SqlException {
        SqlException e = assertThrows(SqlException.class, () -> db.update("UPDATE d SET x = EXP(x * 100) WHERE id < 20"));
        assertEquals("22003", e.sqlState(), e.getMessage());
        assertEquals(List.of(List.of(10.0)), db.rows("SELECT x FROM d WHERE id = 1"));
        assertEquals("2201E", assertThrows(SqlException.class, () -> db.rows("SELECT COUNT(*) FROM d WHERE LN(x) > 0")).sqlState());
    }

    private SqlException error(String sql) {
        return assertThrows(SqlException.class, () -> db.rows(sql), sql);
    }

    /** The statement's answer is the case's, in the interpreted tier, in generated code, and through a session on every run. */
    private void answers(Case c, String call, String sql) throws SqlException {
        String what = call + " of " + c + ": " + sql;
        QueryCompiler.Compiled compiled = db.engine.compiler().compile(QueryCompiler.parse(sql));
        for (boolean interpret : new boolean[] {true, false}) {
            String tier = interpret ? " (interpreted)" : " (generated code)";
            Object answer;
            try (Transaction txn = db.store.begin();
                 Enumerator<Object> rows = compiled.open(txn, CancelSignal.withoutDeadline(), List.of(), interpret)) {
                assertNotNull(rows, "not interpreted: " + what);
                assertTrue(rows.moveNext(), what + tier);
                Object row = rows.current();
                answer = row instanceof Object[] values ? values[0] : row;
            } catch (RuntimeException e) {
                answer = Errors.execution(e);
            }
            check(c, answer, what + tier);
        }
        for (int run = 0; run < RUNS; run++) {
            Object answer;
            try {
                answer = db.rows(sql).get(0).get(0);
            } catch (SqlException e) {
                answer = e;
            }
            check(c, answer, what + " (run " + (run + 1) + ")");
        }
    }

    private static void check(Case c, Object answer, String what) {
        if (c.fails()) {
            assertTrue(answer instanceof SqlException, what + " answered " + answer);
            assertEquals(c.sqlState(), ((SqlException) answer).sqlState(), what + ": " + ((SqlException) answer).getMessage());
            return;
        }
        if (answer instanceof SqlException e) {
            throw new AssertionError(what + " failed with " + e.sqlState() + " " + e.getMessage(), e);
        }
        // PostgreSQL's -0 is 0 here (a query never returns -0.0: docs/sql.md, "DOUBLE has one zero").
        double expected = c.value() == 0.0 ? 0.0 : c.value();
        assertEquals(Double.valueOf(expected), answer, what);
    }
}

package io.starlingdb.sql.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.starlingdb.sql.differential.Engines.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential and metamorphic SQL testing, as SQLancer does: random databases and queries run
 * on Starling and on a reference engine (H2 in the JVM, or PostgreSQL 15 with {@code
 * -Dstarling.sqldiff.reference=postgres -Dstarling.sqldiff.pgUrl=...}: {@link ReferenceEngine}),
 * and three oracles judge them:
 * <ul>
 *   <li><b>reference</b>: Starling's rows equal the reference's (as multisets, or as lists under a total ORDER BY);
 *   <li><b>ternary logic partitioning</b>: the rows of Q equal those of Q WHERE p, Q WHERE NOT p and
 *       Q WHERE p IS NULL together (on Starling alone);
 *   <li><b>non-optimizing rewrite</b>: SELECT ... WHERE p keeps as many rows as evaluating
 *       CASE WHEN p THEN 1 ELSE 0 END over every row says it should.
 * </ul>
 * Every mismatch prints its seed, the database and a reduced query. System properties:
 * {@code starling.sqldiff.queries} (checks per run, {@link #DEFAULT_QUERIES}; 200,000 with {@code -Plong}) and
 * {@code starling.sqldiff.seed} and {@code starling.sqldiff.firstDatabase} (the first database of
 * the seed to check, so a printed database seed {@code seed * 1,000,003 + n} reruns from database n),
 * {@code starling.sqldiff.statementTimeoutSeconds} (when a statement counts as hung; 30).
 */
public class DifferentialSqlTest {

    /**
     * Checks in the default run; {@code -Plong} runs 200,000. Each costs Starling one to two
     * statements never seen before. A full check (joins of up to 8 tables, sub-queries, set
     * operations) takes the cost-based planner path and Java code generation: about 35 ms to
     * validate and convert and 50 ms to plan, then tens of ms to compile, on the two busy cores
     * where the suite runs. A small check (one table or view, no sub-query) mostly takes the
     * simple path and is interpreted, and is what exercises the interpreter, the
     * scan's access paths (keys, secondary and descending indexes) and view expansion on one
     * table. So one check in {@link #FULL_CHECK_EVERY} is full (docs/sql.md has the times).
     */
    static final int DEFAULT_QUERIES = 5_000;
    /** Every this many checks, one is a full check; the others are small (see {@link #DEFAULT_QUERIES}). */
    static final int FULL_CHECK_EVERY = 5;
    /** Queries checked against each random database before the next one is made. */
    static final int QUERIES_PER_DATABASE = 125;
    /** Mismatches reduced and printed in full; further ones print unreduced. */
    static final int MAX_REDUCED = 12;
    /** The share of generated queries the reference may refuse before the generator is to blame. */
    static final double MAX_REFERENCE_REFUSALS = 0.05;
    /** A long run prints how far it got every this many checks, so a run stopped early still tells. */
    static final int PROGRESS_EVERY = 5_000;

    /**
     * Planner failures that refuse (42000) a valid statement and are not fixed yet, each listed
     * in docs/sql.md ("Known planner limitations"). A refusal is never a wrong answer; a
     * refusal not on this list, a wrong answer, or more known refusals than
     * {@link #MAX_KNOWN_REFUSALS} of the queries fails the test.
     */
    static final List<String> KNOWN_REFUSALS = List.of(
            "Comparison with NULL in pulledUpPredicates",
            "should be defined",
            "type mismatch:",
            "Unable to implement EnumerableMinus",
            "CyclicMetadataException",
            "Error while compiling generated Java code",
            "must not be used by left input to correlation",
            "out of range",
            "Unable to implement",
            "NoSuchElementException",
            "Cannot add expression of different type to set",
            "ArrayIndexOutOfBoundsException",
            "Error while applying rule ProjectMergeRule",
            "not a literal");
    static final double MAX_KNOWN_REFUSALS = 0.05;

    @TempDir
    Path dir;

    /** How a check ended. */
    record Verdict(String kind, String detail) {
        static final Verdict PASS = new Verdict("pass", "");
        static final Verdict SKIP = new Verdict("skip", "");
        /** Both engines failed on the data, as they must (a value out of range, with a reference whose failures are compared). */
        static final Verdict SHARED_FAILURE = new Verdict("shared-failure", "");

        boolean mismatch() {
            return this != PASS && this != SKIP && this != SHARED_FAILURE;
        }
    }

    record Mismatch(long databaseSeed, int query, String oracle, Verdict verdict, String original, String reduced) {
    }

    /**
     * The kind of a check where one engine failed with {@link #EVALUATION_ORDER_STATE} (a value
     * out of its type's range) and the other answered, because they evaluate different
     * subexpressions (with {@link ReferenceEngine#comparesFailures}: PostgreSQL, whose data holds
     * INTEGER extremes). Starling decides {@code ABS(c) NOT IN (1, NULL)}, never TRUE, without
     * computing {@code ABS(c)}, and {@code COUNT(c + c)} of a NOT NULL c without computing the sum;
     * PostgreSQL computes both and fails where c is -2147483648. The other way, PostgreSQL folds
     * {@code 5.75 < 1.5} in {@code CAST(c AS DECIMAL(10,2)) > 2.5 AND 5.75 < 1.5} to FALSE and never
     * casts c, and applies a view's filter before the outer query's {@code -c - 6 NOT IN (1)},
     * where Starling computes them and fails. PostgreSQL's manual allows each ("Expression
     * Evaluation Rules", 4.2.14: the order of evaluation is not defined, and a subexpression
     * whose value cannot change the result might not be evaluated at all), so these are counted,
     * the first {@link #MAX_EVALUATION_ORDER_SHOWN} printed, and not failed.
     */
    static final String EVALUATION_ORDER = "evaluation-order";
    static final String EVALUATION_ORDER_STATE = "22003";
    static final int MAX_EVALUATION_ORDER_SHOWN = 5;
    private int evaluationOrder;
    private Engines engines;
    private final Map<String, Integer> knownRefusals = new TreeMap<>();
    private final Map<String, Integer> referenceRefusals = new TreeMap<>();

    @Test
    void starlingAgreesWithTheReferenceEngineAndWithItself() throws Exception {
        try (Engines e = new Engines(dir)) {
            check(e, Long.getLong("starling.sqldiff.seed", 13L), Integer.getInteger("starling.sqldiff.queries", DEFAULT_QUERIES));
        }
    }

    /**
     * The checks of {@link #starlingAgreesWithTheReferenceEngineAndWithItself} on a session that
     * a caller's engine serves (SQL on a cluster's ranges: {@code ClusterDifferentialSqlTest}),
     * queries checks from the databases of seed; fails the calling test on any mismatch.
     */
    public static void checkSession(io.starlingdb.sql.SqlSession session, long seed, int queries, Runnable afterEachDatabase,
                                    boolean inTransaction) throws Exception {
        try (Engines e = new Engines(session)) {
            DifferentialSqlTest test = new DifferentialSqlTest();
            test.afterEachDatabase = afterEachDatabase;
            test.inTransaction = inTransaction;
            test.check(e, seed, queries);
        }
    }

    /** Runs after each random database is created and filled, before its queries (the cluster's test splits its ranges). */
    private Runnable afterEachDatabase = () -> { };
    /**
     * Whether Starling runs each database's queries inside one transaction that first changed the
     * database by random DELETEs, UPDATEs and INSERTs (which H2 ran as they came, with the same
     * counts), so every read merges the transaction's own writes into what the store holds; the
     * transaction commits after the database's last query.
     */
    private boolean inTransaction;
    /** Statements of the changes, per run (in a transaction only). */
    private int changes;

    /**
     * Random changes of the database's tables: DELETEs and UPDATEs matching values of existing
     * rows, and INSERTs of random rows (an INSERT H2 refuses, say for a duplicate key, is left
     * out of both engines).
     */
    private static List<String> changes(RandomSchema schema, Random random) {
        List<String> out = new ArrayList<>();
        for (RandomSchema.Table t : schema.tables) {
            if (t.isView() || t.columns().isEmpty()) {
                continue;
            }
            for (int n = 2 + random.nextInt(6); n > 0; n--) {
                RandomSchema.Column where = t.columns().get(random.nextInt(t.columns().size()));
                Object matching = t.rows().isEmpty() ? RandomSchema.value(random, where.type())
                        : t.rows().get(random.nextInt(t.rows().size())).get(t.columns().indexOf(where));
                String condition = matching == null ? where.name() + " IS NULL"
                        : where.name() + " = " + RandomSchema.literal(matching);
                switch (random.nextInt(3)) {
                    case 0 -> out.add("DELETE FROM " + t.name() + " WHERE " + condition);
                    case 1 -> {
                        List<RandomSchema.Column> settable = t.columns().stream()
                                .filter(c -> !t.primaryKey().contains(c.name())).toList();
                        if (!settable.isEmpty()) {
                            RandomSchema.Column set = settable.get(random.nextInt(settable.size()));
                            Object value = random.nextInt(5) == 0 ? null : RandomSchema.value(random, set.type());
                            out.add("UPDATE " + t.name() + " SET " + set.name() + " = " + RandomSchema.literal(value)
                                    + " WHERE " + condition);
                        }
                    }
                    default -> {
                        List<String> values = new ArrayList<>();
                        for (RandomSchema.Column c : t.columns()) {
                            values.add(RandomSchema.literal(RandomSchema.value(random, c.type())));
                        }
                        out.add("INSERT INTO " + t.name() + " VALUES (" + String.join(", ", values) + ")");
                    }
                }
            }
        }
        return out;
    }

    /** Opens Starling's transaction and makes the changes in both engines; a disagreement is a mismatch. */
    private void change(RandomSchema schema, long databaseSeed, List<Mismatch> mismatches) {
        Outcome begin = engines.starling("BEGIN");
        if (begin.failed()) {
            fail("seed " + databaseSeed + ": Starling refused BEGIN: " + begin.error());
        }
        for (String dml : changes(schema, new Random(databaseSeed * 7 + 3))) {
            Outcome expected = engines.reference(dml);
            if (expected.failed()) {
                continue;
            }
            changes++;
            Outcome actual = engines.starling(dml);
            if (actual.failed() || !actual.rows().equals(expected.rows())) {
                Mismatch m = new Mismatch(databaseSeed, -1, "change", new Verdict(actual.failed() ? "refused" : "wrong-count",
                        engines.referenceEngine.label() + " " + expected.rows() + ", Starling " + (actual.failed() ? actual.error() : actual.rows())), dml, dml);
                mismatches.add(m);
                System.out.println(describe(m, schema));
            }
        }
    }

    /** Commits Starling's transaction of the database's changes. */
    private void commit(long databaseSeed, List<Mismatch> mismatches, RandomSchema schema) {
        Outcome commit = engines.starling("COMMIT");
        if (commit.failed()) {
            Mismatch m = new Mismatch(databaseSeed, -1, "change", new Verdict("refused", commit.error()), "COMMIT", "COMMIT");
            mismatches.add(m);
            System.out.println(describe(m, schema));
        }
    }

    private void check(Engines e, long seed, int queries) {
        List<Mismatch> mismatches = new ArrayList<>();
        Set<String> reducedKinds = new HashSet<>();
        int checked = 0;
        int skipped = 0;
        int sharedFailures = 0;
        int fullChecks = 0;
        long start = System.nanoTime();
        engines = e;
        for (int db = Integer.getInteger("starling.sqldiff.firstDatabase", 0); checked < queries; db++) {
            long databaseSeed = seed * 1_000_003L + db;
            RandomSchema schema = new RandomSchema(new Random(databaseSeed), "d" + db + "_", engines.referenceEngine.comparesFailures());
            create(schema, databaseSeed);
            afterEachDatabase.run();
            if (inTransaction) {
                change(schema, databaseSeed, mismatches);
            }
            for (int q = 0; q < QUERIES_PER_DATABASE && checked < queries; q++, checked++) {
                Random random = new Random(databaseSeed * 31 + q);
                boolean full = q % FULL_CHECK_EVERY == 0;
                RandomQuery generator = new RandomQuery(random, schema, full, engines.referenceEngine.widensQueries());
                int maxTables = full ? 8 : 1;
                fullChecks += full ? 1 : 0;
                String oracle = switch (q % 4) {
                    case 0, 1 -> "reference";
                    case 2 -> "partitioning";
                    default -> "rewrite";
                };
                Sql sql;
                Function<Sql, Verdict> check;
                switch (oracle) {
                    case "reference" -> {
                        RandomQuery.Query query = generator.query(maxTables);
                        sql = query.sql();
                        check = s -> reference(s, query.ordered(), query.distinct());
                    }
                    case "partitioning" -> {
                        sql = generator.partitioning(Math.min(4, maxTables));
                        check = this::partitioning;
                    }
                    default -> {
                        sql = generator.rewrite(Math.min(4, maxTables));
                        check = this::rewrite;
                    }
                }
                Verdict verdict;
                try {
                    verdict = check.apply(sql);
                } catch (Engines.Hang hang) {
                    fail("seed " + databaseSeed + " query " + q + " (" + oracle + "): " + hang.getMessage()
                            + "\ndatabase:\n" + String.join(";\n", schema.statements(true)));
                    return;
                }
                if (verdict == Verdict.SKIP) {
                    skipped++;
                } else if (verdict == Verdict.SHARED_FAILURE) {
                    sharedFailures++;
                } else if (verdict.kind().equals("refused") && isKnown(verdict.detail())) {
                    knownRefusals.merge(known(verdict.detail()), 1, Integer::sum);
                } else if (verdict.kind().equals(EVALUATION_ORDER)) {
                    if (evaluationOrder++ < MAX_EVALUATION_ORDER_SHOWN) {
                        System.out.println("\n=== sqldiff " + EVALUATION_ORDER + " (known class, not a mismatch): seed " + databaseSeed
                                + " query " + q + " oracle " + oracle + "\n" + sql.render() + "\n-- " + verdict.detail());
                    }
                } else if (verdict.mismatch()) {
                    String kindKey = oracle + " " + verdict.kind() + " " + firstWords(verdict.detail());
                    String reduced = sql.render();
                    Verdict finalVerdict = verdict;
                    if (mismatches.size() < MAX_REDUCED * 4 && reducedKinds.add(kindKey) && reducedKinds.size() <= MAX_REDUCED) {
                        Sql small = Reducer.reduce(sql, s -> sameFailure(verdict, check.apply(s)));
                        reduced = small.render();
                        finalVerdict = check.apply(small);
                    }
                    Mismatch m = new Mismatch(databaseSeed, q, oracle, finalVerdict, sql.render(), reduced);
                    mismatches.add(m);
                    System.out.println(describe(m, schema));
                }
                if ((checked + 1) % PROGRESS_EVERY == 0) {
                    System.out.printf("sqldiff progress: %d of %d checked in %d s, %d mismatches, %d skipped; known refusals: %s%n",
                            checked + 1, queries, (System.nanoTime() - start) / 1_000_000_000L, mismatches.size(), skipped,
                            knownRefusals);
                }
            }
            if (inTransaction) {
                commit(databaseSeed, mismatches, schema);
            }
            drop(schema);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("sqldiff: %d queries checked (%d full, %d small; %d skipped as refused by both or by the reference) in %d ms, "
                        + "%d Starling and %d %s statements, %d mismatches; known Starling refusals: %s; reference refusals: %s; "
                        + "overflows in one engine only (evaluation order): %d; the same data exception in both: %d%n",
                checked, fullChecks, checked - fullChecks, skipped, millis, engines.starlingStatements, engines.referenceStatements,
                engines.referenceEngine.label(), mismatches.size(), knownRefusals,
                referenceRefusals, evaluationOrder, sharedFailures);
        if (inTransaction) {
            System.out.println("sqldiff: every database's queries ran in a transaction after " + changes + " changes in all");
        }
        if (!mismatches.isEmpty()) {
            StringBuilder summary = new StringBuilder(mismatches.size() + " mismatches (seed " + seed + "), reduced:\n");
            for (Mismatch m : mismatches) {
                summary.append("- seed ").append(m.databaseSeed()).append(" query ").append(m.query()).append(' ').append(m.oracle())
                        .append(' ').append(m.verdict().kind()).append(": ").append(m.reduced().replace('\n', ' ')).append('\n');
            }
            fail(summary.toString());
        }
        int known = knownRefusals.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(known <= queries * MAX_KNOWN_REFUSALS, known + " of " + queries + " queries hit known planner limitations: "
                + knownRefusals);
        assertTrue(skipped <= queries * MAX_REFERENCE_REFUSALS,
                skipped + " of " + queries + " queries were refused; the generator writes invalid SQL: " + referenceRefusals);
    }

    private static boolean isKnown(String detail) {
        return known(detail) != null;
    }

    /**
     * The known planner limitation a refusal is, or null. A data exception (22...) is never one:
     * Starling's "numeric value out of range" would otherwise pass for a planner's "index N out of
     * range", and a statement failing on its data where the reference answers is a mismatch.
     */
    private static String known(String detail) {
        if (detail.startsWith("22")) {
            return null;
        }
        return KNOWN_REFUSALS.stream().filter(detail::contains).findFirst().orElse(null);
    }

    private static String firstWords(String detail) {
        String line = detail.lines().findFirst().orElse("");
        return line.length() > 60 ? line.substring(0, 60) : line;
    }

    private static boolean sameFailure(Verdict original, Verdict now) {
        if (!now.mismatch() || !now.kind().equals(original.kind())) {
            return false;
        }
        return !original.kind().equals("refused") || firstWords(original.detail()).equals(firstWords(now.detail()));
    }

    private void create(RandomSchema schema, long seed) {
        for (String statement : engines.referenceEngine.createStatements(schema)) {
            Outcome o = engines.reference(statement);
            if (o.failed()) {
                throw new IllegalStateException(engines.referenceEngine.label() + " refused " + statement + ": " + o.error());
            }
        }
        for (String statement : schema.statements(true)) {
            Outcome o = engines.starling(statement);
            if (o.failed()) {
                fail("seed " + seed + ": Starling refused " + statement + ": " + o.error());
            }
        }
    }

    private void drop(RandomSchema schema) {
        for (String statement : schema.dropStatements()) {
            engines.reference(statement);
            Outcome o = engines.starling(statement);
            if (o.failed()) {
                fail("Starling refused " + statement + ": " + o.error());
            }
        }
    }

    // ---- oracles -------------------------------------------------------------------------

    private Verdict reference(Sql query, boolean ordered, boolean distinct) {
        String sql = query.render();
        Outcome expected = engines.reference(sql);
        Outcome actual = engines.starling(sql);
        Verdict verdict = compare(expected, actual, ordered);
        return verdict.kind().equals("wrong-result") && distinct && !ordered && sameDistinctRows(expected, actual) ? Verdict.PASS
                : verdict;
    }

    /**
     * Whether two answers of a query of distinct rows agree once rows equal in the compared digits
     * count once: rows one engine tells apart beyond them (H2 divides a DOUBLE by a DECIMAL in
     * decimal arithmetic, Starling in binary, so UNION kept two quotients H2 saw as different where
     * Starling had one: seed 13000245 query 8) are one row in the comparison. Starling may repeat
     * a compared row only where the reference does too, so a duplicate of its own is still caught.
     */
    private static boolean sameDistinctRows(Outcome expected, Outcome actual) {
        Set<List<String>> e = new HashSet<>(expected.rows());
        Set<List<String>> a = new HashSet<>(actual.rows());
        boolean starlingRepeats = a.size() < actual.rows().size();
        boolean referenceRepeats = e.size() < expected.rows().size();
        return e.equals(a) && (!starlingRepeats || referenceRepeats);
    }

    private Verdict compare(Outcome expected, Outcome actual, boolean ordered) {
        if (expected.failed()) {
            if (!actual.failed() && engines.referenceEngine.comparesFailures() && expected.sqlState().equals(EVALUATION_ORDER_STATE)) {
                return new Verdict(EVALUATION_ORDER, engines.referenceEngine.label() + " failed: " + expected.error()
                        + "\nactual (Starling) " + abbreviate(actual.sorted()));
            }
            if (!actual.failed() && engines.referenceEngine.failureStarlingShouldShare(expected.sqlState())) {
                return new Verdict("answered", engines.referenceEngine.label() + " failed: " + expected.error()
                        + "\nactual (Starling) " + abbreviate(actual.sorted()));
            }
            if (actual.failed() && engines.referenceEngine.failureStarlingShouldShare(expected.sqlState())
                    && actual.sqlState().equals(expected.sqlState())) {
                return Verdict.SHARED_FAILURE;
            }
            if (!actual.failed()) {
                referenceRefusals.merge(firstWords(expected.error()).replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
            return Verdict.SKIP;
        }
        if (actual.failed()) {
            if (engines.referenceEngine.comparesFailures() && actual.sqlState().equals(EVALUATION_ORDER_STATE)) {
                return new Verdict(EVALUATION_ORDER, "Starling failed: " + actual.error() + "\nexpected ("
                        + engines.referenceEngine.label() + ") " + abbreviate(expected.sorted()));
            }
            return new Verdict("refused", actual.error());
        }
        List<List<String>> e = ordered ? expected.rows() : expected.sorted();
        List<List<String>> a = ordered ? actual.rows() : actual.sorted();
        if (!e.equals(a) && !sameAtCoarserScale(e, a)) {
            return new Verdict("wrong-result", "expected (" + engines.referenceEngine.label() + ") " + abbreviate(e) + "\nactual (Starling) " + abbreviate(a));
        }
        return Verdict.PASS;
    }

    /**
     * Whether two answers agree row by row once each pair of decimal values is compared at the
     * fewer of their decimal places (at least {@link #MIN_COARSE_SCALE}), rounded half up or
     * truncated. The engines give some decimal results different scales (found by the
     * {@code -Plong} run): H2 computes a DOUBLE times or over a DECIMAL in decimal arithmetic at its
     * own result scale ({@code (CAST(1.5 AS DOUBLE) * 9.25) / NULLIF(7.25, 0)}: 1.91379 against
     * 1.913793103, seed 13000523 query 65; -1.167 against -1.166666667, seed 13001125 query 29), and
     * Starling gives a CASE of a DECIMAL SUM and a quotient the SUM's scale, truncating the quotient
     * (0.41 against 0.4166666667, seed 13001142 query 20). Either answer is right to its own scale.
     */
    private static boolean sameAtCoarserScale(List<List<String>> expected, List<List<String>> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        for (int r = 0; r < expected.size(); r++) {
            List<String> e = expected.get(r);
            List<String> a = actual.get(r);
            if (e.size() != a.size()) {
                return false;
            }
            for (int c = 0; c < e.size(); c++) {
                if (!e.get(c).equals(a.get(c)) && !sameAtCoarserScale(e.get(c), a.get(c))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Fewest decimal places at which two decimal answers are compared by {@link #sameAtCoarserScale(List, List)}. */
    static final int MIN_COARSE_SCALE = 2;

    static boolean sameAtCoarserScale(String expected, String actual) {
        java.math.BigDecimal e;
        java.math.BigDecimal a;
        try {
            e = new java.math.BigDecimal(expected);
            a = new java.math.BigDecimal(actual);
        } catch (NumberFormatException notDecimal) {
            return false;
        }
        int scale = Math.min(e.scale(), a.scale());
        if (scale < MIN_COARSE_SCALE || e.scale() == a.scale()) {
            return false;
        }
        for (java.math.RoundingMode mode : new java.math.RoundingMode[] {java.math.RoundingMode.HALF_UP, java.math.RoundingMode.DOWN}) {
            if (e.setScale(scale, mode).compareTo(a.setScale(scale, mode)) == 0) {
                return true;
            }
        }
        return false;
    }

    private Verdict partitioning(Sql check) {
        String items = check.children.get(0).render();
        String from = check.children.get(1).render();
        String p = check.children.get(2).render();
        String base = "SELECT " + items + " FROM " + from;
        String parts = base + " WHERE " + p + " UNION ALL " + base + " WHERE NOT (" + p + ") UNION ALL " + base + " WHERE (" + p
                + ") IS NULL";
        Outcome partitioned = engines.starling(parts);
        Verdict differential = compare(engines.reference(parts), partitioned, false);
        if (differential != Verdict.PASS) {
            return differential;
        }
        Outcome whole = engines.starling(base);
        if (whole.failed()) {
            return refusal(whole);
        }
        List<List<String>> expected = whole.sorted();
        List<List<String>> actual = partitioned.sorted();
        if (!expected.equals(actual)) {
            return new Verdict("partitions-differ", "Q " + abbreviate(expected) + "\nQ WHERE p | NOT p | p IS NULL " + abbreviate(actual));
        }
        return Verdict.PASS;
    }

    /**
     * A failure of Starling's second statement of a metamorphic check, where its first answered:
     * the statements compute different subexpressions, so an overflow in one of them only is of
     * the {@link #EVALUATION_ORDER} class where the data holds INTEGER extremes.
     */
    private Verdict refusal(Outcome failed) {
        if (engines.referenceEngine.comparesFailures() && failed.sqlState().equals(EVALUATION_ORDER_STATE)) {
            return new Verdict(EVALUATION_ORDER, "Starling failed on the metamorphic variant: " + failed.error());
        }
        return new Verdict("refused", failed.error());
    }

    private Verdict rewrite(Sql check) {
        String from = check.children.get(0).render();
        String p = check.children.get(1).render();
        String filtered = "SELECT COUNT(*) FROM " + from + " WHERE " + p;
        Outcome counted = engines.starling(filtered);
        Verdict differential = compare(engines.reference(filtered), counted, false);
        if (differential != Verdict.PASS) {
            return differential;
        }
        Outcome evaluated = engines.starling("SELECT CASE WHEN " + p + " THEN 1 ELSE 0 END FROM " + from);
        if (evaluated.failed()) {
            return refusal(evaluated);
        }
        long ones = evaluated.rows().stream().filter(r -> r.get(0).equals("1")).count();
        if (!counted.rows().get(0).get(0).equals(Long.toString(ones))) {
            return new Verdict("rewrite-differs", "WHERE p kept " + counted.rows().get(0).get(0) + " rows; p holds on " + ones);
        }
        return Verdict.PASS;
    }

    private static String abbreviate(List<List<String>> rows) {
        String s = rows.toString();
        return rows.size() + " rows " + (s.length() > 600 ? s.substring(0, 600) + "..." : s);
    }

    private static String describe(Mismatch m, RandomSchema schema) {
        return "\n=== sqldiff mismatch: seed " + m.databaseSeed() + " query " + m.query() + " oracle " + m.oracle() + " ("
                + m.verdict().kind() + ")\n-- database (Starling):\n" + String.join(";\n", schema.statements(true))
                + ";\n-- query:\n" + m.original() + "\n-- reduced:\n" + m.reduced() + "\n-- " + m.verdict().detail() + "\n";
    }
}

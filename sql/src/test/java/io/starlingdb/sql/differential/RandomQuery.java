package io.starlingdb.sql.differential;

import io.starlingdb.sql.differential.RandomSchema.Column;
import io.starlingdb.sql.differential.RandomSchema.Table;
import io.starlingdb.sql.differential.RandomSchema.Type;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random queries over a {@link RandomSchema}, as {@link Sql} trees. Expressions carry a role
 * that says their type: {@code int} (exact integers), {@code dec} (exact decimals), {@code dbl}
 * (approximate), {@code str} and {@code bool}; only expressions whose meaning is the same in
 * Starling and in the reference engine are generated (docs/sql.md, "Differences from other
 * databases"): decimal quotients stay out of comparisons (engines round them to different
 * scales), divisors are wrapped in NULLIF(x, 0), NULL ordering is always explicit, and
 * ORDER BY ... LIMIT orders by every column so that the rows kept are determined.
 */
final class RandomQuery {

    /** The tables a FROM clause brought into scope, and the scope of the query around it. */
    record Scope(List<String> aliases, List<Table> tables, Scope outer) {
        Scope with(String alias, Table table) {
            List<String> a = new ArrayList<>(aliases);
            List<Table> t = new ArrayList<>(tables);
            a.add(alias);
            t.add(table);
            return new Scope(a, t, outer);
        }
    }

    /** A FROM clause and the scope it opens. */
    record From(Sql sql, Scope scope) {
    }

    static final int MAX_DEPTH = 3;
    /** Joins whose inputs' row counts multiply beyond this are cut to fewer tables. */
    static final long MAX_JOIN_ROWS = 20_000;

    private final Random random;
    private final RandomSchema schema;
    /** Whether queries may contain sub-queries (IN, EXISTS, scalar); without, a one-table query plans on the simple path. */
    private final boolean subqueriesAllowed;
    /**
     * Whether to write what only a PostgreSQL reference checks: FULL JOINs (H2 has none) and
     * string literals with trailing spaces.
     */
    private final boolean widened;
    private int aliases;

    RandomQuery(Random random, RandomSchema schema) {
        this(random, schema, true, false);
    }

    RandomQuery(Random random, RandomSchema schema, boolean subqueriesAllowed, boolean widened) {
        this.random = random;
        this.schema = schema;
        this.subqueriesAllowed = subqueriesAllowed;
        this.widened = widened;
    }

    // ---- FROM ----------------------------------------------------------------------------

    From from(Scope outer, int maxTables) {
        int count = 1;
        int r = random.nextInt(100);
        if (maxTables > 1 && r >= 40) {
            count = r < 70 ? 2 : r < 85 ? 3 : 4 + random.nextInt(Math.max(1, maxTables - 3));
        }
        count = Math.min(count, maxTables);
        List<Table> chosen = new ArrayList<>();
        long rows = 1;
        for (int i = 0; i < count; i++) {
            Table t = schema.tables.get(random.nextInt(schema.tables.size()));
            long n = Math.max(1, t.isView() ? 8 : t.rows().size());
            if (i > 0 && rows * n > MAX_JOIN_ROWS) {
                break;
            }
            rows *= n;
            chosen.add(t);
        }
        Scope scope = new Scope(List.of(), List.of(), outer);
        String alias = alias();
        scope = scope.with(alias, chosen.get(0));
        Sql sql = Sql.leaf("table", chosen.get(0).name() + " " + alias);
        for (int i = 1; i < chosen.size(); i++) {
            alias = alias();
            Scope joined = scope.with(alias, chosen.get(i));
            String kind = switch (random.nextInt(6)) {
                case 0 -> "LEFT JOIN";
                case 1 -> "RIGHT JOIN";
                case 2 -> "CROSS JOIN";
                default -> "JOIN";
            };
            Sql table = Sql.leaf("table", chosen.get(i).name() + " " + alias);
            if (kind.equals("CROSS JOIN")) {
                sql = Sql.of("from", "$ CROSS JOIN $", sql, table);
            } else {
                // Join conditions without sub-queries: an outer join's ON clause may not hold one in every engine.
                boolean equality = random.nextInt(3) > 0;
                Sql on = equality ? joinEquality(joined, alias) : bool(joined, 1, false, false);
                // H2 has no FULL JOIN; PostgreSQL runs one only on conditions it can merge or hash
                // (0A000 otherwise), so only a LEFT JOIN on an equality may become one. The draw is
                // made only with such a reference, so H2's queries stay those of every earlier run.
                if (widened && equality && kind.equals("LEFT JOIN") && random.nextBoolean()) {
                    kind = "FULL JOIN";
                }
                sql = Sql.of("from", "$ " + kind + " $ ON $", sql, table, on);
            }
            scope = joined;
        }
        return new From(sql, scope);
    }

    private Sql joinEquality(Scope scope, String newAlias) {
        int newIndex = scope.aliases().indexOf(newAlias);
        Table right = scope.tables().get(newIndex);
        int otherIndex = random.nextInt(newIndex);
        Table left = scope.tables().get(otherIndex);
        for (int attempt = 0; attempt < 6; attempt++) {
            Column a = left.columns().get(random.nextInt(left.columns().size()));
            Column b = right.columns().get(random.nextInt(right.columns().size()));
            if (a.type().family.equals(b.type().family)) {
                return Sql.of("bool", "$ = $", Sql.leaf(role(a.type()), scope.aliases().get(otherIndex) + "." + a.name()),
                        Sql.leaf(role(b.type()), newAlias + "." + b.name()));
            }
        }
        return bool(scope, 1, false, false);
    }

    private String alias() {
        return "a" + (aliases++);
    }

    static String role(Type type) {
        return switch (type) {
            case INTEGER, BIGINT -> "int";
            case DECIMAL -> "dec";
            case DOUBLE, FLOAT -> "dbl";
            case VARCHAR, TEXT -> "str";
        };
    }

    // ---- expressions ---------------------------------------------------------------------

    /** A column of the given role from the scope (or an enclosing one, making a correlation); null if none. */
    private Sql column(Scope scope, String role) {
        Scope s = scope;
        if (scope.outer() != null && random.nextInt(4) == 0) {
            s = scope.outer();
        }
        List<String> found = new ArrayList<>();
        for (int i = 0; i < s.tables().size(); i++) {
            for (Column c : s.tables().get(i).columns()) {
                if (role(c.type()).equals(role)) {
                    found.add(s.aliases().get(i) + "." + c.name());
                }
            }
        }
        if (found.isEmpty()) {
            return s == scope ? null : column(new Scope(scope.aliases(), scope.tables(), null), role);
        }
        return Sql.leaf(role, found.get(random.nextInt(found.size())));
    }

    static Sql literal(String role, Random random) {
        return switch (role) {
            case "int" -> Sql.leaf("int", Integer.toString(random.nextInt(16) - 3));
            case "dec" -> Sql.leaf("dec", BigDecimal.valueOf(random.nextInt(48) - 8).divide(BigDecimal.valueOf(4)).setScale(2).toPlainString());
            case "dbl" -> Sql.leaf("dbl", RandomSchema.literal((random.nextInt(48) - 8) / 4.0));
            case "str" -> Sql.leaf("str", RandomSchema.literal(RandomSchema.STRINGS[random.nextInt(RandomSchema.STRINGS.length)]));
            case "bool" -> Sql.leaf("bool", random.nextBoolean() ? "TRUE" : "FALSE");
            default -> throw new IllegalArgumentException(role);
        };
    }

    static Sql typedNull(String role) {
        return Sql.leaf(role, switch (role) {
            case "int" -> "CAST(NULL AS INTEGER)";
            case "dec" -> "CAST(NULL AS DECIMAL(10,2))";
            case "dbl" -> "CAST(NULL AS DOUBLE)";
            case "str" -> "CAST(NULL AS VARCHAR(12))";
            default -> "CAST(NULL AS BOOLEAN)";
        });
    }

    /** A value expression of a role. {@code inPredicate}: it will be compared, so decimal quotients stay out. */
    Sql value(Scope scope, String role, int depth, boolean subqueriesHere, boolean inPredicate) {
        boolean subqueries = subqueriesHere && subqueriesAllowed;
        int choice = random.nextInt(depth >= MAX_DEPTH ? 3 : 12);
        if (choice <= 1) {
            Sql column = column(scope, role);
            if (column != null) {
                return column;
            }
        }
        if (choice == 2) {
            if (widened && role.equals("str") && random.nextInt(RandomSchema.WIDENED_EVERY) == 0) {
                return Sql.leaf("str", RandomSchema.literal(RandomSchema.PADDED_STRINGS[random.nextInt(RandomSchema.PADDED_STRINGS.length)]));
            }
            return random.nextInt(8) == 0 ? typedNull(role) : literal(role, random);
        }
        if (choice <= 1) {
            return literal(role, random);
        }
        int d = depth + 1;
        if (role.equals("str")) {
            return switch (random.nextInt(5)) {
                case 0 -> Sql.of("str", "CASE WHEN $ THEN $ ELSE $ END", bool(scope, d, subqueries, false),
                        value(scope, "str", d, subqueries, inPredicate), value(scope, "str", d, subqueries, inPredicate));
                case 1 -> Sql.of("str", "COALESCE($, $)", value(scope, "str", d, subqueries, inPredicate),
                        value(scope, "str", d, subqueries, inPredicate));
                case 2 -> Sql.of("str", "($ || $)", value(scope, "str", d, subqueries, inPredicate),
                        value(scope, "str", d, subqueries, inPredicate));
                case 3 -> subqueries ? scalarSubquery(scope, "str", d) : literal("str", random);
                default -> Sql.of("str", "UPPER($)", value(scope, "str", d, subqueries, inPredicate));
            };
        }
        switch (random.nextInt(10)) {
            case 0:
            case 1: {
                String op = new String[] {"+", "-", "*"}[random.nextInt(3)];
                // Mixed types: the other operand may be of an exact type when the result is not.
                String other = mixedOperand(role);
                Sql a = value(scope, role, d, subqueries, inPredicate);
                Sql b = value(scope, other, d, subqueries, inPredicate);
                return random.nextBoolean() ? Sql.of(role, "($ " + op + " $)", a, b) : Sql.of(role, "($ " + op + " $)", b, a);
            }
            case 2: {
                if (role.equals("dec") && inPredicate) {
                    return Sql.of(role, "(- $)", value(scope, role, d, subqueries, inPredicate));
                }
                String other = role.equals("dec") ? "int" : mixedOperand(role);
                return Sql.of(role, "($ / NULLIF($, 0))", value(scope, role, d, subqueries, inPredicate),
                        value(scope, other, d, subqueries, inPredicate));
            }
            case 3:
                return Sql.of(role, "(- $)", value(scope, role, d, subqueries, inPredicate));
            case 4:
                return Sql.of(role, "CASE WHEN $ THEN $ ELSE $ END", bool(scope, d, subqueries, false),
                        value(scope, role, d, subqueries, inPredicate), value(scope, role, d, subqueries, inPredicate));
            case 5:
                return Sql.of(role, "CASE WHEN $ THEN $ END", bool(scope, d, subqueries, false),
                        value(scope, role, d, subqueries, inPredicate));
            case 6:
                return Sql.of(role, "COALESCE($, $)", value(scope, role, d, subqueries, inPredicate),
                        value(scope, role, d, subqueries, inPredicate));
            case 7:
                return Sql.of(role, "ABS($)", value(scope, role, d, subqueries, inPredicate));
            case 8:
                if (subqueries) {
                    return scalarSubquery(scope, role, d);
                }
                return value(scope, role, d, false, inPredicate);
            default:
                return role.equals("int") ? Sql.of("int", "CAST($ AS INTEGER)", Sql.leaf("int", Integer.toString(random.nextInt(9))))
                        : Sql.of(role, "CAST($ AS " + (role.equals("dbl") ? "DOUBLE" : "DECIMAL(10,2)") + ")",
                        value(scope, "int", d, subqueries, inPredicate));
        }
    }

    private String mixedOperand(String role) {
        if (random.nextInt(3) > 0) {
            return role;
        }
        return switch (role) {
            case "dbl" -> random.nextBoolean() ? "int" : "dec";
            case "dec" -> "int";
            default -> role;
        };
    }

    /** (SELECT agg(x) FROM t WHERE p): one row, so a value; correlated when p uses the outer scope. */
    private Sql scalarSubquery(Scope scope, String role, int depth) {
        From from = from(scope, 2);
        String agg = new String[] {"MIN", "MAX", "MIN", "MAX", "COUNT", "SUM"}[random.nextInt(6)];
        if (role.equals("str") && (agg.equals("SUM") || agg.equals("COUNT"))) {
            agg = "MAX";
        }
        if (agg.equals("COUNT") && !role.equals("int")) {
            agg = "MIN";
        }
        // The aggregated value reads the sub-query's own tables only: an aggregate of outer columns
        // alone belongs to the outer query in standard SQL (PostgreSQL, H2), to the sub-query in
        // Calcite (docs/sql.md, differences). The WHERE may still correlate.
        Scope own = new Scope(from.scope().aliases(), from.scope().tables(), null);
        Sql inner = agg.equals("COUNT") ? Sql.leaf("int", "*") : value(own, role, depth + 1, false, false);
        Sql where = where(from.scope(), depth + 1, false);
        // A scalar sub-query is a value that may feed arithmetic (a division, say), where the type
        // of an integer SUM matters: BIGINT in Starling, NUMERIC in H2 for a BIGINT argument, so
        // Starling divides it as an integer and H2 does not (docs/sql.md, differences; seed
        // 131000406 query 40). The cast gives both engines a BIGINT. SUMs elsewhere (select
        // items, HAVING comparisons with a literal, window SUMs) are never operands, so stay bare.
        String call = agg.equals("SUM") && role.equals("int") ? "CAST(SUM($) AS BIGINT)" : agg + "($)";
        return Sql.of(role, "(SELECT " + call + " FROM $$)", inner, from.sql(), where);
    }

    private Sql where(Scope scope, int depth, boolean subqueries) {
        if (random.nextInt(4) == 0) {
            return Sql.leaf("where", "");
        }
        return Sql.of("where", " WHERE $", bool(scope, depth, subqueries, false)).orSimpler(Sql.leaf("where", ""));
    }

    private String valueRole() {
        return new String[] {"int", "int", "dec", "dbl", "str"}[random.nextInt(5)];
    }

    /** A predicate. */
    Sql bool(Scope scope, int depth, boolean subqueriesHere, boolean unused) {
        boolean subqueries = subqueriesHere && subqueriesAllowed;
        int d = depth + 1;
        int choice = random.nextInt(depth >= MAX_DEPTH ? 4 : 18);
        String role = valueRole();
        String family = role.equals("str") ? "str" : "num";
        switch (choice) {
            case 0:
            case 1:
            case 2: {
                String op = new String[] {"=", "<>", "<", "<=", ">", ">="}[random.nextInt(6)];
                return Sql.of("bool", "$ " + op + " $", value(scope, role, d, subqueries, true),
                        value(scope, comparable(role), d, subqueries, true));
            }
            case 3:
                return random.nextInt(6) == 0 ? literal("bool", random)
                        : Sql.of("bool", "$ IS " + (random.nextBoolean() ? "NOT " : "") + "NULL", value(scope, role, d, subqueries, true));
            case 4:
            case 5:
                return Sql.of("bool", "($ AND $)", bool(scope, d, subqueries, false), bool(scope, d, subqueries, false));
            case 6:
            case 7:
                return Sql.of("bool", "($ OR $)", bool(scope, d, subqueries, false), bool(scope, d, subqueries, false));
            case 8:
                return Sql.of("bool", "(NOT $)", bool(scope, d, subqueries, false));
            case 9:
                // Bounds in either order: BETWEEN is ASYMMETRIC, so reversed bounds match nothing.
                return Sql.of("bool", "$ " + (random.nextInt(4) == 0 ? "NOT " : "") + "BETWEEN $ AND $",
                        value(scope, role, d, subqueries, true), value(scope, comparable(role), d, subqueries, true),
                        value(scope, comparable(role), d, subqueries, true));
            case 10:
            case 11: {
                List<Sql> items = new ArrayList<>();
                int n = 1 + random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    items.add(random.nextInt(8) == 0 ? typedNull(family.equals("str") ? "str" : role)
                            : random.nextInt(3) == 0 ? value(scope, comparable(role), d, false, true) : literal(comparable(role), random));
                }
                return Sql.of("bool", "$ " + (random.nextInt(3) == 0 ? "NOT " : "") + "IN ($)", value(scope, role, d, subqueries, true),
                        Sql.list("in-list", ", ", items));
            }
            case 12:
            case 13:
                if (subqueries) {
                    From from = from(scope, 2);
                    Sql selected = value(from.scope(), comparable(role), d, false, true);
                    return Sql.of("bool", "$ " + (random.nextInt(3) == 0 ? "NOT " : "") + "IN (SELECT $ FROM $$)",
                            value(scope, role, d, subqueries, true), selected, from.sql(), where(from.scope(), d, false));
                }
                return bool(scope, depth, false, false);
            case 14:
            case 15:
                if (subqueries) {
                    From from = from(scope, 2);
                    return Sql.of("bool", (random.nextInt(3) == 0 ? "NOT " : "") + "EXISTS (SELECT 1 FROM $$)", from.sql(),
                            where(from.scope(), d, random.nextInt(3) == 0));
                }
                return bool(scope, depth, false, false);
            case 16: {
                String pattern = new String[] {"a%", "%b", "_", "a_", "%", "%a%", "Z", "_b%", ""}[random.nextInt(9)];
                return Sql.of("bool", "$ " + (random.nextInt(3) == 0 ? "NOT " : "") + "LIKE '" + pattern + "'",
                        value(scope, "str", d, subqueries, true));
            }
            default:
                return Sql.of("bool", "($) IS " + (random.nextBoolean() ? "NOT " : "") + (random.nextBoolean() ? "TRUE" : "FALSE"),
                        bool(scope, d, subqueries, false));
        }
    }

    /** A role whose values compare with this one's in both engines the same way. */
    private String comparable(String role) {
        if (role.equals("str")) {
            return "str";
        }
        return random.nextInt(3) == 0 ? new String[] {"int", "dec", "dbl"}[random.nextInt(3)] : role;
    }

    // ---- queries -------------------------------------------------------------------------

    /**
     * A query for the differential oracle; {@code ordered} queries end in a total ORDER BY,
     * {@code distinct} ones answer distinct rows (DISTINCT, UNION, EXCEPT, INTERSECT).
     */
    record Query(Sql sql, boolean ordered, boolean distinct) {
    }

    Query query(int maxTables) {
        int shape = random.nextInt(11);
        if (shape < 5) {
            return plain(maxTables);
        }
        if (shape < 8) {
            return new Query(aggregate(maxTables), false, false);
        }
        if (shape == 10) {
            return windowed(maxTables);
        }
        Sql setOperation = setOperation(maxTables);
        return new Query(setOperation, false, !setOperation.role.equals("query-all"));
    }

    private Query plain(int maxTables) {
        From from = from(null, maxTables);
        List<Sql> items = new ArrayList<>();
        int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++) {
            items.add(value(from.scope(), valueRole(), 1, random.nextInt(3) == 0, false));
        }
        boolean distinct = random.nextInt(4) == 0;
        Sql select = Sql.of("query", "SELECT " + (distinct ? "DISTINCT " : "") + "$ FROM $$", Sql.list("item-list", ", ", items),
                from.sql(), where(from.scope(), 0, true));
        if (random.nextInt(3) > 0) {
            return new Query(select, false, distinct);
        }
        List<String> order = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            order.add(i + (random.nextBoolean() ? " ASC" : " DESC") + (random.nextBoolean() ? " NULLS FIRST" : " NULLS LAST"));
        }
        String limit = random.nextBoolean() ? " LIMIT " + random.nextInt(6) : "";
        // A role of its own, so that the reducer cannot replace the ordered query by its SELECT:
        // the check compares this query's rows in order, which needs the ORDER BY it would drop.
        return new Query(Sql.of("ordered-query", "$ ORDER BY " + String.join(", ", order) + limit, select), true, distinct);
    }

    /**
     * A query with a window function beside plain values: RANK or DENSE_RANK over an order, or
     * COUNT, SUM, MIN or MAX over a partition, with or without an order (then over the rows up to
     * the current one and its peers, the default frame). Every answer is determined whatever
     * order ties are met in, so the rows compare as a bag.
     */
    private Query windowed(int maxTables) {
        From from = from(null, maxTables);
        List<Sql> items = new ArrayList<>();
        int n = 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            items.add(value(from.scope(), valueRole(), 1, false, false));
        }
        Sql partition = random.nextInt(4) == 0 ? null : column(from.scope(), valueRole());
        Sql order = random.nextInt(3) == 0 ? null : column(from.scope(), valueRole());
        List<Sql> parts = new ArrayList<>();
        StringBuilder over = new StringBuilder(" OVER (");
        if (partition != null) {
            over.append("PARTITION BY $");
            parts.add(partition);
        }
        if (order != null) {
            over.append(partition != null ? " " : "").append("ORDER BY $").append(random.nextBoolean() ? " ASC" : " DESC")
                    .append(random.nextBoolean() ? " NULLS FIRST" : " NULLS LAST");
            parts.add(order);
        }
        over.append(")");
        int fn = random.nextInt(order != null ? 6 : 4);
        Sql window;
        if (fn == 0) {
            window = Sql.of("int", "COUNT(*)" + over, parts.toArray(Sql[]::new));
        } else if (fn < 4) {
            String role = valueRole();
            String name = role.equals("str") || fn == 1 ? (random.nextBoolean() ? "MIN" : "MAX") : fn == 2 ? "SUM" : "COUNT";
            List<Sql> args = new ArrayList<>();
            args.add(value(from.scope(), role, 2, false, false));
            args.addAll(parts);
            window = Sql.of(name.equals("COUNT") ? "int" : role, name + "($)" + over, args.toArray(Sql[]::new));
        } else {
            window = Sql.of("int", (fn == 4 ? "RANK()" : "DENSE_RANK()") + over, parts.toArray(Sql[]::new));
        }
        items.add(random.nextInt(items.size() + 1), window);
        Sql select = Sql.of("query", "SELECT $ FROM $$", Sql.list("item-list", ", ", items), from.sql(), where(from.scope(), 0, false));
        return new Query(select, false, false);
    }

    private Sql aggregate(int maxTables) {
        From from = from(null, maxTables);
        List<Sql> groups = new ArrayList<>();
        int g = random.nextInt(3);
        for (int i = 0; i < g; i++) {
            Sql column = column(from.scope(), valueRole());
            if (column != null) {
                groups.add(column);
            }
        }
        List<Sql> items = new ArrayList<>(groups);
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            items.add(aggregateCall(from.scope()));
        }
        String groupBy = groups.isEmpty() ? "" : " GROUP BY " + String.join(", ", groups.stream().map(Sql::render).toList());
        Sql having = Sql.leaf("having", "");
        if (random.nextBoolean()) {
            String op = new String[] {"=", "<>", "<", "<=", ">", ">="}[random.nextInt(6)];
            Sql aggregate = aggregateCall(from.scope());
            Sql condition = Sql.of("bool", "$ " + op + " $", aggregate, literal(aggregate.role, random));
            having = Sql.of("having", " HAVING $", random.nextBoolean() ? condition
                    : Sql.of("bool", "($ OR $)", condition, Sql.of("bool", "COUNT(*) > $", literal("int", random))))
                    .orSimpler(Sql.leaf("having", ""));
        }
        return Sql.of("query", "SELECT $ FROM $$" + groupBy + "$", Sql.list("item-list", ", ", items), from.sql(),
                where(from.scope(), 0, true), having);
    }

    private Sql aggregateCall(Scope scope) {
        String role = valueRole();
        String fn = new String[] {"COUNT", "SUM", "MIN", "MAX", "AVG", "COUNT"}[random.nextInt(6)];
        if (fn.equals("COUNT")) {
            return random.nextBoolean() ? Sql.leaf("int", "COUNT(*)")
                    : Sql.of("int", "COUNT(" + (random.nextInt(3) == 0 ? "DISTINCT " : "") + "$)", value(scope, role, 2, false, false));
        }
        if (role.equals("str") && (fn.equals("SUM") || fn.equals("AVG"))) {
            fn = "MAX";
        }
        if (fn.equals("AVG") && !role.equals("dbl")) {
            role = "dbl";
        }
        return Sql.of(role, fn + "($)", value(scope, role, 2, false, false));
    }

    private Sql setOperation(int maxTables) {
        List<String> roles = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            roles.add(valueRole());
        }
        String op = new String[] {"UNION", "UNION ALL", "EXCEPT", "INTERSECT"}[random.nextInt(4)];
        // The role tells a bag (UNION ALL) from the set operations, which answer distinct rows.
        return Sql.of(op.equals("UNION ALL") ? "query-all" : "query", "$ " + op + " $", setOperand(roles, maxTables),
                setOperand(roles, maxTables));
    }

    private Sql setOperand(List<String> roles, int maxTables) {
        From from = from(null, Math.min(3, maxTables));
        List<Sql> items = new ArrayList<>();
        for (String role : roles) {
            items.add(value(from.scope(), role, 1, false, false));
        }
        return Sql.of("query", "SELECT $ FROM $$", Sql.list("item-list", ", ", items), from.sql(), where(from.scope(), 0, true));
    }

    /** The parts of a ternary-logic-partitioning check: select list, FROM clause, predicate. */
    Sql partitioning(int maxTables) {
        From from = from(null, maxTables);
        List<Sql> items = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            items.add(value(from.scope(), valueRole(), 1, false, false));
        }
        return Sql.of("tlp", "$\n$\n$", Sql.list("item-list", ", ", items), from.sql(), bool(from.scope(), 0, true, false));
    }

    /** The parts of a non-optimizing-rewrite check: FROM clause and predicate. */
    Sql rewrite(int maxTables) {
        From from = from(null, maxTables);
        return Sql.of("norec", "$\n$", from.sql(), bool(from.scope(), 0, true, false));
    }
}

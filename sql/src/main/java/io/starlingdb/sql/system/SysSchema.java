package io.starlingdb.sql.system;

import io.starlingdb.engine.mvcc.HybridClock;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.sql.catalog.Catalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.sql.type.SqlTypeName;

/**
 * The {@code SYS} schema: the cluster as this node sees it, read through SQL.
 * <ul>
 * <li>{@code SYS.NODES}: one row per member (itself included), with its store, the replicas its
 *     store holds and the leases it serves;</li>
 * <li>{@code SYS.RANGES}: one row per range, keys printed readably ({@link KeyText});</li>
 * <li>{@code SYS.TRANSACTIONS}: one row per SQL transaction open on this node ({@code open}), and
 *     one per transaction that holds locks in the key space now ({@code locking}: committing, or
 *     left behind by a dead coordinator until recovery resolves it).</li>
 * </ul>
 * Rows come from the node's {@link SystemView} when a statement reads them.
 */
public final class SysSchema extends AbstractSchema {

    /** The schema's name: {@code SELECT * FROM sys.nodes}. */
    public static final String NAME = "SYS";

    private final Supplier<SystemView> view;
    private final KeyText keys;
    private final Map<String, Table> tables;

    /**
     * @param catalog the catalog the keys are printed with (table and index names)
     * @param view    the node's view, read at each scan (the node may supply it after the engine started)
     */
    public SysSchema(Catalog.Snapshot catalog, Supplier<SystemView> view) {
        this.view = view;
        this.keys = new KeyText(catalog.tables().values());
        Map<String, Table> map = new LinkedHashMap<>();
        map.put("NODES", new SysTable(List.of(
                SysTable.Column.of("NODE_ID", SqlTypeName.VARCHAR),
                SysTable.Column.of("STATE", SqlTypeName.VARCHAR),
                SysTable.Column.of("ROLES", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("STORE_ID", SqlTypeName.BIGINT),
                SysTable.Column.nullable("STORE_STATE", SqlTypeName.VARCHAR),
                SysTable.Column.of("ZONE", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("PEER_ADDRESS", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("CLIENT_ADDRESS", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("HTTP_ADDRESS", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("RANGES", SqlTypeName.INTEGER),
                SysTable.Column.nullable("LEASES", SqlTypeName.INTEGER),
                SysTable.Column.of("IS_LOCAL", SqlTypeName.BOOLEAN)), this::nodeRows));
        map.put("RANGES", new SysTable(List.of(
                SysTable.Column.of("RANGE_ID", SqlTypeName.BIGINT),
                SysTable.Column.of("START_KEY", SqlTypeName.VARCHAR),
                SysTable.Column.of("END_KEY", SqlTypeName.VARCHAR),
                SysTable.Column.of("REPLICAS", SqlTypeName.INTEGER),
                SysTable.Column.of("VOTERS", SqlTypeName.VARCHAR),
                SysTable.Column.of("LEARNERS", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("LEASEHOLDER", SqlTypeName.BIGINT),
                SysTable.Column.of("GENERATION", SqlTypeName.BIGINT),
                SysTable.Column.nullable("APPROXIMATE_BYTES", SqlTypeName.BIGINT)), this::rangeRows));
        map.put("TRANSACTIONS", new SysTable(List.of(
                SysTable.Column.of("KIND", SqlTypeName.VARCHAR),
                SysTable.Column.nullable("TRANSACTION_ID", SqlTypeName.BIGINT),
                SysTable.Column.nullable("START_TS", SqlTypeName.BIGINT),
                SysTable.Column.nullable("ISOLATION", SqlTypeName.VARCHAR),
                SysTable.Column.of("COORDINATOR", SqlTypeName.VARCHAR),
                SysTable.Column.of("COORDINATOR_STATE", SqlTypeName.VARCHAR),
                SysTable.Column.of("COORDINATED_HERE", SqlTypeName.BOOLEAN),
                SysTable.Column.nullable("PRIMARY_KEY", SqlTypeName.VARCHAR),
                SysTable.Column.of("LOCKS", SqlTypeName.INTEGER),
                SysTable.Column.nullable("WRITES", SqlTypeName.INTEGER),
                SysTable.Column.of("AGE_MS", SqlTypeName.BIGINT),
                SysTable.Column.nullable("EXPIRES_IN_MS", SqlTypeName.BIGINT)), this::transactionRows));
        this.tables = map;
    }

    @Override
    protected Map<String, Table> getTableMap() {
        return tables;
    }

    private List<Object[]> nodeRows() {
        SystemView v = view.get();
        List<SystemView.Node> nodes = v.nodes();
        Map<Long, Integer> replicas = new HashMap<>();
        Map<Long, Integer> leases = new HashMap<>();
        List<SystemView.Range> ranges;
        try {
            ranges = v.ranges();
        } catch (RangeUnavailableException e) {
            ranges = null; // the membership is still known; the counts are not (NULL, not 0)
        }
        for (SystemView.Range r : ranges == null ? List.<SystemView.Range>of() : ranges) {
            r.voters().forEach(s -> replicas.merge(s, 1, Integer::sum));
            r.learners().forEach(s -> replicas.merge(s, 1, Integer::sum));
            if (r.leaseholder() != 0) {
                leases.merge(r.leaseholder(), 1, Integer::sum);
            }
        }
        List<Object[]> out = new ArrayList<>();
        for (SystemView.Node n : nodes) {
            Long store = n.storeId();
            boolean counted = store != null && ranges != null;
            out.add(new Object[] {n.id(), n.state(), n.roles(), store, n.storeState(), n.zone(), n.peerAddress(), n.clientAddress(),
                    n.httpAddress(), counted ? replicas.getOrDefault(store, 0) : null,
                    counted ? leases.getOrDefault(store, 0) : null, n.local()});
        }
        return out;
    }

    private List<Object[]> rangeRows() {
        List<Object[]> out = new ArrayList<>();
        for (SystemView.Range r : view.get().ranges()) {
            out.add(new Object[] {r.rangeId(), keys.start(r.start()), keys.end(r.end()), r.voters().size() + r.learners().size(),
                    ids(r.voters()), ids(r.learners()), r.leaseholder() == 0 ? null : r.leaseholder(), r.generation(),
                    r.approximateBytes() < 0 ? null : r.approximateBytes()});
        }
        return out;
    }

    private static String ids(List<Long> stores) {
        return stores.stream().sorted().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** One transaction's locks as listed: the first seen gives its primary and TTL. */
    private record Holder(SystemView.Lock first, int locks) {
    }

    private List<Object[]> transactionRows() {
        SystemView v = view.get();
        Map<String, String> states = new HashMap<>();
        String local = null;
        for (SystemView.Node n : v.nodes()) {
            states.put(n.id(), n.state());
            if (n.local()) {
                local = n.id();
            }
        }
        // A transaction is its coordinator and start timestamp (a coordinator never starts two at one timestamp).
        Map<String, Holder> byTransaction = new LinkedHashMap<>();
        for (SystemView.Lock lock : v.locks()) {
            byTransaction.merge(lock.coordinator() + "@" + lock.startTs(), new Holder(lock, 1),
                    (a, b) -> new Holder(a.first(), a.locks() + 1));
        }
        long now = System.currentTimeMillis();
        List<Object[]> out = new ArrayList<>();
        String here = local == null ? "" : local;
        for (SystemView.OpenTransaction t : v.openTransactions()) {
            out.add(new Object[] {"open", t.id(), null, t.isolation(), here, "alive", true, null, 0, t.writes(),
                    now - t.startedMillis(), null});
        }
        for (Holder h : byTransaction.values()) {
            SystemView.Lock l = h.first();
            // An oracle timestamp may run ahead of this node's clock (a new oracle starts above the
            // persisted high-water mark): count such a transaction as just started.
            long started = Math.min(now, HybridClock.physicalMillis(l.startTs()));
            out.add(new Object[] {"locking", null, l.startTs(), null, l.coordinator(),
                    // A coordinator the membership does not know is gone (a client that left, or long dead).
                    states.getOrDefault(l.coordinator(), "unknown"), l.coordinator().equals(local), keys.of(l.primary()),
                    h.locks(), null, now - started, started + l.ttlMillis() - now});
        }
        return out;
    }
}

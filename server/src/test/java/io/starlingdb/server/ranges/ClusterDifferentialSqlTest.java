package io.starlingdb.server.ranges;

import io.starlingdb.engine.client.StarlingClient;
import io.starlingdb.engine.range.MetaKeys;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeResult;
import io.starlingdb.sql.SqlSession;
import io.starlingdb.sql.differential.DifferentialSqlTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differential SQL checks ({@link DifferentialSqlTest}: H2 as the reference, and Starling
 * against itself) on SQL over a three-node cluster's ranges, where reads take the paths a single
 * node's store does not: scans paged range by range from leaseholders on other nodes, with the
 * statement's filter and column shaping run there ({@code RangeMvcc.scan}), point and multi-key
 * reads fanned out over ranges, a transaction's own writes merged into its scans, and commits in
 * one phase or two. Scan pages are two rows ({@code txn.scan.page.rows}) so every scan of more
 * than two rows pages, and after each random database is filled its data is split into ranges of
 * a few keys each, so every table spans ranges and most scans cross several. Each database's
 * queries run in one transaction that first deleted, updated and inserted rows at random (H2 made
 * the same changes with the same counts), so every read merges the transaction's own writes into
 * the pages the ranges send.
 */
class ClusterDifferentialSqlTest {

    /** Checks in the default run: each costs one to two statements on the cluster (docs/sql.md). */
    static final int QUERIES = Integer.getInteger("starling.sqldiff.cluster.queries", 500);
    /** Split the data after every this many keys. */
    static final int KEYS_PER_RANGE = 3;

    @TempDir
    Path dir;

    @Test
    void sqlOnTheClusterAgreesWithTheReferenceEngineAndWithItself() throws Exception {
        try (ThreeNodeCluster cluster = ThreeNodeCluster.startSql(dir, "testing",
                java.util.Map.of("txn.scan.page.rows", "2", "range.split.qps", "0"));
             StarlingClient client = cluster.connect()) {
            cluster.awaitOnEveryNode("SELECT 1");
            int[] splits = {0};
            Set<String> starts = new HashSet<>();
            Runnable split = () -> splits[0] += splitData(client, starts);
            try (SqlSession session = cluster.nodes[1].sqlEngine().openSession()) {
                DifferentialSqlTest.checkSession(session, Long.getLong("starling.sqldiff.seed", 17L), QUERIES, split, true);
            }
            List<RangeDescriptor> ranges = client.ranges();
            System.out.println("ClusterDifferentialSqlTest: " + QUERIES + " checks; " + splits[0] + " splits, " + ranges.size()
                    + " ranges at the end");
            assertTrue(splits[0] > 20, "the data was hardly split: " + splits[0] + " splits");
        }
    }

    /** Splits the user key space after every {@link #KEYS_PER_RANGE} keys; returns the splits made. */
    private static int splitData(StarlingClient client, Set<String> starts) {
        for (RangeDescriptor d : client.ranges()) {
            starts.add(Arrays.toString(d.start()));
        }
        List<RangeResult.KeyValue> keys = client.scan(MetaKeys.userSpanStart, null, 100_000);
        int made = 0;
        for (int i = KEYS_PER_RANGE; i < keys.size(); i += KEYS_PER_RANGE) {
            byte[] key = keys.get(i).key();
            if (starts.add(Arrays.toString(key))) {
                client.split(key);
                made++;
            }
        }
        return made;
    }
}

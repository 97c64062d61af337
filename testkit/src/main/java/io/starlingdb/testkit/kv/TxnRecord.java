package io.starlingdb.testkit.kv;

import io.starlingdb.engine.txn.Isolation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One transaction of a simulation run, as its client saw it: what it read at its start
 * timestamp (key to value, null for absent), what it wrote, and how it ended. A transaction whose
 * coordinator crashed, or whose commit was not answered, has an unknown outcome.
 */
final class TxnRecord {

    enum Kind { TRANSFER, SNAPSHOT_READ, LIST, FINAL_READ }

    enum Outcome { COMMITTED, ABORTED, UNKNOWN }

    final long id;
    final int client;
    final Kind kind;
    final Isolation isolation;
    final long startTs;
    final long startTick;
    long commitTs;
    long endTick;
    Outcome outcome;
    String why = "";
    final Map<String, String> reads = new LinkedHashMap<>();
    final Map<String, String> writes = new LinkedHashMap<>();
    /** LIST: the element appended to each key it appends to. */
    final Map<String, Long> appended = new LinkedHashMap<>();

    TxnRecord(long id, int client, Kind kind, Isolation isolation, long startTs, long startTick) {
        this.id = id;
        this.client = client;
        this.kind = kind;
        this.isolation = isolation;
        this.startTs = startTs;
        this.startTick = startTick;
    }

    @Override
    public String toString() {
        return "T" + id + " (c" + client + " " + kind + " " + isolation + " start " + startTs
                + (commitTs == 0 ? "" : " commit " + commitTs) + " ticks " + startTick + ".." + endTick + " " + outcome
                + (why.isEmpty() ? "" : " " + why) + ") reads " + reads + " writes " + writes;
    }
}

package io.starlingdb.jdbc.protocol;

/** Protocol limits, checked by both ends while decoding, before anything is allocated. */
public final class Limits {

    /** First four bytes of every connection: "STRL". */
    public static final int MAGIC = 0x5354524C;
    /**
     * The protocol version this code speaks (2: a Catalog's tables say whether each is a TABLE or a
     * VIEW; 3: HelloOk lists the client addresses of the cluster's live nodes; 4: the RowsHeader of
     * an ExecutePrepared may leave out its columns when they are those the Prepared answer named).
     */
    public static final int PROTOCOL_VERSION = 4;
    /** Default and maximum size of one frame's body, in bytes (16 MiB). */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** Longest string (SQL text, VARCHAR value, name) in bytes of UTF-8 (8 MiB). */
    public static final int MAX_STRING_BYTES = 8 * 1024 * 1024;
    /** Most parameters of one statement. */
    public static final int MAX_PARAMETERS = 65_535;
    /** Most columns of one result. */
    public static final int MAX_COLUMNS = 4_096;
    /** Most rows in one result batch. */
    public static final int MAX_BATCH_ROWS = 100_000;
    /** Most statements or parameter sets in one batch request. */
    public static final int MAX_BATCH_SIZE = 100_000;
    /** Most client addresses in a HelloOk: more nodes than any cluster of ours holds. */
    public static final int MAX_CLUSTER_ADDRESSES = 1_024;
    /** Most entries in a list of names, tables, properties. */
    public static final int MAX_LIST_ENTRIES = 100_000;

    private Limits() {
    }
}

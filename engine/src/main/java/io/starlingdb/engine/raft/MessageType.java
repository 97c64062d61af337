package io.starlingdb.engine.raft;

/** The messages replicas exchange. */
public enum MessageType {
    /** Leader to follower: entries after (index, logTerm), and the leader's commit index. */
    APPEND,
    /** Follower to leader: accepted up to index, or rejected index with a hint. */
    APPEND_RESPONSE,
    /** Candidate asks for a vote in term. */
    VOTE,
    VOTE_RESPONSE,
    /** Pre-candidate asks whether it could win an election in term (without changing terms). */
    PRE_VOTE,
    PRE_VOTE_RESPONSE,
    /** Leader to follower: I am alive; commit up to commit; context confirms a read index round. */
    HEARTBEAT,
    HEARTBEAT_RESPONSE,
    /** Leader to a follower whose next entry was compacted away. */
    SNAPSHOT,
    /** Leader to the transfer target: campaign now, without pre-vote. */
    TIMEOUT_NOW,
    /** Follower forwards a read index request (context) to the leader. */
    READ_INDEX,
    /** Leader tells the follower the read index (index) of its request (context). */
    READ_INDEX_RESPONSE
}

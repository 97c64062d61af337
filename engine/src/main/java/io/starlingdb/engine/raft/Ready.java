package io.starlingdb.engine.raft;

import java.util.List;

/**
 * What the driver must do next, in this order:
 * <ol>
 *   <li>persist {@code snapshot} (if not null; it replaces the whole log), then {@code entries}
 *       (an entry at index i replaces every stored entry at index &gt;= i) and {@code hardState}
 *       (if not null), atomically, and sync if {@code mustSync} (a write that only moves the
 *       commit index need not be synced: a lower recovered commit index is safe);</li>
 *   <li>send {@code messages} (only after the sync: they may promise what was just persisted;
 *       those for which {@link Message#mayPrecedePersistence()} holds may leave before it);</li>
 *   <li>restore the state machine from {@code snapshot} if not null, then apply
 *       {@code committedEntries} in order, and serve {@code readStates} once applied;</li>
 *   <li>call {@link RaftCore#advance(Ready)}.</li>
 * </ol>
 */
public record Ready(
        HardState hardState,
        List<Entry> entries,
        Snapshot snapshot,
        List<Entry> committedEntries,
        List<Message> messages,
        List<ReadState> readStates,
        boolean mustSync) {

    /** True when there is something to persist (synced or not). */
    public boolean mustPersist() {
        return hardState != null || !entries.isEmpty() || snapshot != null;
    }
}

package io.starlingdb.engine.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * One replica of a Raft group as a pure state machine: {@link #tick()}, {@link #step(Message)}
 * and the local requests change its state; {@link #ready()} says what to persist, send and
 * apply; {@link #advance(Ready)} tells it that was done. It never touches a disk, a socket, a
 * clock or a thread; its only randomness (the election timeout) comes from the injected Random,
 * so a seeded run reproduces exactly.
 *
 * <p>Not thread-safe: the driver calls it from one thread at a time, and must not step it
 * between {@link #ready()} and {@link #advance(Ready)}.
 */
public final class RaftCore {

    /** "Nobody": no vote, no known leader. Node ids are &gt; 0. */
    public static final long NONE = 0;

    private final long id;
    private final RaftConfig config;
    private final Random random;
    private final RaftLog log;

    private long term;
    private long vote;
    private long lead = NONE;
    private Role role = Role.FOLLOWER;
    /** Configuration as of the applied index. */
    private ConfState conf;

    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;
    /** Ticks since this replica started: the clock of its lease and of its restart vote hold. */
    private long ticks;
    /**
     * A replica that may have acknowledged a leader's heartbeat before it restarted refuses votes
     * until this tick, as it would have had it not restarted: that leader may still hold a lease.
     */
    private final long holdVotesUntilTick;
    /** Leader: the term in which it handed leadership away; no lease in that term (the target may already campaign). */
    private long leaseRevokedTerm = -1;
    /** Leader: index of the empty entry it appended on election; reads wait until it is applied. */
    private long termStartIndex;
    /** Leader: payload bytes of its own entries not yet committed, for {@link RaftConfig#maxUncommittedBytes()}. */
    private long uncommittedBytes;

    /** Leader only: one per member, including itself. Sorted for deterministic iteration. */
    private final TreeMap<Long, Progress> progress = new TreeMap<>();
    /** (Pre-)candidate only: votes received. */
    private final TreeMap<Long, Boolean> votes = new TreeMap<>();
    /** Leader only: a conf change at or below this index is not yet applied. */
    private long pendingConfIndex;
    private long leadTransferee = NONE;
    /**
     * Candidate only: campaigning as a new group's first leader ({@link #campaignAsFirstLeader}):
     * its vote requests go again every tick to the voters that have not answered.
     */
    private boolean firstLeaderCampaign;

    /** Leader only: read index requests awaiting a heartbeat quorum, in arrival order. */
    private final ArrayDeque<PendingRead> pendingReads = new ArrayDeque<>();
    /** Leader only: read requests that arrived before the leader committed an entry of its term. */
    private final ArrayList<long[]> readsAwaitingCommit = new ArrayList<>();

    private List<Message> msgs = new ArrayList<>();
    private List<ReadState> readStates = new ArrayList<>();
    private HardState prevHardState;
    private boolean readyOutstanding;

    private static final class PendingRead {
        final long context;
        final long from;
        final long index;
        final Set<Long> acks = new HashSet<>();

        PendingRead(long context, long from, long index) {
            this.context = context;
            this.from = from;
            this.index = index;
        }
    }

    public RaftCore(long id, RaftConfig config, Random random, RaftState state) {
        if (id <= 0) {
            throw new IllegalArgumentException("node id must be > 0, got " + id);
        }
        this.id = id;
        this.config = config;
        this.random = random;
        this.log = new RaftLog(state.snapshot(), state.entries(), state.hardState().commit());
        this.conf = state.snapshot() != null ? state.snapshot().conf() : state.bootstrap();
        this.term = state.hardState().term();
        this.vote = state.hardState().vote();
        this.prevHardState = hardState();
        this.holdVotesUntilTick = config.leaseTicks() > 0 && term > 0 ? config.electionTicks() : 0;
        becomeFollower(term, NONE);
    }

    // ---------------------------------------------------------------- observers

    public long id() {
        return id;
    }

    public long term() {
        return term;
    }

    public long leader() {
        return lead;
    }

    public Role role() {
        return role;
    }

    public ConfState conf() {
        return conf;
    }

    public long committed() {
        return log.committed();
    }

    public long applied() {
        return log.applied();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    public long firstIndex() {
        return log.firstIndex();
    }

    /** Term of the entry at index, or -1 if it is compacted away or does not exist. */
    public long termAt(long index) {
        return log.term(index);
    }

    /** The entry at index; the index must be in [firstIndex, lastIndex]. */
    public Entry entryAt(long index) {
        if (index < log.firstIndex() || index > log.lastIndex()) {
            throw new IllegalArgumentException("entry " + index + " outside [" + log.firstIndex() + ", " + log.lastIndex() + "]");
        }
        return log.entry(index);
    }

    public long snapshotIndex() {
        return log.snapshotIndex();
    }

    public HardState hardState() {
        return new HardState(term, vote, log.committed());
    }

    /** Leader only: the highest index known replicated on each other member; empty on a follower. */
    public Map<Long, Long> matched() {
        Map<Long, Long> out = new java.util.HashMap<>();
        if (role == Role.LEADER) {
            for (Map.Entry<Long, Progress> e : progress.entrySet()) {
                if (e.getKey() != id) {
                    out.put(e.getKey(), e.getValue().match);
                }
            }
        }
        return out;
    }

    /** Leader only: a printable view of replication progress, for traces. */
    public String progressString() {
        return progress.toString();
    }

    // ---------------------------------------------------------------- local requests

    /** Advances logical time by one tick. */
    public void tick() {
        checkNotOutstanding();
        ticks++;
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            tickElection();
        }
    }

    /**
     * Ticks between the campaigns of two followers whose leader is suspected down, by their rank
     * among the group's other voters: the first asks for votes once the voters' vote lease has
     * passed, the next only if the first has not won by then, so the two do not split the vote.
     */
    public static final int suspectedLeaderStaggerTicks = 3;

    /**
     * The driver learnt that node is probably down (the membership suspects it, or declared it
     * dead). A follower led by it campaigns {@code electionTicks + 1 + rank * }
     * {@link #suspectedLeaderStaggerTicks} ticks after it last heard from it (rank: how many other
     * voters, the suspect aside, have a lower id), until its term changes, instead of at a random time in
     * [electionTicks, 2 * electionTicks): as soon as the other voters, which heard the leader's
     * last heartbeat at about the same time, grant votes again (a voter ignores elections for
     * electionTicks after hearing from a leader, which is what keeps its read lease safe), and
     * one after the other. Only timing changes: while the leader is heard from, its heartbeats
     * restart the timer, and a wrong suspicion costs nothing.
     */
    public void leaderSuspected(long node) {
        checkNotOutstanding();
        if (role != Role.FOLLOWER || node == NONE || lead != node || !promotable()) {
            return;
        }
        int rank = 0;
        for (long v : conf.voters()) {
            if (v != node && v < id) {
                rank++;
            }
        }
        // Set, not lowered: a random timeout at electionTicks itself could reach a voter whose
        // lease has a tick to go (its pre-vote is then ignored and it waits a whole timeout more),
        // or reach it together with another candidate's (a split vote).
        randomizedElectionTimeout = config.electionTicks() + 1 + rank * suspectedLeaderStaggerTicks;
    }

    /** Starts an election now (tests and operators). */
    public void campaign() {
        checkNotOutstanding();
        hup(false);
    }

    /**
     * Campaigns now for a group that no replica can have led yet, past the voters' lease checks
     * (as a leadership transfer's target does), so that the group has a leader at once instead of
     * after an election timeout and the voters' restart vote hold (together 1-2 s: a range split
     * off served nothing that long). Its vote requests go again every tick to the voters that
     * have not answered (one whose replica of the group does not exist yet drops the first).
     * Does nothing (false) unless this replica is a follower still at initialTerm, the term every
     * replica of the group started in, with no vote and no leader heard of.
     *
     * <p>Why skipping the lease checks is safe: no replica leads in a group's starting term (an
     * election raises the term), so a leader that exists is of a term at least initialTerm + 1,
     * the term of this campaign. A leader of that same term took a quorum's votes in it, and a
     * voter votes once per term, so this campaign cannot win. A leader of a later term holds its
     * lease by a quorum that acknowledged its heartbeats in that term: any quorum this campaign
     * could win shares a voter with it, and that voter, at the later term, refuses a vote of an
     * earlier one. A voter's lease check only ever refuses on behalf of such leaders.
     */
    public boolean campaignAsFirstLeader(long initialTerm) {
        checkNotOutstanding();
        if (role != Role.FOLLOWER || term != initialTerm || vote != NONE || lead != NONE || !promotable()
                || hasUnappliedConfChange() || log.pendingSnapshot() != null) {
            return false;
        }
        hup(true);
        firstLeaderCampaign = role == Role.CANDIDATE;
        return true;
    }

    /** Proposes an application command. A follower answers with the leader it knows. */
    public ProposeResult propose(byte[] data) {
        checkNotOutstanding();
        if (role != Role.LEADER) {
            return new ProposeResult.NotLeader(lead);
        }
        if (leadTransferee != NONE) {
            return new ProposeResult.Dropped("leadership transfer to " + leadTransferee + " in progress");
        }
        if (!promotable()) {
            return new ProposeResult.Dropped(removedLeaderRefuses);
        }
        if (uncommittedBytes > 0 && uncommittedBytes + data.length > config.maxUncommittedBytes()) {
            return new ProposeResult.Dropped("backpressure: " + uncommittedBytes + " bytes of entries not yet committed"
                    + " (maxUncommittedBytes " + config.maxUncommittedBytes() + ")");
        }
        return appendAndReplicate(EntryType.NORMAL, data);
    }

    /**
     * Whether this replica leads with a valid read lease: a quorum of voters acknowledged a
     * heartbeat sent less than {@link RaftConfig#leaseTicks()} ticks ago, so no other replica can
     * have been elected since; it is not handing leadership away; and it is a voter of its
     * configuration (a leader removed from the group serves nothing under a lease).
     */
    public boolean hasLease() {
        if (role != Role.LEADER || config.leaseTicks() == 0 || leadTransferee != NONE || leaseRevokedTerm == term
                || !promotable()) {
            return false;
        }
        return ticks < leaseStartTick() + config.leaseTicks();
    }

    /**
     * Whether a read of the applied state here is linearizable without a round trip: the lease
     * holds and the state includes everything committed before this leader's term (its first
     * entry is applied), so every write acknowledged by any leader so far is visible.
     */
    public boolean canServeLeaseRead() {
        return hasLease() && log.applied() >= termStartIndex;
    }

    /**
     * Ticks for which {@link #canServeLeaseRead()} stays true if nothing else happens: the lease
     * ends when the tick count reaches the quorum's oldest acknowledged send tick plus
     * {@link RaftConfig#leaseTicks()}. 0 when it is false now. The driver turns it into a wall-clock
     * deadline for readers on other threads.
     */
    public long leaseReadTicksLeft() {
        return canServeLeaseRead() ? leaseStartTick() + config.leaseTicks() - ticks : 0;
    }

    /** The oldest send tick among the newest heartbeat acknowledgements of a quorum (the leader counts as now). */
    private long leaseStartTick() {
        long[] acks = new long[conf.voters().size()];
        int k = 0;
        for (long v : conf.voters()) {
            Progress pr = progress.get(v);
            acks[k++] = v == id ? ticks : pr == null ? -1 : pr.leaseAckTick;
        }
        if (acks.length == 0) {
            return -1L - config.leaseTicks();
        }
        Arrays.sort(acks);
        long start = acks[acks.length - quorum()];
        return start < 0 ? -1L - config.leaseTicks() : start;
    }

    /**
     * Proposes one membership change. Refused while the previous change is not applied, before
     * the leader has applied an entry of its own term, and if it would remove the leader itself
     * (transfer leadership first).
     */
    public ProposeResult proposeConfChange(ConfChange cc) {
        checkNotOutstanding();
        if (role != Role.LEADER) {
            return new ProposeResult.NotLeader(lead);
        }
        if (leadTransferee != NONE) {
            return new ProposeResult.Dropped("leadership transfer to " + leadTransferee + " in progress");
        }
        if (!promotable()) {
            return new ProposeResult.Dropped(removedLeaderRefuses);
        }
        if (pendingConfIndex > log.applied()) {
            return new ProposeResult.Dropped("membership change at index " + pendingConfIndex + " not yet applied");
        }
        if (cc.type() == ConfChange.Type.REMOVE && cc.nodeId() == id) {
            return new ProposeResult.Dropped("the leader cannot remove itself; transfer leadership first");
        }
        try {
            conf.apply(cc);
        } catch (IllegalArgumentException e) {
            return new ProposeResult.Dropped(e.getMessage());
        }
        ProposeResult r = appendAndReplicate(EntryType.CONF_CHANGE, cc.encode());
        pendingConfIndex = log.lastIndex();
        return r;
    }

    /**
     * Requests a linearizable read. Once confirmed, a {@link ReadState} with this context comes
     * out of a later Ready (on a follower, after a round trip to the leader). Returns the leader
     * known (0 if none, and the request is dropped) — the request is dropped silently too if
     * leadership changes before it is confirmed; callers time out and retry. A leader removed
     * from the group (leading on until its last entry commits) answers 0: it serves no reads.
     */
    public long readIndex(long context) {
        checkNotOutstanding();
        if (context == 0 || context == Message.campaignTransfer) {
            throw new IllegalArgumentException("read context must not be 0 or " + Message.campaignTransfer);
        }
        if (role == Role.LEADER && !promotable()) {
            return NONE;
        }
        if (role == Role.LEADER) {
            handleReadIndex(id, context);
        } else if (lead != NONE) {
            send(Message.readIndex(id, lead, term, context));
        }
        return lead;
    }

    /** Leader: hands leadership to target once its log is up to date. Returns false if not the leader. */
    public boolean transferLeadership(long target) {
        checkNotOutstanding();
        if (role != Role.LEADER) {
            return false;
        }
        if (target == id || !conf.voters().contains(target) || leadTransferee == target) {
            return true;
        }
        leadTransferee = target;
        electionElapsed = 0;
        Progress pr = progress.get(target);
        if (pr.match == log.lastIndex()) {
            sendTimeoutNow(target);
        } else {
            sendAppend(target, true);
        }
        return true;
    }

    public long leadTransferee() {
        return leadTransferee;
    }

    /**
     * Compacts the log up to the applied index, keeping {@code data} (the state machine as of
     * that index) to send to followers that are too far behind. The driver persists the
     * snapshot and deletes the compacted entries itself. Returns null if nothing was applied
     * since the last snapshot.
     */
    public Snapshot compact(byte[] data) {
        checkNotOutstanding();
        long index = log.applied();
        if (index <= log.snapshotIndex()) {
            return null;
        }
        Snapshot s = new Snapshot(index, log.term(index), conf, data);
        log.compact(s);
        return s;
    }

    // ---------------------------------------------------------------- Ready / advance

    public boolean hasReady() {
        return !msgs.isEmpty() || !readStates.isEmpty() || log.hasUnstable() || log.pendingSnapshot() != null
                || !hardState().equals(prevHardState) || (log.committed() > log.applied() && log.pendingSnapshot() == null);
    }

    public Ready ready() {
        checkNotOutstanding();
        HardState hs = hardState();
        List<Entry> unstable = log.unstableEntries();
        boolean mustSync = !unstable.isEmpty() || log.pendingSnapshot() != null
                || hs.term() != prevHardState.term() || hs.vote() != prevHardState.vote();
        Ready rd = new Ready(
                hs.equals(prevHardState) ? null : hs,
                unstable,
                log.pendingSnapshot(),
                log.committedToApply(),
                msgs,
                readStates,
                mustSync);
        msgs = new ArrayList<>();
        readStates = new ArrayList<>();
        readyOutstanding = true;
        return rd;
    }

    /** The driver has persisted, sent and applied everything in rd. */
    public void advance(Ready rd) {
        if (!readyOutstanding) {
            throw new IllegalStateException("advance without an outstanding ready");
        }
        readyOutstanding = false;
        if (rd.hardState() != null) {
            prevHardState = rd.hardState();
        }
        if (rd.snapshot() != null) {
            log.snapshotApplied();
        }
        if (!rd.entries().isEmpty()) {
            log.stableTo(rd.entries().get(rd.entries().size() - 1).index());
        }
        for (Entry e : rd.committedEntries()) {
            log.appliedTo(e.index());
            if (e.type() == EntryType.CONF_CHANGE) {
                applyConfChange(ConfChange.decode(e.data()));
            }
        }
        if (role == Role.LEADER) {
            // The leader counts itself only for entries it has made durable.
            Progress self = progress.get(id);
            if (self != null && self.maybeUpdate(log.lastStable()) && maybeCommit()) {
                bcastCommit();
            }
        }
        maybeHandOverAsRemoved();
    }

    private void checkNotOutstanding() {
        if (readyOutstanding) {
            throw new IllegalStateException("node " + id + ": step between ready() and advance()");
        }
    }

    // ---------------------------------------------------------------- state transitions

    private void reset(long newTerm) {
        if (newTerm < term) {
            throw new IllegalStateException("node " + id + ": term would move back from " + term + " to " + newTerm);
        }
        if (newTerm != term) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = config.electionTicks() + random.nextInt(config.electionTicks());
        leadTransferee = NONE;
        firstLeaderCampaign = false;
        votes.clear();
        progress.clear();
        pendingReads.clear();
        readsAwaitingCommit.clear();
        pendingConfIndex = 0;
    }

    private void becomeFollower(long newTerm, long leader) {
        reset(newTerm);
        lead = leader;
        role = Role.FOLLOWER;
    }

    private void becomePreCandidate() {
        // Term and vote stay: a pre-vote changes nothing durable.
        lead = NONE;
        votes.clear();
        firstLeaderCampaign = false;
        role = Role.PRE_CANDIDATE;
    }

    private void becomeCandidate() {
        reset(term + 1);
        vote = id;
        role = Role.CANDIDATE;
    }

    private void becomeLeader() {
        if (role != Role.CANDIDATE) {
            throw new IllegalStateException("node " + id + ": becomeLeader from " + role);
        }
        reset(term);
        lead = id;
        role = Role.LEADER;
        for (long m : members()) {
            Progress pr = new Progress(log.lastIndex() + 1, config.maxInflightMsgs());
            pr.recentActive = true;
            progress.put(m, pr);
        }
        Progress self = progress.get(id);
        self.match = log.lastStable();
        self.becomeReplicate();
        uncommittedBytes = 0;
        termStartIndex = log.lastIndex() + 1;
        // No membership change until an entry of this term is applied (Ongaro's fix for
        // single-server changes across leader changes).
        pendingConfIndex = log.lastIndex() + 1;
        log.append(new Entry(term, log.lastIndex() + 1, EntryType.NORMAL, new byte[0]));
        bcastAppend();
    }

    private Set<Long> members() {
        Set<Long> all = new java.util.TreeSet<>(conf.voters());
        all.addAll(conf.learners());
        all.add(id);
        return all;
    }

    private boolean promotable() {
        return conf.voters().contains(id);
    }

    private void tickElection() {
        electionElapsed++;
        if (firstLeaderCampaign && role == Role.CANDIDATE) {
            for (long v : conf.voters()) {
                if (v != id && !votes.containsKey(v)) {
                    send(Message.voteRequest(false, id, v, term, log.lastIndex(), log.lastTerm(), true,
                            log.committed(), log.term(log.committed())));
                }
            }
        }
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0;
            hup(false);
        }
    }

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        for (Progress pr : progress.values()) {
            if (pr.state == Progress.State.SNAPSHOT && ++pr.snapshotTicks >= 2 * config.electionTicks()) {
                // The snapshot (or its acknowledgement) was lost: probe again, which resends it.
                pr.becomeProbe();
            }
        }
        if (electionElapsed >= config.electionTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum()) {
                int active = 0;
                for (long v : conf.voters()) {
                    Progress pr = progress.get(v);
                    if (v == id || (pr != null && pr.recentActive)) {
                        active++;
                    }
                }
                for (Map.Entry<Long, Progress> e : progress.entrySet()) {
                    if (e.getKey() != id) {
                        e.getValue().recentActive = false;
                    }
                }
                if (active < quorum()) {
                    becomeFollower(term, NONE);
                    return;
                }
            }
            leadTransferee = NONE;
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            bcastHeartbeat(0);
        }
    }

    private int quorum() {
        return conf.voters().size() / 2 + 1;
    }

    private boolean hasUnappliedConfChange() {
        for (long i = log.applied() + 1; i <= log.committed(); i++) {
            if (i > log.snapshotIndex() && log.entry(i).type() == EntryType.CONF_CHANGE) {
                return true;
            }
        }
        return false;
    }

    private void hup(boolean transfer) {
        if (role == Role.LEADER || !promotable() || hasUnappliedConfChange() || log.pendingSnapshot() != null) {
            return;
        }
        if (config.preVote() && !transfer) {
            campaign(true, false);
        } else {
            campaign(false, transfer);
        }
    }

    private void campaign(boolean pre, boolean transfer) {
        long voteTerm;
        MessageType type;
        if (pre) {
            becomePreCandidate();
            voteTerm = term + 1;
            type = MessageType.PRE_VOTE;
        } else {
            becomeCandidate();
            voteTerm = term;
            type = MessageType.VOTE;
        }
        if (poll(id, true)) {
            return;
        }
        for (long v : conf.voters()) {
            if (v == id) {
                continue;
            }
            send(Message.voteRequest(pre, id, v, voteTerm, log.lastIndex(), log.lastTerm(), transfer,
                    log.committed(), log.term(log.committed())));
        }
    }

    /** Records a vote; returns true if the election was decided by it. */
    private boolean poll(long from, boolean granted) {
        if (!conf.voters().contains(from)) {
            return false;
        }
        votes.putIfAbsent(from, granted);
        int yes = 0;
        int no = 0;
        for (boolean g : votes.values()) {
            if (g) {
                yes++;
            } else {
                no++;
            }
        }
        if (yes >= quorum()) {
            if (role == Role.PRE_CANDIDATE) {
                campaign(false, false);
            } else {
                becomeLeader();
            }
            return true;
        }
        if (no >= quorum()) {
            becomeFollower(term, NONE);
            return true;
        }
        return false;
    }

    /**
     * Whether stepping this SNAPSHOT message would replace the log with the snapshot (rather
     * than ignore it as stale, or only commit up to it because the log already holds its
     * index). A driver whose state machine installs snapshots itself installs it first, then
     * steps the message: only then is every entry this replica could lose with its log either
     * covered by the snapshot or never committable.
     */
    public boolean wouldRestore(Message m) {
        if (m.type() != MessageType.SNAPSHOT || m.to() != id || m.term() < term
                || (m.term() == term && role == Role.LEADER)) {
            return false;
        }
        Snapshot s = m.snapshot();
        return s.index() > log.committed() && !log.matchTerm(s.index(), s.term());
    }

    // ---------------------------------------------------------------- messages

    /** Handles a message from another replica. Messages for other nodes or from the future of a restart are fine. */
    public void step(Message m) {
        checkNotOutstanding();
        if (m.to() != id) {
            throw new IllegalArgumentException("node " + id + " received a message for " + m.to());
        }
        if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
            learnCommit(m.commit(), m.rejectHint());
        }
        if (m.term() > term) {
            if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
                boolean force = m.context() == Message.campaignTransfer;
                boolean inLease = config.checkQuorum()
                        && ((lead != NONE && electionElapsed < config.electionTicks()) || ticks < holdVotesUntilTick);
                if (!force && inLease) {
                    // We hear from a leader: do not let a partitioned node depose it.
                    return;
                }
            }
            if (m.type() == MessageType.PRE_VOTE) {
                // A pre-vote does not change our term.
            } else if (m.type() == MessageType.PRE_VOTE_RESPONSE && !m.reject()) {
                // Granted for the term we would campaign in; our term moves when we campaign.
            } else if (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
                    || m.type() == MessageType.SNAPSHOT) {
                becomeFollower(m.term(), m.from());
            } else if (m.type() == MessageType.VOTE && !log.isUpToDate(m.index(), m.logTerm())) {
                // Raft restarts the election timer for a leader's message, a vote granted or an
                // own campaign (figure 2), not for a candidate whose log is behind ours. Were it
                // restarted here, behind candidates campaigning in turn would keep this replica,
                // the one that can win, from ever campaigning: with a voter down, a group that
                // needs every live vote then elects no one (KV simulator seeds 1820, 2528, 6695).
                int elapsed = electionElapsed;
                int timeout = randomizedElectionTimeout;
                becomeFollower(m.term(), NONE);
                electionElapsed = elapsed;
                randomizedElectionTimeout = timeout;
            } else {
                becomeFollower(m.term(), NONE);
            }
        } else if (m.term() < term) {
            if ((config.checkQuorum() || config.preVote())
                    && (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT)) {
                // A stale leader cut off by check-quorum / pre-vote would never learn our term otherwise.
                send(Message.termNotice(id, m.from(), term));
            } else if (m.type() == MessageType.PRE_VOTE || m.type() == MessageType.VOTE) {
                // Tell a candidate behind us our term. Without it, a candidate that needs our vote
                // and a stale one of ours that needs its (each missing a membership change the
                // other has) raise their terms side by side forever, the stale one ahead.
                send(Message.voteResponse(m.type() == MessageType.PRE_VOTE, id, m.from(), term, false));
            }
            return;
        }

        switch (m.type()) {
            case VOTE:
            case PRE_VOTE:
                handleVote(m);
                return;
            default:
                break;
        }
        switch (role) {
            case LEADER:
                stepLeader(m);
                break;
            case CANDIDATE:
            case PRE_CANDIDATE:
                stepCandidate(m);
                break;
            default:
                stepFollower(m);
        }
    }

    /**
     * Commits up to index if this replica's entry there has term commitTerm, as a (pre-)candidate
     * that knows that entry committed says ({@link Message#voteRequest(boolean, long, long, long,
     * long, long, boolean, long, long)}). Safe whatever the terms: an entry committed stays
     * committed, and a log holding an entry of the same index and term holds the same entries up
     * to it. Needed where no leader can tell it: a learner promoted by a committed entry it holds
     * but does not know committed is not a voter until it applies that entry, so it never
     * campaigns; when its log is the most complete of a quorum it refuses every candidate, and the
     * group elects no one (transaction simulator seed 559: the promoted learner held two entries of
     * a later term than the candidate's, the voter that had them too was destroyed). A leader
     * learns nothing so: it commits by its own count.
     */
    private void learnCommit(long index, long commitTerm) {
        if (role != Role.LEADER && index > log.committed() && index <= log.lastIndex() && commitTerm > 0
                && log.term(index) == commitTerm) {
            log.commitTo(index);
        }
    }

    private void handleVote(Message m) {
        boolean pre = m.type() == MessageType.PRE_VOTE;
        boolean canVote = vote == m.from()
                || (vote == NONE && lead == NONE)
                || (pre && m.term() > term);
        if (canVote && log.isUpToDate(m.index(), m.logTerm())) {
            send(Message.voteResponse(pre, id, m.from(), m.term(), true));
            if (!pre) {
                electionElapsed = 0;
                vote = m.from();
            }
        } else {
            send(Message.voteResponse(pre, id, m.from(), term, false));
        }
    }

    private void stepCandidate(Message m) {
        switch (m.type()) {
            case APPEND:
                becomeFollower(m.term(), m.from());
                handleAppend(m);
                break;
            case HEARTBEAT:
                becomeFollower(m.term(), m.from());
                handleHeartbeat(m);
                break;
            case SNAPSHOT:
                becomeFollower(m.term(), m.from());
                handleSnapshot(m);
                break;
            case PRE_VOTE_RESPONSE:
                if (role == Role.PRE_CANDIDATE) {
                    poll(m.from(), !m.reject());
                }
                break;
            case VOTE_RESPONSE:
                if (role == Role.CANDIDATE) {
                    poll(m.from(), !m.reject());
                }
                break;
            default:
                break;
        }
    }

    private void stepFollower(Message m) {
        switch (m.type()) {
            case APPEND:
                electionElapsed = 0;
                lead = m.from();
                handleAppend(m);
                break;
            case HEARTBEAT:
                electionElapsed = 0;
                lead = m.from();
                handleHeartbeat(m);
                break;
            case SNAPSHOT:
                electionElapsed = 0;
                lead = m.from();
                handleSnapshot(m);
                break;
            case TIMEOUT_NOW:
                hup(true);
                break;
            case READ_INDEX:
                if (lead != NONE) {
                    send(Message.readIndex(m.from(), lead, term, m.context()));
                }
                break;
            case READ_INDEX_RESPONSE:
                readStates.add(new ReadState(m.context(), m.index()));
                break;
            default:
                break;
        }
    }

    private void handleAppend(Message m) {
        if (m.index() < log.committed()) {
            send(ack(m.from(), log.committed()));
            return;
        }
        long lastNew = log.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(ack(m.from(), lastNew));
        } else {
            long hint = log.findConflictByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
            send(Message.appendRejected(id, m.from(), term, m.index(), hint, Math.max(0, log.term(hint))));
        }
    }

    private Message ack(long to, long index) {
        return Message.appendAccepted(id, to, term, index);
    }

    private void handleHeartbeat(Message m) {
        log.commitTo(Math.min(m.commit(), log.lastIndex()));
        send(Message.heartbeatResponse(id, m.from(), term, m.context(), m.sentAtTick()));
    }

    private void handleSnapshot(Message m) {
        Snapshot s = m.snapshot();
        if (s.index() <= log.committed()) {
            send(ack(m.from(), log.committed()));
        } else if (log.matchTerm(s.index(), s.term())) {
            // We already have the log up to the snapshot: just commit it.
            log.commitTo(s.index());
            send(ack(m.from(), log.lastIndex()));
        } else {
            log.restore(s);
            conf = s.conf();
            send(ack(m.from(), log.lastIndex()));
        }
    }

    private void stepLeader(Message m) {
        Progress pr = progress.get(m.from());
        switch (m.type()) {
            case READ_INDEX:
                handleReadIndex(m.from(), m.context());
                return;
            case APPEND_RESPONSE:
                if (pr != null) {
                    handleAppendResponse(m, pr);
                }
                return;
            case HEARTBEAT_RESPONSE:
                if (pr != null) {
                    handleHeartbeatResponse(m, pr);
                }
                return;
            default:
                return;
        }
    }

    private void handleAppendResponse(Message m, Progress pr) {
        pr.recentActive = true;
        if (m.reject()) {
            long hint = m.rejectHint();
            if (m.logTerm() > 0) {
                hint = log.findConflictByTerm(m.rejectHint(), m.logTerm());
            }
            if (pr.maybeDecrTo(m.index(), hint)) {
                if (pr.state == Progress.State.REPLICATE) {
                    pr.becomeProbe();
                }
                sendAppend(m.from(), true);
            }
            return;
        }
        boolean wasPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.index())) {
            return;
        }
        if (pr.state == Progress.State.PROBE) {
            pr.becomeReplicate();
        } else if (pr.state == Progress.State.SNAPSHOT && pr.match >= pr.pendingSnapshot) {
            pr.becomeProbe();
            pr.becomeReplicate();
        } else if (pr.state == Progress.State.REPLICATE) {
            pr.freeInflightUpTo(m.index());
        }
        if (maybeCommit()) {
            bcastCommit();
        } else if (wasPaused) {
            sendAppend(m.from(), true);
        }
        // Pipelining: fill the window with whatever else the follower lacks.
        while (sendAppend(m.from(), false)) {
            // keep sending
        }
        // A follower whose last append in flight this acknowledged and that was not told the
        // commit index yet (bcastCommit left it to this acknowledgement) is told now.
        if (pr.state == Progress.State.REPLICATE && pr.inflight.isEmpty()
                && pr.sentCommit < Math.min(pr.match, log.committed())) {
            sendAppend(m.from(), true);
        }
        if (m.from() == leadTransferee && pr.match == log.lastIndex()) {
            sendTimeoutNow(m.from());
        }
        maybeHandOverAsRemoved();
    }

    private void handleHeartbeatResponse(Message m, Progress pr) {
        pr.recentActive = true;
        if (m.sentAtTick() <= ticks) {
            pr.leaseAckTick = Math.max(pr.leaseAckTick, m.sentAtTick());
        }
        pr.probeSent = false;
        if (pr.state == Progress.State.REPLICATE && pr.isPaused()) {
            pr.inflight.pollFirst();
        }
        if (pr.match < log.lastIndex()) {
            sendAppend(m.from(), true);
        }
        if (m.context() != 0 && !pendingReads.isEmpty()) {
            ackRead(m.context(), m.from());
        }
    }

    /** Sends entries (or a snapshot) to a follower; returns true if it sent entries. */
    private boolean sendAppend(long to, boolean sendIfEmpty) {
        Progress pr = progress.get(to);
        if (pr == null || to == id || pr.isPaused()) {
            return false;
        }
        long prevIndex = pr.next - 1;
        long prevTerm = log.term(prevIndex);
        List<Entry> ents = log.slice(pr.next, log.lastIndex() + 1, config.maxBatchBytes());
        if (prevTerm < 0 || ents == null) {
            Snapshot s = log.snapshot();
            if (s == null) {
                throw new IllegalStateException("node " + id + ": entry " + pr.next + " compacted but no snapshot");
            }
            pr.becomeSnapshot(s.index());
            send(Message.snapshot(id, to, term, s));
            return false;
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        send(Message.append(id, to, term, prevIndex, prevTerm, ents, log.committed()));
        pr.sentCommit = Math.max(pr.sentCommit, Math.min(log.committed(), prevIndex + ents.size()));
        if (!ents.isEmpty()) {
            pr.sentEntries(ents.get(ents.size() - 1).index());
        } else if (pr.state == Progress.State.PROBE) {
            pr.probeSent = true;
        }
        return !ents.isEmpty();
    }

    private void bcastAppend() {
        for (long to : progress.keySet()) {
            if (to != id) {
                sendAppend(to, true);
            }
        }
    }

    /**
     * Tells the followers that the commit index moved. An append goes to each, as
     * {@link #bcastAppend} sends, except to a follower in REPLICATE state with appends in flight
     * and nothing new to send: the commit-only append would wake its network thread and Raft
     * driver (and then the leader's, for its acknowledgement) for nothing urgent. The
     * acknowledgement of those appends comes back to {@link #handleAppendResponse}, which tells it
     * the commit index once nothing is left in flight to carry it; a later append carries it
     * anyway, and so do heartbeats if a message is lost. Followers thus learn a commit index at
     * most one round trip later under a steady load, which only delays their applies: the leader
     * applies and answers as before (docs/raft.md, "Commit-only appends").
     */
    private void bcastCommit() {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            long to = e.getKey();
            if (to == id) {
                continue;
            }
            Progress pr = e.getValue();
            sendAppend(to, !(pr.state == Progress.State.REPLICATE && !pr.inflight.isEmpty()));
        }
    }

    private void bcastHeartbeat(long context) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getKey() == id) {
                continue;
            }
            long commit = Math.min(e.getValue().match, log.committed());
            send(Message.heartbeat(id, e.getKey(), term, commit, context, ticks));
        }
    }

    /** Commits the highest index a quorum of voters has, if it is of the current term. */
    private boolean maybeCommit() {
        long[] matches = new long[conf.voters().size()];
        int k = 0;
        for (long v : conf.voters()) {
            Progress pr = progress.get(v);
            matches[k++] = pr == null ? 0 : pr.match;
        }
        if (matches.length == 0) {
            return false;
        }
        Arrays.sort(matches);
        long quorumIndex = matches[matches.length - quorum()];
        boolean committedInTermBefore = committedInCurrentTerm();
        long before = log.committed();
        boolean moved = log.maybeCommit(quorumIndex, term);
        for (long i = before + 1; moved && i <= log.committed(); i++) {
            Entry e = log.entry(i);
            if (e.term() == term) {
                uncommittedBytes = Math.max(0, uncommittedBytes - e.data().length);
            }
        }
        if (moved && !committedInTermBefore && committedInCurrentTerm()) {
            List<long[]> waiting = new ArrayList<>(readsAwaitingCommit);
            readsAwaitingCommit.clear();
            for (long[] r : waiting) {
                handleReadIndex(r[0], r[1]);
            }
        }
        return moved;
    }

    private boolean committedInCurrentTerm() {
        return log.term(log.committed()) == term;
    }

    private ProposeResult appendAndReplicate(EntryType type, byte[] data) {
        Entry e = new Entry(term, log.lastIndex() + 1, type, data);
        log.append(e);
        uncommittedBytes += data.length;
        bcastAppend();
        return new ProposeResult.Accepted(e.index(), term);
    }

    private void applyConfChange(ConfChange cc) {
        conf = conf.apply(cc);
        if (role != Role.LEADER) {
            return;
        }
        if (cc.type() == ConfChange.Type.REMOVE && cc.nodeId() == id) {
            // Removed by a change an earlier leader proposed. Stepping down here would strand the
            // entries this leader appended after the commit index, perhaps held by no one else:
            // a voter that has not applied the removal may need this replica's vote, which it
            // refuses to a log behind its own, and a replica outside its configuration never
            // campaigns (transaction simulator seed 577: no leader ever again). So it leads on
            // as a non-voter: commits count the new voters only (maybeCommit), it holds no
            // lease, takes no proposal and serves no read, and once its last entry commits it
            // hands leadership over (maybeHandOverAsRemoved, called when the Ready is advanced).
            if (maybeCommit()) {
                bcastAppend();
            }
            return;
        }
        switch (cc.type()) {
            case ADD_LEARNER:
                Progress pr = new Progress(log.lastIndex() + 1, config.maxInflightMsgs());
                pr.recentActive = true;
                progress.put(cc.nodeId(), pr);
                sendAppend(cc.nodeId(), true);
                break;
            case REMOVE:
                progress.remove(cc.nodeId());
                if (cc.nodeId() == leadTransferee) {
                    leadTransferee = NONE;
                }
                break;
            default:
                break;
        }
        // The quorum changed: something may now be committed (or read confirmed).
        if (maybeCommit()) {
            bcastAppend();
        }
    }

    /** Why a leader removed from the group refuses a proposal. */
    private static final String removedLeaderRefuses =
            "removed from the group: it leads on only until its last entry commits, then hands leadership over";

    /**
     * A leader outside its configuration (it applied its own removal) whose last entry is
     * committed: sends TIMEOUT_NOW to the voter with the longest log it knows of (the lowest id
     * among equals), if that voter has every entry, and steps down. The target campaigns in the
     * next term at once, so the group does not wait an election timeout; no two leaders share
     * a term, since this one leads no more when the target's campaign can begin. Some voter is
     * always known to have every entry here (the commit was counted on voters' acknowledgements,
     * this replica's own among them only while it was a voter, and then a quorum held more than
     * itself); were none, it would step down all the same and the voters elect at their timeout.
     */
    private void maybeHandOverAsRemoved() {
        if (role != Role.LEADER || promotable() || log.committed() < log.lastIndex()) {
            return;
        }
        long target = NONE;
        long best = -1;
        for (long v : conf.voters()) {
            Progress pr = progress.get(v);
            if (pr != null && pr.match > best) {
                best = pr.match;
                target = v;
            }
        }
        Progress asked = leadTransferee == NONE ? null : progress.get(leadTransferee);
        if (asked != null && asked.match >= log.lastIndex()) {
            target = leadTransferee; // a transfer under way: the same target, not a second campaign
            best = asked.match;
        }
        if (target != NONE && best >= log.lastIndex()) {
            sendTimeoutNow(target);
        }
        becomeFollower(term, NONE);
    }

    // ---------------------------------------------------------------- read index

    private void handleReadIndex(long from, long context) {
        if (!committedInCurrentTerm()) {
            // The commit index may lag the previous leader's: wait for our first commit.
            readsAwaitingCommit.add(new long[] {from, context});
            return;
        }
        if (conf.voters().size() == 1 && conf.voters().contains(id)) {
            releaseRead(from, context, log.committed());
            return;
        }
        PendingRead r = new PendingRead(context, from, log.committed());
        r.acks.add(id);
        pendingReads.addLast(r);
        bcastHeartbeat(context);
    }

    private void ackRead(long context, long from) {
        PendingRead target = null;
        for (PendingRead r : pendingReads) {
            if (r.context == context) {
                target = r;
                break;
            }
        }
        if (target == null) {
            return;
        }
        target.acks.add(from);
        int n = 0;
        for (long a : target.acks) {
            if (conf.voters().contains(a)) {
                n++;
            }
        }
        if (n < quorum()) {
            return;
        }
        // A quorum confirmed our leadership after this request arrived, so also after every earlier one.
        Iterator<PendingRead> it = pendingReads.iterator();
        while (it.hasNext()) {
            PendingRead r = it.next();
            it.remove();
            releaseRead(r.from, r.context, r.index);
            if (r == target) {
                break;
            }
        }
    }

    private void releaseRead(long from, long context, long index) {
        if (from == id) {
            readStates.add(new ReadState(context, index));
        } else {
            send(Message.readIndexResponse(id, from, term, context, index));
        }
    }

    private void sendTimeoutNow(long target) {
        // The target may campaign whenever this arrives, and voters grant it past their lease check.
        leaseRevokedTerm = term;
        send(Message.timeoutNow(id, target, term));
    }

    private void send(Message m) {
        msgs.add(m);
    }

    @Override
    public String toString() {
        return "node " + id + " " + role + " term " + term + " lead " + lead + " last " + log.lastIndex() + "@"
                + log.lastTerm() + " commit " + log.committed() + " applied " + log.applied();
    }
}

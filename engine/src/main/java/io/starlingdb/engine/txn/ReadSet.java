package io.starlingdb.engine.txn;

import io.starlingdb.engine.LimitExceededException;
import io.starlingdb.engine.Limits;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a SERIALIZABLE transaction read, for its validation at commit: the keys it read one by
 * one and the spans it scanned. A scan is recorded whole, however far its cursor got: the
 * validation may refuse more than it must, never less. Bounded by
 * {@link Limits#maxTransactionReads}. Not thread-safe: a transaction belongs to one session.
 */
public final class ReadSet {

    /** A scanned span: keys k with from &lt;= k &lt; to; {@code to} null means the end of the key space. */
    public record Span(byte[] from, byte[] to) {
    }

    private final NavigableSet<byte[]> keys = new TreeSet<>(Arrays::compareUnsigned);
    private final List<Span> spans = new ArrayList<>();
    /** The spans again, compared by content: statements of one transaction often scan one span again. */
    private final Set<List<ByteBuffer>> spanSet = new HashSet<>();

    public void key(byte[] key) {
        if (!keys.contains(key)) {
            check();
            keys.add(key.clone());
        }
    }

    public void span(byte[] from, byte[] to) {
        Span span = new Span(from.clone(), to == null ? null : to.clone());
        List<ByteBuffer> key = Arrays.asList(ByteBuffer.wrap(span.from()), span.to() == null ? null : ByteBuffer.wrap(span.to()));
        if (spanSet.contains(key)) {
            return;
        }
        check();
        spanSet.add(key);
        spans.add(span);
    }

    public NavigableSet<byte[]> keys() {
        return Collections.unmodifiableNavigableSet(keys);
    }

    public List<Span> spans() {
        return Collections.unmodifiableList(spans);
    }

    public boolean isEmpty() {
        return keys.isEmpty() && spans.isEmpty();
    }

    private void check() {
        LimitExceededException.check("maxTransactionReads", Limits.maxTransactionReads, keys.size() + spans.size() + 1L);
    }
}

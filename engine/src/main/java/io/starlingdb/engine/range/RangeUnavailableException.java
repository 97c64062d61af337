package io.starlingdb.engine.range;

/**
 * A request found no replica able to answer before its deadline (no leaseholder elected, the
 * range's nodes unreachable). A write that fails with this did not apply: the gateway only
 * gives up this way when every attempt is known not to have applied.
 */
public final class RangeUnavailableException extends RuntimeException {
    public RangeUnavailableException(String message) {
        super(message);
    }
}

package io.starlingdb.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starlingdb.engine.range.RangeDescriptor;
import io.starlingdb.engine.range.RangeService;
import io.starlingdb.engine.range.RangeUnavailableException;
import io.starlingdb.engine.range.StoreRecord;
import io.starlingdb.server.http.HttpCall;
import io.starlingdb.server.http.HttpReply;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The operator's actions on stores, behind the node's HTTP POST endpoints (the cluster secret
 * is checked before they run): drain a store (placement moves its replicas and leases away),
 * and remove a drained one (marked removed once no range has a replica on it; it never
 * receives one again). Each answers JSON with the store's state and the replicas still on it,
 * so {@code bin/starling cluster remove} can wait and show progress.
 */
final class OperatorActions {

    /** The query parameter naming the store. */
    static final String storeParameter = "store";

    private static final ObjectMapper json = new ObjectMapper();

    private final Supplier<RangeService> ranges;

    OperatorActions(Supplier<RangeService> ranges) {
        this.ranges = ranges;
    }

    /** POST /cluster/stores/drain?store=N. */
    HttpReply drain(HttpCall call) {
        return act(call, false);
    }

    /** POST /cluster/stores/remove?store=N: drains it if not yet, and marks it removed once empty (409 until then). */
    HttpReply remove(HttpCall call) {
        return act(call, true);
    }

    private HttpReply act(HttpCall call, boolean remove) {
        RangeService service = ranges.get();
        if (service == null) {
            return error(404, "this node holds no store (store.id is 0): ask a node of the replicated key space");
        }
        String raw = call.parameter(storeParameter);
        long store;
        try {
            store = Long.parseLong(raw == null ? "" : raw.trim());
        } catch (NumberFormatException e) {
            return error(400, "the store parameter must be a store id (1 to 1000000), got " + (raw == null ? "none" : "'" + raw + "'"));
        }
        if (store < 1 || store > 1_000_000) {
            return error(400, "the store parameter must be a store id (1 to 1000000), got " + store);
        }
        try {
            StoreRecord held = null;
            for (StoreRecord r : service.meta().stores()) {
                if (r.storeId() == store) {
                    held = r;
                }
            }
            if (held == null) {
                return error(404, "store " + store + " is not registered in the cluster");
            }
            if (held.state() == StoreRecord.State.REMOVED) {
                return answer(200, held, 0, null);
            }
            StoreRecord now = service.meta().setState(store, StoreRecord.State.DRAINING);
            long left = replicasOn(service, store);
            if (!remove) {
                return answer(200, now, left, null);
            }
            if (left > 0) {
                return answer(409, now, left, "store " + store + " still holds " + left + " replicas; it is draining (retry"
                        + " once they moved)");
            }
            return answer(200, service.meta().setState(store, StoreRecord.State.REMOVED), 0, null);
        } catch (RangeUnavailableException e) {
            return error(503, "the cluster's meta range did not answer: " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            return error(409, e.getMessage());
        }
    }

    private static long replicasOn(RangeService service, long store) {
        long n = 0;
        for (RangeDescriptor d : service.meta().descriptors()) {
            if (d.conf().isMember(store)) {
                n++;
            }
        }
        return n;
    }

    private static HttpReply answer(int status, StoreRecord record, long replicas, String error) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (error != null) {
            body.put("error", error);
        }
        body.put("store", record.storeId());
        body.put("state", record.state().name().toLowerCase(Locale.ROOT));
        body.put("replicas", replicas);
        return render(status, body);
    }

    private static HttpReply error(int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        return render(status, body);
    }

    private static HttpReply render(int status, Map<String, Object> body) {
        try {
            return HttpReply.json(status, json.writeValueAsString(body) + "\n");
        } catch (JsonProcessingException e) {
            return HttpReply.json(500, "{\"error\":\"cannot render the answer\"}\n");
        }
    }
}

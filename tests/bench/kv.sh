#!/usr/bin/env bash
# The replicated key-value benchmark (docs/ranges.md): three Starling node processes on loopback
# (replication factor 3) through a StarlingClient, next to etcd's three members (puts, the
# etcd.sh measurement) and PostgreSQL 15 with a primary and two synchronous standbys
# (synchronous_standby_names = 'ANY 1 (s1, s2)' by default, single-row upserts), in the same run
# on this machine: puts of 100-byte values, point gets and scans of 100 keys, and two transactional
# workloads (docs/benchmarks.md): `transfer`, SERIALIZABLE transfers between two accounts in
# different ranges (Starling: two-phase commit), and `rmw`, a one-key read-modify-write
# (Starling: one-phase commit), at 1, 16 and 128 clients. Ends with Starling's figures as a ratio
# of PostgreSQL's; exits with 1 if a bank total or a counter total did not add up.
#
#   tests/bench/kv.sh [--seconds S] [--concurrency 1,16,128] [--only starling,etcd,postgres]
#                     [--phases put,get,scan,transfer,rmw] [--pg-sync any1|first2] [--kv-warmup S]
#                     [--warmup S]
#
# --kv-warmup S: unmeasured seconds of each put, get and scan phase at 16 clients before its first
# measured cell, for Starling and PostgreSQL alike (KvBench's default, 15 s: the JIT of four JVMs on
# two cores, and the load-based splits and lease moves the phase's load causes, settle first; 0:
# none, as before 2026-12-06).
#
# --warmup S: unmeasured seconds of each transfer and rmw phase at 16 clients before its first
# measured cell, for both targets (KvBench's default, 30 s since 2026-12-06; it was 3 s). After 3 s
# the node JVMs were still compiling the transaction paths during the one-client cells (the
# compiler threads took 3-4 ms of CPU per transfer on each node, most of the machine): one-client
# transfers ran at 72/s after 20 s of warm-up and 185/s after 60 s when the transfer phase came
# first (docs/benchmarks.md, "Fifteenth session"); use --warmup 60 then.
#
# --pg-sync first2 makes PostgreSQL wait for both standbys ('FIRST 2 (s1, s2)') instead of either
# ('ANY 1 (s1, s2)': a commit on two of the three copies, as a Raft commit on 2 of 3 replicas).
# etcd runs only when the phases include put (it measures puts).
#
# KV_CLIENT_JAVA_OPTS in the environment adds JVM options (split on spaces) to the KvBench client,
# e.g. KV_CLIENT_JAVA_OPTS=-Dstarling.client.spinMicros=200 (a lone waiting thread spins 200 µs first).
#
# Installs etcd and PostgreSQL 15 from Debian's packages when they are missing (needs root).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER=10
CONC="1,16,128"
ONLY="starling,etcd,postgres"
PHASES="put,get,scan,transfer,rmw"
PG_SYNC=any1
KV_WARMUP=()
TXN_WARMUP=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    --concurrency) CONC="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --phases) PHASES="$2"; shift 2 ;;
    --pg-sync) PG_SYNC="$2"; shift 2 ;;
    --kv-warmup) KV_WARMUP=(--kv-warmup "$2"); shift 2 ;;
    --warmup) TXN_WARMUP=(--warmup "$2"); shift 2 ;;
    *) echo "kv.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$PG_SYNC" in
  any1) PG_SYNC_NAMES="ANY 1 (s1, s2)" ;;
  first2) PG_SYNC_NAMES="FIRST 2 (s1, s2)" ;;
  *) echo "kv.sh: --pg-sync is any1 or first2, not $PG_SYNC" >&2; exit 2 ;;
esac

# shellcheck source=lib.sh
. "$ROOT/tests/bench/lib.sh"
bench_init kv.sh

echo "# building (skipping tests)..." >&2
if ! (cd "$ROOT" && mvn -q -B -DskipTests package -pl server,testkit -am >"$WORK/build.log" 2>&1); then
  echo "kv.sh: the build failed; its output:" >&2; cat "$WORK/build.log" >&2; exit 1
fi
SERVER_CP="$ROOT/server/target/classes:$ROOT/server/target/lib/*"
TESTKIT_CP="$ROOT/testkit/target/classes:$ROOT/testkit/target/lib/*"
RESULTS="$WORK/results.txt"
: > "$RESULTS"
FAILED=0
# Runs KvBench, keeping its rows for the ratio table; a failed check fails the script at the end.
bench() {
  echo "# $2: load average $(cut -d' ' -f1-3 /proc/loadavg) (2 cores)"
  # shellcheck disable=SC2086 # KV_CLIENT_JAVA_OPTS: options for the client JVM alone, split on spaces
  java -Xmx2g ${KV_CLIENT_JAVA_OPTS:-} -Dlogback.configurationFile="$ROOT/conf/logback-cli.xml" -cp "$TESTKIT_CP" \
    io.starlingdb.testkit.bench.KvBench --seconds "$SECONDS_PER" --concurrency "$CONC" --phases "$PHASES" "${KV_WARMUP[@]}" "${TXN_WARMUP[@]}" "$@" \
    | tee -a "$RESULTS" || FAILED=1
}

if [[ ",$ONLY," == *",starling,"* ]]; then
  declare -a PEER HTTP
  for i in 1 2 3; do PEER[$i]=$(free_port); HTTP[$i]=$(free_port); done
  for i in 1 2 3; do
    join="127.0.0.1:${PEER[$(( i == 1 ? 2 : 1 ))]}"
    java -Xmx2g -Dlogback.configurationFile="$ROOT/conf/logback.xml" -cp "$SERVER_CP" io.starlingdb.server.NodeMain start \
      --node-id "n$i" --data-dir "$WORK/n$i" --client-port 0 --http-port "${HTTP[$i]}" --peer-port "${PEER[$i]}" \
      --join "$join" --store-id "$i" --store-initial-members 1,2,3 > "$WORK/n$i.log" 2>&1 &
    PIDS+=($!)
  done
  # The peer port too: the client joins through it, and a node opens it only after its SQL warm-up,
  # which took 30 s at load 17 while the HTTP port was already open (the client, allowed 15 s to
  # find a store, gave up).
  for i in 1 2 3; do
    deadline=$((SECONDS + 120))
    until (exec 3<>"/dev/tcp/127.0.0.1/${HTTP[$i]}") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/${PEER[$i]}") 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || { echo "kv.sh: node $i did not start; its log:" >&2; cat "$WORK/n$i.log" >&2; exit 1; }
      sleep 0.2
    done
  done
  bench --label starling --seeds "127.0.0.1:${PEER[1]},127.0.0.1:${PEER[2]},127.0.0.1:${PEER[3]}"
  if ! grep -q '^starling ' "$RESULTS"; then
    for i in 1 2 3; do echo "# node $i, last lines of its log:" >&2; tail -n 15 "$WORK/n$i.log" >&2; done
  fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  PIDS=()
fi

if [[ ",$ONLY," == *",etcd,"* && ",$PHASES," == *",put,"* ]]; then
  "$ROOT/tests/bench/etcd.sh" --seconds "$SECONDS_PER" --concurrency "$CONC"
fi

if [[ ",$ONLY," == *",postgres,"* ]]; then
  start_pg_with_standbys "$PG_SYNC_NAMES"
  bench --label postgres --jdbc "jdbc:postgresql://127.0.0.1:$P0/postgres" --user postgres
fi

echo
echo "# Starling / PostgreSQL 15 with two synchronous standbys ('$PG_SYNC_NAMES'), same run; ab: aborts (40001, retried)"
awk '$1 == "starling" || $1 == "postgres" { k = $2 " " $3; ops[$1, k] = $4; lat[$1, k] = $5 " / " $6; ab[$1, k] = $8
       if (!(k in seen)) { seen[k] = 1; order[++n] = k } }
     END { printf "%-9s %-8s %28s %28s %8s\n", "phase", "clients", "starling ops/s (p50/p99 ms) ab", "postgres ops/s (p50/p99 ms) ab", "ratio"
           for (i = 1; i <= n; i++) { k = order[i]; split(k, pc, " ")
             if (ops["starling", k] == "" || ops["postgres", k] == "") continue
             printf "%-9s %-8s %28s %28s %7.2fx\n", pc[1], pc[2],
               sprintf("%.0f (%s) %s", ops["starling", k], lat["starling", k], ab["starling", k]),
               sprintf("%.0f (%s) %s", ops["postgres", k], lat["postgres", k], ab["postgres", k]),
               (ops["postgres", k] > 0 ? ops["starling", k] / ops["postgres", k] : 0) } }' "$RESULTS"
grep '^# check' "$RESULTS" || true
if [ "$FAILED" != 0 ]; then
  echo "kv.sh: a check failed or a benchmark run failed (see above)" >&2
  exit 1
fi

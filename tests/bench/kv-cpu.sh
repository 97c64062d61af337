#!/usr/bin/env bash
# CPU time per operation of the replicated key-value store (docs/ranges.md, "What a put and a get
# cost in CPU"): three Starling node processes on loopback and a KvBench client, as kv.sh runs
# them; for each phase, every process's CPU time (user + system, from /proc) over a window inside
# the timed run, divided by the operations done in it, and the same per thread kind (Raft driver,
# network event loops, GC, ...), and each node's RocksDB writes and WAL fsyncs per operation (its
# /metrics). CPU per operation moves much less with the machine's load than throughput does.
#
#   tests/bench/kv-cpu.sh [--seconds S] [--clients C] [--phases put,get] [--jfr DIR] [--perf DIR] [--syscalls]
#
# Each phase runs twice and the second round is measured: the first warms the JIT (its compiler
# threads took a third of the CPU of a first round).
#
# --jfr DIR records each node and the client with Java Flight Recorder (the profile settings, an
# execution sample every millisecond) into DIR/n<i>.jfr and DIR/client.jfr, the whole run; read
# with `jfr print --events jdk.ExecutionSample DIR/n1.jfr` or `jfr summary`.
#
# --perf DIR samples the four processes with Linux perf during each measured window, kernel and
# native code included (JFR sees neither), into DIR/<phase>.data; the JVMs keep frame pointers and
# write /tmp/perf-<pid>.map when they exit, so `perf report -i DIR/put.data --sort dso,sym` names
# JIT-compiled Java methods too.
#
# KV_CLIENT_JAVA_OPTS and KV_NODE_JAVA_OPTS in the environment add JVM options (split on spaces) to
# the client and to the three nodes, e.g. KV_CLIENT_JAVA_OPTS=-Dstarling.client.spinMicros=200 for an
# A/B of one build.
#
# --syscalls counts each process's system calls during each measured window with perf's syscall
# tracepoints (socket reads and writes, epoll waits, futex: thread wake-ups and parks, eventfd
# writes: event-loop wake-ups show as 8-byte writes) and prints them per operation.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SECONDS_PER=12
CLIENTS=16
PHASES="put,get"
JFR_DIR=""
PERF_DIR=""
SYSCALLS=""
JAVA_DIAG=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --phases) PHASES="$2"; shift 2 ;;
    --jfr) JFR_DIR=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --perf) PERF_DIR=$(mkdir -p "$2" && cd "$2" && pwd); shift 2
      JAVA_DIAG=(-XX:+PreserveFramePointer -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit) ;;
    --syscalls) SYSCALLS=1; shift ;;
    *) echo "kv-cpu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$SECONDS_PER" -lt 7 ]; then
  echo "kv-cpu.sh: --seconds must be at least 7 (the window leaves 2 s at each end)" >&2; exit 2
fi

# shellcheck source=lib.sh
. "$ROOT/tests/bench/lib.sh"
bench_init kv-cpu.sh

echo "# building (skipping tests)..." >&2
if ! (cd "$ROOT" && mvn -q -B -DskipTests package -pl server,testkit -am >"$WORK/build.log" 2>&1); then
  echo "kv-cpu.sh: the build failed; its output:" >&2; cat "$WORK/build.log" >&2; exit 1
fi
SERVER_CP="$ROOT/server/target/classes:$ROOT/server/target/lib/*"
TESTKIT_CP="$ROOT/testkit/target/classes:$ROOT/testkit/target/lib/*"

if [ -n "$JFR_DIR" ]; then
  JFC=$(jfr_settings)
fi
declare -a PEER HTTP
for i in 1 2 3; do PEER[$i]=$(free_port); HTTP[$i]=$(free_port); done
for i in 1 2 3; do
  join="127.0.0.1:${PEER[$(( i == 1 ? 2 : 1 ))]}"
  jfr=()
  [ -z "$JFR_DIR" ] || jfr=("-XX:StartFlightRecording=settings=$JFC,filename=$JFR_DIR/n$i.jfr,dumponexit=true")
  # shellcheck disable=SC2086 # KV_NODE_JAVA_OPTS: options for the node JVMs, split on spaces
  java -Xmx2g "${jfr[@]}" "${JAVA_DIAG[@]}" ${KV_NODE_JAVA_OPTS:-} -Dlogback.configurationFile="$ROOT/conf/logback.xml" -cp "$SERVER_CP" io.starlingdb.server.NodeMain start \
    --node-id "n$i" --data-dir "$WORK/n$i" --client-port 0 --http-port "${HTTP[$i]}" --peer-port "${PEER[$i]}" \
    --join "$join" --store-id "$i" --store-initial-members 1,2,3 > "$WORK/n$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 1 2 3; do
  deadline=$((SECONDS + 120))
  until (exec 3<>"/dev/tcp/127.0.0.1/${HTTP[$i]}") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/${PEER[$i]}") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "kv-cpu.sh: node $i did not start; its log:" >&2; cat "$WORK/n$i.log" >&2; exit 1; }
    sleep 0.2
  done
done

jfr=()
[ -z "$JFR_DIR" ] || jfr=("-XX:StartFlightRecording=settings=$JFC,filename=$JFR_DIR/client.jfr,dumponexit=true")
# shellcheck disable=SC2086 # KV_CLIENT_JAVA_OPTS: options for the client JVM alone, split on spaces
java -Xmx2g "${jfr[@]}" "${JAVA_DIAG[@]}" ${KV_CLIENT_JAVA_OPTS:-} -Dlogback.configurationFile="$ROOT/conf/logback-cli.xml" -cp "$TESTKIT_CP" io.starlingdb.testkit.bench.KvBench \
  --seeds "127.0.0.1:${PEER[1]},127.0.0.1:${PEER[2]},127.0.0.1:${PEER[3]}" --seconds "$SECONDS_PER" \
  --concurrency "$CLIENTS" --phases "$PHASES,$PHASES" > "$WORK/bench.txt" 2>"$WORK/bench.err" &
CLIENT=$!
PIDS+=("$CLIENT")

# CPU ticks of every thread of a process, summed by thread name with its digits dropped
# ("raft-node-2" -> "raft-node-", "GC Thread#0" -> "GC Thread#"), and the whole process.
snapshot() {
  python3 - "$1" "${PIDS[@]}" <<'PY'
import glob, re, sys
with open(sys.argv[1], "w") as out:
    for pid in sys.argv[2:]:
        for stat in glob.glob(f"/proc/{pid}/task/*/stat"):
            try:
                s = open(stat).read()
            except OSError:
                continue
            # comm sits in parentheses and may hold spaces; utime and stime are fields 12 and 13 after it.
            name = re.sub(r"[0-9]", "", s[s.index("(") + 1:s.rindex(")")]).replace(" ", "_")
            f = s[s.rindex(")") + 2:].split()
            out.write(f"{pid} {name} {int(f[11])} {int(f[12])}\n")
PY
}

# Each node's RocksDB writes and WAL fsyncs so far (its /metrics): "n<i> writes syncs".
storage_counters() {
  : > "$1"
  for i in 1 2 3; do
    curl -s "http://127.0.0.1:${HTTP[$i]}/metrics" | awk -v n="n$i" '
      /^starling_storage_writes_total / { w = $2 } /^starling_storage_wal_syncs_total / { s = $2 }
      END { printf "%s %d %d\n", n, w, s }' >> "$1"
  done
}

until grep -q '^target' "$WORK/bench.txt" 2>/dev/null; do
  kill -0 "$CLIENT" 2>/dev/null || { echo "kv-cpu.sh: KvBench ended early:" >&2; cat "$WORK/bench.err" >&2; exit 1; }
  sleep 0.1
done
HZ=$(getconf CLK_TCK)
WINDOW=$((SECONDS_PER - 4))
IFS=, read -r -a PHASE_LIST <<< "$PHASES"
# KvBench runs each phase for 1 s of warm-up and then the timed seconds; the window of the second
# round skips 2 s at the start and 2 s at the end, timed from when the header appeared.
T0=$(date +%s.%N)
at() { sleep "$(python3 -c "import time; print(max(0, $T0 + $1 - time.time()))")"; }
PHASE_LEN=$((SECONDS_PER + 1))
N=${#PHASE_LIST[@]}
for k in "${!PHASE_LIST[@]}"; do
  phase=${PHASE_LIST[$k]}
  start=$(( (N + k) * PHASE_LEN ))
  at $((start + 3))
  snapshot "$WORK/before.$phase"
  storage_counters "$WORK/storage-before.$phase"
  echo "load $(cut -d' ' -f1 /proc/loadavg)" > "$WORK/load.$phase"
  if [ -n "$PERF_DIR" ]; then
    perf record -q -e cpu-clock -F 499 -g -o "$PERF_DIR/$phase.data" -p "$(IFS=,; echo "${PIDS[*]}")" -- sleep "$WINDOW" \
      >/dev/null 2>&1 &
  fi
  if [ -n "$SYSCALLS" ]; then
    for idx in 0 1 2 3; do
      perf stat -x, -o "$WORK/syscalls.$phase.$idx" $(for c in read readv recvfrom write writev sendto sendmsg \
          epoll_wait epoll_pwait epoll_pwait2 futex fdatasync; do printf -- '-e syscalls:sys_enter_%s ' "$c"; done) \
        -p "${PIDS[$idx]}" -- sleep "$WINDOW" >/dev/null 2>&1 &
    done
  fi
  at $((start + 3 + WINDOW))
  snapshot "$WORK/after.$phase"
  storage_counters "$WORK/storage-after.$phase"
done
wait "$CLIENT" || { echo "kv-cpu.sh: KvBench failed:" >&2; cat "$WORK/bench.err" >&2; exit 1; }
cat "$WORK/bench.txt"

# The groups each node led last (of the "node N leads group G" lines of the three logs, the latest per group).
role() {
  for j in 1 2 3; do grep -h 'leads group' "$WORK/n$j.log" | grep -v 'no longer' | sed "s/^/n$j /"; done \
    | sort -k2 | awk '{ for (f = 1; f < NF; f++) if ($f == "group") last[$(f + 1)] = $1 }
        END { for (g in last) if (last[g] == "n'"$1"'") printf "g%s ", g }'; true
}
for phase in "${PHASE_LIST[@]}"; do
  # The second round's figure.
  ops_per_s=$(awk -v p="$phase" '$1 == "starling" && $2 == p { v = $4 } END { print v }' "$WORK/bench.txt")
  echo
  echo "# $phase at $CLIENTS clients: $ops_per_s ops/s, CPU over a ${WINDOW} s window ($(cat "$WORK/load.$phase")); us/op user+system (system)"
  for idx in 0 1 2 3; do
    pid=${PIDS[$idx]}
    if [ "$idx" = 3 ]; then label="client"; else label="n$((idx + 1)) leads: $(role $((idx + 1)))"; fi
    awk -v pid="$pid" -v hz="$HZ" -v ops="$ops_per_s" -v w="$WINDOW" -v label="$label" '
      FILENAME == ARGV[1] { if ($1 == pid) { bu[$2] += $3; bs[$2] += $4 } next }
      $1 == pid { au[$2] += $3; as[$2] += $4 }
      END {
        n = ops * w; total = 0; sys = 0
        for (k in au) { d[k] = au[k] + as[k] - bu[k] - bs[k]; s[k] = as[k] - bs[k]; total += d[k]; sys += s[k] }
        printf "%-28s %8.1f us/op (%5.1f) %.2f cores\n", label, total / hz * 1e6 / n, sys / hz * 1e6 / n, total / hz / w
        for (k in d) if (d[k] / hz * 1e6 / n >= 1) printf "    %-24s %8.1f us/op (%5.1f)\n", k, d[k] / hz * 1e6 / n, s[k] / hz * 1e6 / n
      }' "$WORK/before.$phase" "$WORK/after.$phase" | { read -r head; echo "$head"; sort -k2 -n -r; }
  done
  awk -v ops="$ops_per_s" -v w="$WINDOW" 'FILENAME == ARGV[1] { w0[$1] = $2; s0[$1] = $3; next }
    { printf "%s: %.2f RocksDB writes and %.2f WAL fsyncs per op\n", $1, ($2 - w0[$1]) / (ops * w), ($3 - s0[$1]) / (ops * w) }' \
    "$WORK/storage-before.$phase" "$WORK/storage-after.$phase"
  if [ -n "$SYSCALLS" ]; then
    sleep 1
    echo "system calls per op (perf stat over the window):"
    for idx in 0 1 2 3; do
      if [ "$idx" = 3 ]; then label="client"; else label="n$((idx + 1))"; fi
      awk -F, -v ops="$ops_per_s" -v w="$WINDOW" -v label="$label" '
        $3 ~ /sys_enter_/ && $1 ~ /^[0-9]+$/ { sub(/.*sys_enter_/, "", $3); if ($1 > 0) line = line sprintf(" %s %.2f", $3, $1 / (ops * w)) }
        END { printf "  %-7s%s\n", label, line }' "$WORK/syscalls.$phase.$idx" 2>/dev/null || true
    done
  fi
done

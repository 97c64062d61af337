#!/usr/bin/env bash
# CPU time per SQL statement on a three-node cluster (issue 12; docs/cluster.md, "Point
# statements: where the time goes"): three Starling node processes with SQL on the replicated key
# space and a JdbcBench client, as `bin/starling bench compare --cluster 3` runs them; for each
# timed phase, every process's CPU time (user + system, from /proc) over a window inside the
# measured seconds, divided by the statements done in it, and the same per thread kind (SQL
# threads, network event loops, Raft, GC, ...). Throughput on 2 shared cores is CPU per statement
# summed over the four processes; CPU per statement moves much less with the load than
# throughput does.
#
#   tests/bench/sql-cpu.sh [--rows N] [--threads T] [--seconds S] [--warmup S] [--phases point,update]
#                          [--gateways url,leaseholder,other,spread] [--jfr DIR] [--no-build]
#
# The phase "idle" runs no statements: it reports each process's cores over a window of
# --seconds - 4 with the rows loaded and no client (the nodes' background: Raft ticks and
# heartbeats, SWIM, the catalog refresh, the lease balancer), which the other phases' figures
# include, spread over their statements.
#
# Each timed phase is its own JdbcBench run (after one that loads the rows), so the window is
# known: it starts 2 s after the warm-up and ends 2 s before the phase does.
#
# --gateways: each timed phase runs once per gateway named: "url" with the URL compare.sh gives
# (n1,n2,n3: the driver connects every connection to the first that answers, n1), "leaseholder"
# with the node holding the lease of the bench table's range first (every statement read at the
# gateway's own store), "other" with a node that does not hold it first (every statement sent on
# to the leaseholder), "spread" with the URL of "url" and loadBalanceHosts=true (the driver starts
# each connection at the next node in turn: a third of the connections on each node). Default: url.
#
# --jfr DIR records each node (DIR/n<i>.jfr, the whole run) and each phase's client
# (DIR/<phase>-client.jfr) with Java Flight Recorder, the profile settings; the script prints each
# window's wall-clock times, and tests/bench/jfr-top.py DIR/n1.jfr --from HH:MM:SS --to HH:MM:SS
# sums the samples inside a window by method. (Attaching jcmd at the window's edges took over 10 s
# under load.)
#
# SQL_NODE_JAVA_OPTS and SQL_CLIENT_JAVA_OPTS in the environment add JVM options (split on spaces)
# to the three nodes and to the bench client, e.g. SQL_NODE_JAVA_OPTS="-XX:+PreserveFramePointer
# -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit" to sample a node with Linux perf.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROWS=10000
THREADS=16
SECONDS_PER=12
WARMUP=20
PHASES="point,update"
GATEWAYS="url"
JFR_DIR=""
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --seconds) SECONDS_PER="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --phases) PHASES="$2"; shift 2 ;;
    --gateways) GATEWAYS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --jfr) JFR_DIR=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    *) echo "sql-cpu.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$SECONDS_PER" -lt 7 ]; then
  echo "sql-cpu.sh: --seconds must be at least 7 (the window leaves 2 s at each end)" >&2; exit 2
fi

# shellcheck source=lib.sh
. "$ROOT/tests/bench/lib.sh"
bench_init sql-cpu.sh

[ "$BUILD" = 0 ] || echo "# building (skipping tests)..." >&2
(cd "$ROOT" && { [ "$BUILD" = 0 ] || mvn -q -B -DskipTests install >"$WORK/build.log" 2>&1; } \
  && mvn -q -B -o -pl tests dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >>"$WORK/build.log" 2>&1) || {
  echo "sql-cpu.sh: the build failed; its output:" >&2; cat "$WORK/build.log" >&2; exit 1; }
# The project's own modules from this tree's target/classes, not the jars in ~/.m2 that the class
# path names: every `mvn install` on the machine (another worktree's, another engineer's) replaces
# those, so a run could measure someone else's code.
CP="$ROOT/tests/target/classes:$(tr ':' '\n' < "$WORK/cp.txt" | sed -E \
  -e "s#^.*/io/starlingdb/starling-(cluster-network|engine|server|shell|sql|testkit)/[^/]*/[^/]*\.jar\$#$ROOT/\1/target/classes#" \
  -e "s#^.*/io/starlingdb/starling-jdbc/[^/]*/[^/]*\.jar\$#$ROOT/jdbc-driver/target/classes#" | paste -sd:)"
SHELL_CP="$ROOT/shell/target/classes:$ROOT/shell/target/lib/*"

if [ -n "$JFR_DIR" ]; then
  JFC=$(jfr_settings)
fi
declare -a PEER HTTP CLIENT
for i in 1 2 3; do PEER[$i]=$(free_port); HTTP[$i]=$(free_port); CLIENT[$i]=$(free_port); done
for i in 1 2 3; do
  jfr=()
  [ -z "$JFR_DIR" ] || jfr=("-XX:StartFlightRecording=settings=$JFC,filename=$JFR_DIR/n$i.jfr,dumponexit=true")
  # shellcheck disable=SC2086 # SQL_NODE_JAVA_OPTS: options for the node JVMs, split on spaces
  java -Xmx2g "${jfr[@]}" ${SQL_NODE_JAVA_OPTS:-} -Dlogback.configurationFile="$ROOT/conf/logback.xml" -cp "$CP" io.starlingdb.server.NodeMain start \
    --node-id "n$i" --data-dir "$WORK/n$i" --client-port "${CLIENT[$i]}" --http-port "${HTTP[$i]}" --peer-port "${PEER[$i]}" \
    --join "127.0.0.1:${PEER[$(( i == 1 ? 2 : 1 ))]}" --store-id "$i" --store-initial-members 1,2,3 \
    --sql-storage cluster > "$WORK/n$i.log" 2>&1 &
  PIDS+=($!)
done
for i in 1 2 3; do
  await_health "${HTTP[$i]}" 180 || { cat "$WORK/n$i.log" >&2; exit 1; }
done
URL="jdbc:starling://127.0.0.1:${CLIENT[1]},127.0.0.1:${CLIENT[2]},127.0.0.1:${CLIENT[3]}/"
bench() { # url jfr-file|"" args...: in the foreground, or as its own process (the java's pid) with &
  local url=$1 jfr=()
  [ -z "$2" ] || jfr=("-XX:StartFlightRecording=settings=$JFC,filename=$2,dumponexit=true")
  shift 2
  # shellcheck disable=SC2086 # SQL_CLIENT_JAVA_OPTS: options for the client JVM, split on spaces
  exec java -Xmx2g "${jfr[@]}" ${SQL_CLIENT_JAVA_OPTS:-} -cp "$CP" io.starlingdb.testkit.bench.JdbcBench --label starling --url "$url" --rows "$ROWS" "$@"
}
(bench "$URL" "" --phases load) | tail -n 1

# Who serves what: the ranges' leaseholders (store i is node n<i>); the bench table is in the last range.
ranges() {
  java -cp "$SHELL_CP" -Dlogback.configurationFile="$ROOT/conf/logback-cli.xml" io.starlingdb.shell.StarlingCli sql \
    --url "jdbc:starling://127.0.0.1:${CLIENT[1]}/" -e "SELECT range_id, start_key, end_key, leaseholder FROM sys.ranges" 2>&1 || true
}
gateway_url() { # url|leaseholder|other|spread
  local lh first
  lh=$(ranges | awk -F'|' '$3 ~ /\/max/ { gsub(/ /, "", $4); print $4 }' | tail -n 1)
  if [ "$1" = spread ]; then
    echo "$URL?loadBalanceHosts=true n1,n2,n3 (leaseholder n$lh)"
    return
  fi
  case "$1" in
    url) first=1 ;;
    leaseholder) first=$lh ;;
    other) first=$(( lh == 1 ? 2 : 1 )) ;;
    *) echo "sql-cpu.sh: --gateways takes url, leaseholder, other, spread, not $1" >&2; exit 2 ;;
  esac
  echo "jdbc:starling://127.0.0.1:${CLIENT[$first]}/ n$first (leaseholder n$lh)"
}
ranges

# CPU ticks of every thread of a process, summed by thread name with its digits dropped
# ("sql-7" -> "sql-", "GC Thread#0" -> "GC Thread#"): "pid name user system" lines.
snapshot() {
  python3 - "$@" <<'PY'
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

# The nodes' step meters (docs/cluster.md, "Where an auto-commit UPDATE's time goes"): each node's
# statements handed to SQL threads (queued, ran, handed back) and the steps of the transactions it
# coordinates (starling_txn_steps), as "node name count seconds" lines.
steps() {
  local i
  for i in 1 2 3; do
    (exec 3<>"/dev/tcp/127.0.0.1/${HTTP[$i]}" && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3) 2>/dev/null \
      | awk -v n="n$i" '
          /^starling_clients_sql_[a-z]+_total / { k = $1; sub(/^starling_clients_sql_/, "", k); sub(/_total$/, "", k); c[k] = $2; seen[k] = 1 }
          /^starling_clients_sql_[a-z]+_seconds_total / { k = $1; sub(/^starling_clients_sql_/, "", k); sub(/_seconds_total$/, "", k); t[k] = $2 }
          /^starling_txn_steps_total\{/ { k = $1; sub(/.*step="/, "", k); sub(/".*/, "", k); c[k] = $2; seen[k] = 1 }
          /^starling_txn_steps_seconds_total\{/ { k = $1; sub(/.*step="/, "", k); sub(/".*/, "", k); t[k] = $2 }
          END { for (k in seen) print n, k, c[k], t[k] }' || true
  done > "$1"
}
# Each node's steps over the window: per statement (count / statements) and mean ms.
step_report() { # before after statements
  awk -v ops="$3" 'FILENAME == ARGV[1] { bc[$1" "$2] = $3; bt[$1" "$2] = $4; next }
    { d = $3 - bc[$1" "$2]; if (d > 0) printf "    %s %-18s %7.3f per statement, mean %7.3f ms\n", $1, $2, d / ops, ($4 - bt[$1" "$2]) * 1e3 / d }' \
    "$1" "$2" | sort
}

HZ=$(getconf CLK_TCK)
WINDOW=$((SECONDS_PER - 4))
IFS=, read -r -a PHASE_LIST <<< "$PHASES"
IFS=, read -r -a GATEWAY_LIST <<< "$GATEWAYS"
for phase in "${PHASE_LIST[@]}"; do
for gateway in "${GATEWAY_LIST[@]}"; do
  read -r gw_url gw_node gw_lh gw_lh_node <<< "$(gateway_url "$gateway")"
  T0=$(date +%s.%N)
  at() { sleep "$(python3 -c "import time; print(max(0, $T0 + $1 - time.time()))")"; }
  if [ "$phase" = idle ]; then
    (exec sleep $((WARMUP + SECONDS_PER))) &
    client=$!
    printf 'starling   idle %15.1f\n' 1 > "$WORK/bench.$phase"
    : > "$WORK/bench.$phase.err"
  else
    bench "$gw_url" "${JFR_DIR:+$JFR_DIR/$phase-$gateway-client.jfr}" --phases "$phase" --warmup "$WARMUP" --seconds "$SECONDS_PER" --threads "$THREADS" > "$WORK/bench.$phase" 2>"$WORK/bench.$phase.err" &
    client=$!
  fi
  at $((WARMUP + 2))
  from=$(date +%H:%M:%S)
  load=$(cut -d' ' -f1 /proc/loadavg)
  t_from=$(date +%s.%N)
  steps "$WORK/steps-before.$phase"
  snapshot "$WORK/before.$phase" "${PIDS[@]}" "$client"
  at $((WARMUP + 2 + WINDOW))
  snapshot "$WORK/after.$phase" "${PIDS[@]}" "$client"
  steps "$WORK/steps-after.$phase"
  t_to=$(date +%s.%N)
  to=$(date +%H:%M:%S)
  # The window as it was (a loaded machine runs the snapshots late), at most the measured seconds.
  window=$(python3 -c "print(min($SECONDS_PER, $t_to - $t_from))")
  wait "$client" || { echo "sql-cpu.sh: JdbcBench failed:" >&2; cat "$WORK/bench.$phase.err" >&2; exit 1; }
  grep -v '^#' "$WORK/bench.$phase" | tail -n 1
  [ -s "$WORK/bench.$phase.err" ] && head -n 3 "$WORK/bench.$phase.err"
  ops_per_s=$(awk -v p="$phase" '$1 == "starling" && $2 == p { print $3 }' "$WORK/bench.$phase")
  echo
  echo "# $phase at $THREADS threads, gateway $gateway: $gw_node $gw_lh $gw_lh_node; $ops_per_s statements/s, CPU over a ${window} s window, $from-$to (load $load); us/statement user+system (system)"
  all=("${PIDS[@]}" "$client")
  for idx in 0 1 2 3; do
    pid=${all[$idx]}
    if [ "$idx" = 3 ]; then label="client"; else label="n$((idx + 1))"; fi
    awk -v pid="$pid" -v hz="$HZ" -v ops="$ops_per_s" -v w="$window" -v label="$label" '
      FILENAME == ARGV[1] { if ($1 == pid) { bu[$2] += $3; bs[$2] += $4 } next }
      $1 == pid { au[$2] += $3; as[$2] += $4 }
      END {
        n = ops * w; total = 0; sys = 0
        for (k in au) { d[k] = au[k] + as[k] - bu[k] - bs[k]; s[k] = as[k] - bs[k]; total += d[k]; sys += s[k] }
        printf "%-28s %8.1f us (%5.1f) %.2f cores\n", label, total / hz * 1e6 / n, sys / hz * 1e6 / n, total / hz / w
        for (k in d) if (d[k] / hz * 1e6 / n >= 1) printf "    %-24s %8.1f us (%5.1f)\n", k, d[k] / hz * 1e6 / n, s[k] / hz * 1e6 / n
      }' "$WORK/before.$phase" "$WORK/after.$phase" | { read -r head; echo "$head"; sort -k2 -n -r; }
  done
  awk -v hz="$HZ" -v ops="$ops_per_s" -v w="$window" '
    FILENAME == ARGV[1] { b += $3 + $4; next } { a += $3 + $4 }
    END { printf "all four processes: %.1f us per statement\n", (a - b) / hz * 1e6 / (ops * w) }' \
    "$WORK/before.$phase" "$WORK/after.$phase"
  echo "steps over the window (SQL threads: queued, ran, handed back; then the transactions' steps):"
  step_report "$WORK/steps-before.$phase" "$WORK/steps-after.$phase" "$(python3 -c "print($ops_per_s * $window)")"
  # The lease balancer may move the table's lease during a phase; and since 2026-12-05 a point read
  # at the leaseholder is answered on the event loop (docs/cluster.md): how many, by node, so far.
  ranges | grep -E '^ *[0-9]+ *\|' | sed 's/^/    after the phase: /' || true
  lh_after=$(ranges | awk -F'|' '$3 ~ /\/max/ { gsub(/ /, "", $4); print $4 }' | tail -n 1)
  on_loop=""
  for i in 1 2 3; do
    n=$( (exec 3<>"/dev/tcp/127.0.0.1/${HTTP[$i]}" && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3) 2>/dev/null \
      | awk '/^starling_clients_statements_eventloop_total/ { print $2 }' || true)
    on_loop+=" n$i ${n:-none}"
  done
  echo "leaseholder after the phase: n$lh_after; statements answered on the event loop so far:$on_loop"
done
done

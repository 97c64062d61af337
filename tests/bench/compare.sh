#!/usr/bin/env bash
# Runs the JDBC benchmark against Starling, PostgreSQL 15 and H2 (server mode) on this
# machine, one after the other, with the same statements, rows and threads, and prints a
# table of ops/s and p50/p99 latency per phase plus Starling's ratio to each peer.
#
#   tests/bench/compare.sh [--rows N] [--threads T] [--seconds S] [--warmup S] [--distinct N] [--phases P,...]
#                            [--only starling,postgres,h2] [--cluster 3] [--no-build]
#
# PostgreSQL runs with its default durable settings (fsync=on, synchronous_commit=on) in a
# temporary cluster; H2 runs as a TCP server with its default settings. Installs
# PostgreSQL 15 from Debian's packages when it is missing (needs root).
#
# --cluster 3: Starling is three node processes with SQL on the replicated key space
# (sql.storage=cluster, replication factor 3), the driver given all three addresses; PostgreSQL is
# a primary with two synchronous standbys (synchronous_standby_names = 'ANY 1 (s1, s2)': a commit
# on two of three copies, as a Raft commit); H2, which has no replication, is left out.
#
# --no-build: measure the classes already built in this tree (mvn -o package -DskipTests), without
# `mvn install`: a worktree sharing ~/.m2 with other sessions must not install its jars there.
#
# NODE_JAVA_OPTS (environment): extra JVM options for Starling's node processes only (not the
# bench client, not H2), e.g. NODE_JAVA_OPTS="-XX:+UseParallelGC -Xlog:gc:file=/tmp/gc.log" to try
# a collector through JDBC, as bin/starling start takes JAVA_OPTS. Split on spaces.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ONLY="starling,postgres,h2"
CLUSTER=1
BENCH_ARGS=()
WARMUP_GIVEN=0
BUILD=1
# Unmeasured seconds before each timed phase with --cluster 3 when --warmup is not given: three
# node JVMs share 2 cores, and their JIT needs more than the single node's 6 s (a point phase
# repeated right after a 6 s warm-up ran 1.7-2x faster the second time, docs/benchmarks.md).
CLUSTER_WARMUP_SECONDS=20
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="$2"; shift 2 ;;
    --cluster) CLUSTER="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --warmup) WARMUP_GIVEN=1; BENCH_ARGS+=("$1" "$2"); shift 2 ;;
    --rows|--threads|--seconds|--phases|--distinct) BENCH_ARGS+=("$1" "$2"); shift 2 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

case "$CLUSTER" in
  1) ;;
  3) ONLY=$(echo ",$ONLY," | sed 's/,h2,/,/; s/^,//; s/,$//')
     [ "$WARMUP_GIVEN" = 1 ] || BENCH_ARGS+=(--warmup "$CLUSTER_WARMUP_SECONDS") ;;
  *) echo "compare.sh: --cluster is 3 (or 1, one node), not $CLUSTER" >&2; exit 2 ;;
esac

# shellcheck source=lib.sh
. "$ROOT/tests/bench/lib.sh"
bench_init compare.sh

if [ "$BUILD" = 1 ]; then
  echo "# building (skipping tests)..."
  # Maven's output goes to stderr, not away: a failed build must say why (issue 13: no silent exit 1).
  (cd "$ROOT" && mvn -q -B -DskipTests install >&2) || {
    echo "compare.sh: building failed (mvn -B -DskipTests install shows why)" >&2; exit 1; }
fi
(cd "$ROOT" && mvn -q -B -o -pl tests dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" >&2) || {
  echo "compare.sh: the tests module's class path could not be resolved (mvn -B -pl tests dependency:build-classpath shows why)" >&2
  exit 1; }
# The project's own modules from this tree's target/classes, not the jars in ~/.m2 that the class
# path names: every `mvn install` on the machine (another worktree's, another engineer's) replaces
# those, so a run could measure someone else's code.
CP="$ROOT/tests/target/classes:$(tr ':' '\n' < "$WORK/cp.txt" | sed -E \
  -e "s#^.*/io/starlingdb/starling-(cluster-network|engine|server|shell|sql|testkit)/[^/]*/[^/]*\.jar\$#$ROOT/\1/target/classes#" \
  -e "s#^.*/io/starlingdb/starling-jdbc/[^/]*/[^/]*\.jar\$#$ROOT/jdbc-driver/target/classes#" | paste -sd:)"
bench() { java -Xmx2g -cp "$CP" io.starlingdb.testkit.bench.JdbcBench "$@" "${BENCH_ARGS[@]}"; }
# The nodes log as `bin/starling start` makes them (conf/logback.xml: INFO, Calcite at WARN). Without
# it logback logs everything at DEBUG, and Calcite's parser and planner write every statement out
# (its SQL and its plan), which the distinct phase measured as part of each new statement.
NODE_LOGGING="-Dlogback.configurationFile=$ROOT/conf/logback.xml"
read -r -a NODE_OPTS <<< "${NODE_JAVA_OPTS:-}"

RESULTS="$WORK/results.txt"
: > "$RESULTS"

if [[ ",$ONLY," == *",starling,"* && "$CLUSTER" = 3 ]]; then
  declare -a PEER HTTP CLIENT
  for i in 1 2 3; do PEER[$i]=$(free_port); HTTP[$i]=$(free_port); CLIENT[$i]=$(free_port); done
  for i in 1 2 3; do
    java -Xmx2g ${NODE_OPTS[@]+"${NODE_OPTS[@]}"} "$NODE_LOGGING" -cp "$CP" io.starlingdb.server.NodeMain start --node-id "n$i" --data-dir "$WORK/n$i" \
        --client-port "${CLIENT[$i]}" --http-port "${HTTP[$i]}" --peer-port "${PEER[$i]}" \
        --join "127.0.0.1:${PEER[$(( i == 1 ? 2 : 1 ))]}" --store-id "$i" --store-initial-members 1,2,3 \
        --sql-storage cluster > "$WORK/n$i.log" 2>&1 &
    PIDS+=($!)
  done
  for i in 1 2 3; do
    await_health "${HTTP[$i]}" 180 || { cat "$WORK/n$i.log" >&2; exit 1; }
  done
  bench --label starling --url "jdbc:starling://127.0.0.1:${CLIENT[1]},127.0.0.1:${CLIENT[2]},127.0.0.1:${CLIENT[3]}/" \
      | tee -a "$RESULTS"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  PIDS=()
elif [[ ",$ONLY," == *",starling,"* ]]; then
  port=$(free_port); http=$(free_port)
  java -Xmx4g ${NODE_OPTS[@]+"${NODE_OPTS[@]}"} "$NODE_LOGGING" -cp "$CP" io.starlingdb.server.NodeMain start --data-dir "$WORK/starling" \
      --client-port "$port" --http-port "$http" > "$WORK/starling.log" 2>&1 &
  PIDS+=($!)
  await_port 127.0.0.1 "$port" 60
  # How far the node's start-up SQL warm-up got (sql.warmup.statements, bounded by sql.warmup.max.ms).
  grep -o 'SQL warm-up ran .*' "$WORK/starling.log" | sed 's/^/# starling node: /' || true
  bench --label starling --url "jdbc:starling://127.0.0.1:$port/" | tee -a "$RESULTS"
fi

if [[ ",$ONLY," == *",postgres,"* && "$CLUSTER" = 3 ]]; then
  start_pg_with_standbys "ANY 1 (s1, s2)"
  bench --label postgres --url "jdbc:postgresql://127.0.0.1:$P0/postgres" --user postgres | tee -a "$RESULTS"
elif [[ ",$ONLY," == *",postgres,"* ]]; then
  if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  PG_DATA="$WORK/pg"
  PG_DIRS+=("$PG_DATA")
  mkdir -p "$PG_DATA" && chown postgres "$PG_DATA"
  runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D "$PG_DATA" -A trust -U postgres >/dev/null
  port=$(free_port)
  # Log and socket inside the cluster's own directory, which belongs to the postgres user.
  runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
      -o "-p $port -k $PG_DATA -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
  bench --label postgres --url "jdbc:postgresql://127.0.0.1:$port/postgres" --user postgres | tee -a "$RESULTS"
fi

if [[ ",$ONLY," == *",h2,"* ]]; then
  port=$(free_port)
  java -Xmx4g -cp "$CP" org.h2.tools.Server -tcp -tcpPort "$port" -baseDir "$WORK/h2" -ifNotExists > "$WORK/h2.log" 2>&1 &
  PIDS+=($!)
  await_port 127.0.0.1 "$port" 60
  bench --label h2 --url "jdbc:h2:tcp://127.0.0.1:$port/bench" --user sa | tee -a "$RESULTS"
fi

echo
echo "# Starling's ops/s as a ratio of each peer's (same machine, same run)"
awk '$1 !~ /^#/ && $1 != "target" { ops[$1","$2]=$3; targets[$1]=1; phases[$2]=1 }
     END { for (p in phases) for (t in targets) if (t != "starling" && ops["starling,"p] && ops[t","p])
             printf "%-8s starling/%-9s %6.2fx\n", p, t, ops["starling,"p] / ops[t","p] }' "$RESULTS" | sort

#!/usr/bin/env bash
# Starts a 3-member etcd cluster (Debian's etcd-server) on loopback with its default
# durable settings and measures puts of 100-byte values with 1, 16 and 128 concurrent
# clients, for comparison with Starling's Raft benchmark (docs/raft.md).
#
#   tests/bench/etcd.sh [--seconds S] [--value-bytes B] [--concurrency 1,16,128]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
need=()
command -v etcd >/dev/null || need+=(etcd-server)
command -v etcdctl >/dev/null || need+=(etcd-client)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# EtcdBench lives in testkit; run it from testkit's built classes and runtime dependencies,
# which a plain package of the reactor produces (no install needed, so a fresh clone works).
echo "# building testkit (skipping tests)..." >&2
(cd "$ROOT" && mvn -q -B -DskipTests package -pl testkit -am >&2) || {
  echo "etcd.sh: building testkit failed (mvn -B -DskipTests package -pl testkit -am shows why)" >&2; exit 1; }
# shellcheck source=lib.sh
. "$ROOT/tests/bench/lib.sh"
bench_init etcd.sh

declare -a CPORT PPORT
CLUSTER=""
for i in 1 2 3; do
  CPORT[$i]=$(free_port); PPORT[$i]=$(free_port)
  CLUSTER+="${CLUSTER:+,}e$i=http://127.0.0.1:${PPORT[$i]}"
done
for i in 1 2 3; do
  etcd --name "e$i" --data-dir "$WORK/e$i" \
    --listen-client-urls "http://127.0.0.1:${CPORT[$i]}" --advertise-client-urls "http://127.0.0.1:${CPORT[$i]}" \
    --listen-peer-urls "http://127.0.0.1:${PPORT[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${PPORT[$i]}" \
    --initial-cluster "$CLUSTER" --initial-cluster-state new --initial-cluster-token starling-bench \
    > "$WORK/e$i.log" 2>&1 &
  PIDS+=($!)
done
ENDPOINTS=""
for i in 1 2 3; do ENDPOINTS+="${ENDPOINTS:+,}http://127.0.0.1:${CPORT[$i]}"; done
deadline=$((SECONDS + 60))
until ETCDCTL_API=3 etcdctl --endpoints "$ENDPOINTS" endpoint health >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { echo "etcd.sh: cluster not healthy after 60 s" >&2; cat "$WORK"/e1.log >&2; exit 1; }
  sleep 0.5
done
# Send to the leader, as a Raft client that knows the leader does.
LEADER=$(ETCDCTL_API=3 etcdctl --endpoints "$ENDPOINTS" endpoint status -w table | awk -F'|' '$6 ~ /true/ {gsub(/ /,"",$2); print $2}')
java -cp "$ROOT/testkit/target/classes:$ROOT/testkit/target/lib/*" io.starlingdb.testkit.bench.EtcdBench --endpoints "$LEADER" "$@"

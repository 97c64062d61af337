# Sourced by the bench scripts (compare.sh, kv.sh, kv-cpu.sh, sql-cpu.sh, etcd.sh): what they share.
#
#   bench_init NAME   makes WORK (a fresh directory /tmp/starling-NAME.XXXXXX), empties PIDS and
#                     PG_DIRS, and stops every process in PIDS and every PostgreSQL data directory in
#                     PG_DIRS, then removes WORK, when the script exits (keeps it, and says where, with
#                     STARLING_BENCH_KEEP=1 in the environment: the nodes' logs). Error messages name NAME.
#   free_port         a free loopback port below Linux's ephemeral range (32768 and up), as
#                     testkit's FreePorts draws them: a port chosen now and bound later by a node
#                     cannot meanwhile become the local port of an outgoing connection.
#   await_health HTTP_PORT SECONDS   until the node answers /health with 200 (SQL on the cluster:
#                     its catalog read); fails after SECONDS.
#   await_port HOST PORT SECONDS     until something listens there; fails after SECONDS.
#   jfr_settings      writes WORK/profile-1ms.jfc (JFR's profile settings with an execution sample
#                     every millisecond) and prints its path.
#
# It also sources pg-standbys.sh (start_pg_with_standbys).

bench_init() {
  BENCH_NAME=$1
  WORK=$(mktemp -d "/tmp/starling-$1.XXXXXX")
  chmod 755 "$WORK"
  PIDS=()
  PG_DIRS=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local pid d
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for d in "${PG_DIRS[@]}"; do
    runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$d" -m immediate stop >/dev/null 2>&1 || true
  done
  if [ "${STARLING_BENCH_KEEP:-0}" = 1 ]; then
    echo "# $BENCH_NAME: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}

free_port() { python3 -c '
import random, socket
while True:
    s = socket.socket(); p = random.randrange(20000, 32000)
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()'; }

await_health() {
  local deadline=$((SECONDS + $2)) status
  while true; do
    status=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /health HTTP/1.0\r\n\r\n' >&3 && head -n1 <&3) 2>/dev/null || true)
    [[ "$status" == *" 200"* ]] && return 0
    [ $SECONDS -lt $deadline ] || { echo "$BENCH_NAME: the node on HTTP port $1 is not healthy after $2 s" >&2; return 1; }
    sleep 0.5
  done
}

await_port() {
  local deadline=$((SECONDS + $3))
  until (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "$BENCH_NAME: nothing listens on $1:$2 after $3 s" >&2; return 1; }
    sleep 0.2
  done
}

jfr_settings() {
  local jfc="$WORK/profile-1ms.jfc"
  sed -e '/<event name="jdk.ExecutionSample">/,/<\/event>/ s|<setting name="period">[^<]*<|<setting name="period">1 ms<|' \
    -e '/<event name="jdk.NativeMethodSample">/,/<\/event>/ s|<setting name="period">[^<]*<|<setting name="period">1 ms<|' \
    "$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")/lib/jfr/profile.jfc" > "$jfc"
  echo "$jfc"
}

# shellcheck source=pg-standbys.sh
. "$(dirname "${BASH_SOURCE[0]}")/pg-standbys.sh"

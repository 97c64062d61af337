# Sourced by lib.sh: starts PostgreSQL 15 as a primary and two streaming standbys in
# $WORK (temporary directories, free ports of this machine), with synchronous_commit = on and
# synchronous_standby_names = "$1" (such as 'ANY 1 (s1, s2)'), and waits until both standbys
# show as synchronous. Sets P0 (the primary's port) and appends the data directories to PG_DIRS
# (the caller's cleanup stops them). Needs WORK, PG_DIRS and free_port (lib.sh); installs PostgreSQL 15
# from Debian's packages when it is missing (needs root).
start_pg_with_standbys() {
  local names=$1 s port deadline
  PG=/usr/lib/postgresql/15/bin
  if [ ! -x "$PG/postgres" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  P0=$(free_port); local P1 P2; P1=$(free_port); P2=$(free_port)
  mkdir -p "$WORK/pg0" && chown postgres "$WORK/pg0" && PG_DIRS+=("$WORK/pg0")
  runuser -u postgres -- "$PG/initdb" -D "$WORK/pg0" -A trust -U postgres >/dev/null
  cat >> "$WORK/pg0/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 300
wal_level = replica
max_wal_senders = 10
synchronous_commit = on
synchronous_standby_names = '$names'
CONF
  # Sockets outside the data directories, which pg_basebackup copies.
  mkdir -p "$WORK/sock" && chown postgres "$WORK/sock"
  runuser -u postgres -- "$PG/pg_ctl" -D "$WORK/pg0" -l "$WORK/pg0/server.log" -w -o "-p $P0 -k $WORK/sock" start >/dev/null
  for s in 1 2; do
    port=$([ $s = 1 ] && echo "$P1" || echo "$P2")
    mkdir -p "$WORK/pg$s" && chown postgres "$WORK/pg$s" && chmod 700 "$WORK/pg$s"
    runuser -u postgres -- "$PG/pg_basebackup" -h 127.0.0.1 -p "$P0" -U postgres -D "$WORK/pg$s" -R -X stream >/dev/null
    PG_DIRS+=("$WORK/pg$s")
    echo "primary_conninfo = 'host=127.0.0.1 port=$P0 user=postgres application_name=s$s'" >> "$WORK/pg$s/postgresql.auto.conf"
    runuser -u postgres -- "$PG/pg_ctl" -D "$WORK/pg$s" -l "$WORK/pg$s/server.log" -w -o "-p $port -k $WORK/sock" start >/dev/null
  done
  deadline=$((SECONDS + 60))
  until [ "$(runuser -u postgres -- psql -h "$WORK/sock" -p "$P0" -U postgres -Atc \
      "SELECT count(*) FROM pg_stat_replication WHERE sync_state IN ('sync','quorum')")" = 2 ]; do
    [ $SECONDS -lt $deadline ] || { echo "the PostgreSQL standbys did not become synchronous" >&2; return 1; }
    sleep 0.5
  done
}

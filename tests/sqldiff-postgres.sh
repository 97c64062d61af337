#!/usr/bin/env bash
# The differential SQL test (DifferentialSqlTest) with PostgreSQL 15 as its reference engine.
#
#   tests/sqldiff-postgres.sh [--seed S] [--queries N] [--first-database D]
#
# Makes a throw-away PostgreSQL cluster (initdb in a temporary directory, as the postgres user,
# C collation and UTF-8 so that strings order by code point as Starling's do; a free loopback
# port), runs the sql module's DifferentialSqlTest against it, and stops and removes the cluster
# when it exits, also on Ctrl-C. Runs offline (mvn -o) at nice 10; needs the sql module's
# dependencies in ~/.m2. Defaults: seed 13, 500 queries, from database 0.
set -euo pipefail

SEED=13
QUERIES=500
FIRST_DB=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) SEED=$2; shift 2 ;;
    --queries) QUERIES=$2; shift 2 ;;
    --first-database) FIRST_DB=$2; shift 2 ;;
    *) echo "usage: $0 [--seed S] [--queries N] [--first-database D]" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PG=/usr/lib/postgresql/15/bin
if [ ! -x "$PG/initdb" ]; then
  echo "sqldiff-postgres: PostgreSQL 15 not found in $PG" >&2
  exit 1
fi
# shellcheck source=bench/lib.sh
source "$ROOT/tests/bench/lib.sh"   # bench_init (temporary WORK, cleanup on exit), free_port
bench_init sqldiff-postgres
# bash runs the EXIT trap when the script ends by a signal only if the signal ends it by exit.
trap 'exit 130' INT TERM

PG_DATA="$WORK/pg"
mkdir -p "$PG_DATA"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root.
  chown postgres "$PG_DATA"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$PG/initdb" -D "$PG_DATA" -A trust -U postgres --no-locale -E UTF8 >/dev/null
PORT=$(free_port)
PG_DIRS+=("$PG_DATA")
# Log and socket inside the cluster's own directory, which belongs to the postgres user.
"${as_pg[@]}" "$PG/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w \
    -o "-p $PORT -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "# sqldiff-postgres: PostgreSQL 15 on 127.0.0.1:$PORT (data in $PG_DATA); seed $SEED, $QUERIES queries from database $FIRST_DB"

cd "$ROOT"
# In the background, so that a signal to this script alone (bash defers its traps while a
# foreground command runs) stops Maven and the cluster at once; bench_cleanup ends PIDS.
nice -n 10 mvn -o -q -pl sql test -Dtest=DifferentialSqlTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dstarling.sqldiff.reference=postgres \
    "-Dstarling.sqldiff.pgUrl=jdbc:postgresql://127.0.0.1:$PORT/postgres?user=postgres" \
    -Dstarling.sqldiff.seed="$SEED" -Dstarling.sqldiff.queries="$QUERIES" \
    -Dstarling.sqldiff.firstDatabase="$FIRST_DB" &
PIDS+=($!)
wait $!

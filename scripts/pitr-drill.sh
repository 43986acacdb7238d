#!/usr/bin/env bash
# Point-in-time recovery drill (docs/operations.md, "Point-in-time recovery"), end to end on two
# throwaway PostgreSQL 17 + AGE clusters started by scripts/db/pg-age-cluster.sh:
#
#   1. a source cluster with WAL archiving (wal_level=replica, archive_mode=on, archive_command cp)
#   2. a base backup with pg_basebackup (-X stream, fast checkpoint)
#   3. write "first", note the time T, write "second", switch WAL and wait until it is archived
#   4. stop the source; start a new cluster from the base backup with restore_command,
#      recovery_target_time = T, recovery_target_action = promote
#   5. the recovered table must hold exactly "first"
#
#   scripts/pitr-drill.sh            run the drill (exit 0 passed, 1 wrong rows, 2 could not run)
#   PITR_KEEP=1 scripts/pitr-drill.sh   leave the clusters running for inspection
#
# Ports: PITR_SOURCE_PORT (54337), PITR_TARGET_PORT (54338). Everything lives under the data
# directories pg-age-cluster.sh uses (cluster-pitr-src, cluster-pitr-restore, pitr-archive).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CL="$HERE/db/pg-age-cluster.sh"
SRC_PORT="${PITR_SOURCE_PORT:-54337}"
DST_PORT="${PITR_TARGET_PORT:-54338}"

say() { echo "pitr-drill: $*" >&2; }
fail() { echo "pitr-drill: FAILED: $*" >&2; exit "${2:-2}"; }
psql_at() { local port="$1"; shift; bash "$CL" run psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

SRC_DATA="$(bash "$CL" datadir pitr-src)"
DST_DATA="$(bash "$CL" datadir pitr-restore)"
ARCHIVE="$(dirname "$SRC_DATA")/pitr-archive"   # as the servers see it

cleanup() {
  if [ -z "${PITR_KEEP:-}" ]; then
    bash "$CL" destroy pitr-src >/dev/null 2>&1 || true
    bash "$CL" destroy pitr-restore >/dev/null 2>&1 || true
    rm -rf "$(bash "$CL" hostpath "$ARCHIVE")"
  fi
}
trap cleanup EXIT

started=$(date +%s.%N)
bash "$CL" destroy pitr-src >/dev/null 2>&1 || true
bash "$CL" destroy pitr-restore >/dev/null 2>&1 || true
rm -rf "$(bash "$CL" hostpath "$ARCHIVE")"
bash "$CL" mkdir "$ARCHIVE"

say "1. source cluster with WAL archiving into $ARCHIVE"
GOVDB_CLUSTER_CONF="wal_level = replica
archive_mode = on
archive_command = 'test ! -f $ARCHIVE/%f && cp %p $ARCHIVE/%f'
full_page_writes = on
fsync = on" bash "$CL" start pitr-src "$SRC_PORT" >/dev/null
psql_at "$SRC_PORT" -c "create table drill (id int primary key, note text not null, written_at timestamptz not null default clock_timestamp())"

say "2. base backup (pg_basebackup -X stream -c fast) into $DST_DATA"
bash "$CL" mkdir "$DST_DATA"
bash "$CL" run /usr/bin/chmod 700 "$DST_DATA"
bash "$CL" run pg_basebackup -h 127.0.0.1 -p "$SRC_PORT" -U postgres -D "$DST_DATA" -X stream -c fast --no-password

say "3. two writes with a recovery target between them"
psql_at "$SRC_PORT" -c "insert into drill (id, note) values (1, 'first')"
sleep 1
TARGET="$(psql_at "$SRC_PORT" -c "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")"
sleep 1
psql_at "$SRC_PORT" -c "insert into drill (id, note) values (2, 'second')"
LAST_WAL="$(psql_at "$SRC_PORT" -c "select pg_walfile_name(pg_switch_wal())")"
for _ in $(seq 100); do
  ARCHIVED="$(psql_at "$SRC_PORT" -c "select coalesce(last_archived_wal, '') from pg_stat_archiver")"
  [ -n "$ARCHIVED" ] && [[ ! "$ARCHIVED" < "$LAST_WAL" ]] && break
  sleep 0.1
done
[ -n "$ARCHIVED" ] && [[ ! "$ARCHIVED" < "$LAST_WAL" ]] || fail "WAL $LAST_WAL was not archived (last archived: ${ARCHIVED:-none})"
say "   target time $TARGET; WAL up to $LAST_WAL archived; source rows: $(psql_at "$SRC_PORT" -c "select string_agg(note, ',' order by id) from drill")"
bash "$CL" stop pitr-src

say "4. recovery: restore_command + recovery_target_time, promote"
DST_HOST="$(bash "$CL" hostpath "$DST_DATA")"
cat >> "$DST_HOST/postgresql.conf" <<CONF
# pitr-drill: recovery
archive_mode = off
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_time = '$TARGET'
recovery_target_action = 'promote'
CONF
bash "$CL" run /usr/bin/touch "$DST_DATA/recovery.signal"
bash "$CL" start pitr-restore "$DST_PORT" >/dev/null
for _ in $(seq 100); do
  [ "$(psql_at "$DST_PORT" -c "select pg_is_in_recovery()")" = f ] && break
  sleep 0.1
done

ROWS="$(psql_at "$DST_PORT" -c "select coalesce(string_agg(note, ',' order by id), '') from drill")"
grep -h "recovery stopping\|starting point-in-time recovery\|archive recovery complete" "$DST_HOST/server.log" >&2 || true
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
if [ "$ROWS" = "first" ]; then
  say "5. PASSED: recovered to $TARGET, table drill holds exactly: $ROWS (${elapsed}s)"
  exit 0
fi
fail "recovered rows are '$ROWS', expected exactly 'first'" 1

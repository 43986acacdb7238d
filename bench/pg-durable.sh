#!/usr/bin/env bash
# The benchmark's own PostgreSQL 17 + AGE server, DURABLE: fsync, synchronous_commit and
# full_page_writes on (the defaults of a production server). The development/test server of
# scripts/db/pg-age.sh runs with all three off for speed; tests keep using that one, figures in
# docs/performance.md come only from this one (src/bench/cli.ts refuses otherwise).
#
#   bench/pg-durable.sh start    ensure installed (via scripts/db/pg-age.sh), initialised, running; prints the URL
#   bench/pg-durable.sh stop     stop it (keeps its data directory)
#   bench/pg-durable.sh url      print the URL
#   bench/pg-durable.sh pgbench  print the path of a runnable pgbench (a wrapper when it lives in the chroot)
#
# It uses the same binaries as scripts/db/pg-age.sh (the host's, or the cached Debian 13 root run with
# chroot) and a second data directory, on GOVDB_BENCH_PG_PORT (default 54397).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PGAGE="$HERE/../scripts/db/pg-age.sh"
CACHE_DIR="${GOVDB_CACHE_DIR:-$HOME/.cache/govdb}"
PORT="${GOVDB_BENCH_PG_PORT:-54397}"
ROOT="$CACHE_DIR/debian13-pg17-age"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"
BIN=/usr/lib/postgresql/17/bin

log() { echo "pg-durable: $*" >&2; }
die() { echo "pg-durable: error: $*" >&2; exit 1; }

host_has_age() { [ -f /usr/lib/postgresql/17/lib/age.so ] && [ -x /usr/lib/postgresql/17/bin/pg_ctl ]; }
chrooted() { ! host_has_age && [ -f "$ROOT/.govdb-ready" ]; }

DATA_IN_ROOT=/var/lib/govdb/pg17-bench-durable
data_on_host() { if chrooted; then echo "$ROOT$DATA_IN_ROOT"; else echo "$CACHE_DIR/pg17-bench-durable"; fi; }
data_for_server() { if chrooted; then echo "$DATA_IN_ROOT"; else echo "$CACHE_DIR/pg17-bench-durable"; fi; }
as_pg() { if chrooted; then chroot "$ROOT" /usr/sbin/runuser -u postgres -- "$@"; else runuser -u postgres -- "$@"; fi; }

ensure_installed() {
  if host_has_age || [ -f "$ROOT/.govdb-ready" ]; then
    chrooted && { mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"; }
    return 0
  fi
  bash "$PGAGE" start >/dev/null   # installs the binaries (once) the same way as the dev server
}

init_data() {
  local dh; dh="$(data_on_host)"
  [ -f "$dh/PG_VERSION" ] && return 0
  log "initialising a durable cluster in $dh"
  mkdir -p "$dh"
  if chrooted; then chroot "$ROOT" chown postgres:postgres "$DATA_IN_ROOT"; else chown postgres:postgres "$dh"; fi
  as_pg "$BIN/initdb" -D "$(data_for_server)" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$dh/postgresql.conf" <<CONF
# govdb benchmark server: durable (the PostgreSQL defaults, spelled out so the run can check them)
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
shared_preload_libraries = 'age'
max_connections = 200
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 512MB
timezone = 'UTC'
CONF
}

is_running() {
  [ -f "$(data_on_host)/postmaster.pid" ] || return 1
  as_pg "$BIN/pg_ctl" -D "$(data_for_server)" status >/dev/null 2>&1
}

start() {
  ensure_installed
  init_data
  if ! is_running; then
    log "starting the durable PostgreSQL 17 + AGE on 127.0.0.1:$PORT"
    as_pg "$BIN/pg_ctl" -D "$(data_for_server)" -l "$(data_for_server)/server.log" -w -t 60 \
      -o "-p $PORT" start >/dev/null || die "server did not start; see $(data_on_host)/server.log"
  fi
  echo "$URL"
}

stop() {
  [ -f "$(data_on_host)/PG_VERSION" ] || return 0
  if is_running; then as_pg "$BIN/pg_ctl" -D "$(data_for_server)" -m fast -w stop >/dev/null; log "stopped"; fi
}

pgbench_path() {
  ensure_installed
  if chrooted; then
    # the chroot's pgbench, run on the host's loopback (the chroot shares the network namespace)
    local wrapper="$CACHE_DIR/pgbench-chroot"
    printf '#!/bin/sh\nexec chroot %q %s/pgbench "$@"\n' "$ROOT" "$BIN" > "$wrapper"
    chmod +x "$wrapper"
    echo "$wrapper"
  elif [ -x "$BIN/pgbench" ]; then echo "$BIN/pgbench"
  else command -v pgbench || die "no pgbench found"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) echo "$URL" ;;
  pgbench) pgbench_path ;;
  *) echo "usage: $0 start|stop|url|pgbench" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# An ADDITIONAL PostgreSQL 17 + AGE cluster (its own data directory, its own loopback port), on the
# same binaries scripts/db/pg-age.sh provisions (on Debian 12: its cached Debian 13 root, entered
# with chroot; elsewhere the host's /usr/lib/postgresql/17). Used by the backup/restore tests (a
# restore onto "another server") and by scripts/pitr-drill.sh. pg-age.sh itself is not changed.
#
#   scripts/db/pg-age-cluster.sh start NAME PORT   init (once) and start; prints the URL on stdout
#   scripts/db/pg-age-cluster.sh stop NAME         fast shutdown (keeps the data)
#   scripts/db/pg-age-cluster.sh destroy NAME      stop and delete the data directory
#   scripts/db/pg-age-cluster.sh url NAME PORT     print the URL
#   scripts/db/pg-age-cluster.sh datadir NAME      data directory as the server sees it
#   scripts/db/pg-age-cluster.sh hostpath PATH     a server-side path as seen from the host
#   scripts/db/pg-age-cluster.sh mkdir PATH        create a server-side directory owned by postgres
#   scripts/db/pg-age-cluster.sh run CMD ARGS...   run a PostgreSQL 17 binary (pg_ctl, pg_basebackup,
#                                                  psql, ...) as user postgres next to the server
#
# NAME: [a-z0-9_-]+. Extra postgresql.conf lines for a new cluster: GOVDB_CLUSTER_CONF (newline-separated).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_DIR="${GOVDB_CACHE_DIR:-$HOME/.cache/govdb}"
ROOT="$CACHE_DIR/debian13-pg17-age"
BIN=/usr/lib/postgresql/17/bin

log() { echo "pg-age-cluster: $*" >&2; }
die() { echo "pg-age-cluster: error: $*" >&2; exit 1; }

host_has_age() { [ -f /usr/lib/postgresql/17/lib/age.so ] && [ -x "$BIN/pg_ctl" ]; }
mode() { if host_has_age; then echo host; else echo chroot; fi; }

ensure_installed() {
  if [ "$(mode)" = chroot ] && [ ! -f "$ROOT/.govdb-ready" ]; then
    log "PostgreSQL 17 + AGE not installed yet: running scripts/db/pg-age.sh start once"
    bash "$HERE/pg-age.sh" start >/dev/null
  fi
  if [ "$(mode)" = chroot ]; then mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"; fi
}

check_name() { [[ "${1:-}" =~ ^[a-z0-9_-]+$ ]] || die "cluster name must match [a-z0-9_-]+ (got '${1:-}')"; }
check_port() { [[ "${1:-}" =~ ^[0-9]+$ ]] || die "port must be a number (got '${1:-}')"; }

# data directory as the server sees it / as the host sees it
datadir() { if [ "$(mode)" = chroot ]; then echo "/var/lib/govdb/cluster-$1"; else echo "$CACHE_DIR/cluster-$1"; fi; }
hostpath() { if [ "$(mode)" = chroot ]; then echo "$ROOT$1"; else echo "$1"; fi; }

as_pg() {
  if [ "$(mode)" = chroot ]; then chroot "$ROOT" /usr/sbin/runuser -u postgres -- "$@"
  else runuser -u postgres -- "$@"; fi
}

run() {
  local cmd="$1"; shift
  case "$cmd" in /*) ;; *) cmd="$BIN/$cmd" ;; esac
  as_pg "$cmd" "$@"
}

init() {
  local name="$1" dd dh
  dd="$(datadir "$name")"; dh="$(hostpath "$dd")"
  [ -f "$dh/PG_VERSION" ] && return 0
  log "initialising cluster $name in $dh"
  mkdir -p "$dh"
  if [ "$(mode)" = chroot ]; then chroot "$ROOT" chown postgres:postgres "$dd"; else chown postgres:postgres "$dh"; fi
  as_pg "$BIN/initdb" -D "$dd" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$dh/postgresql.conf" <<CONF
# govdb additional cluster ($name)
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
shared_preload_libraries = 'age'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
CONF
  if [ -n "${GOVDB_CLUSTER_CONF:-}" ]; then printf '%s\n' "$GOVDB_CLUSTER_CONF" >> "$dh/postgresql.conf"; fi
}

is_running() { [ -f "$(hostpath "$(datadir "$1")")/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$(datadir "$1")" status >/dev/null 2>&1; }

start() {
  local name="$1" port="$2"
  # concurrent starts of one cluster (parallel test files) take turns
  mkdir -p "$CACHE_DIR"
  exec 9>"$CACHE_DIR/cluster-$name.lock"
  flock -w 120 9 || die "timed out waiting for another start of cluster $name"
  ensure_installed
  init "$name"
  if ! is_running "$name"; then
    log "starting cluster $name on 127.0.0.1:$port"
    # 9>&-: the server must not inherit (and so hold forever) the start lock
    as_pg "$BIN/pg_ctl" -D "$(datadir "$name")" -l "$(datadir "$name")/server.log" -w -t 60 -o "-p $port" start >/dev/null 9>&- \
      || die "cluster $name did not start; see $(hostpath "$(datadir "$name")")/server.log"
  fi
  echo "postgres://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local name="$1"
  [ -f "$(hostpath "$(datadir "$name")")/PG_VERSION" ] || return 0
  if is_running "$name"; then as_pg "$BIN/pg_ctl" -D "$(datadir "$name")" -m fast -w stop >/dev/null; log "stopped $name"; fi
}

destroy() {
  local name="$1"
  stop "$name"
  rm -rf "$(hostpath "$(datadir "$name")")"
}

case "${1:-}" in
  start) check_name "${2:-}"; check_port "${3:-}"; start "$2" "$3" ;;
  stop) check_name "${2:-}"; stop "$2" ;;
  destroy) check_name "${2:-}"; destroy "$2" ;;
  url) check_name "${2:-}"; check_port "${3:-}"; echo "postgres://postgres@127.0.0.1:$3/postgres" ;;
  datadir) check_name "${2:-}"; datadir "$2" ;;
  hostpath) hostpath "${2:?path}" ;;
  run) shift; ensure_installed; run "$@" ;;
  mkdir)
    ensure_installed; mkdir -p "$(hostpath "${2:?path}")"
    if [ "$(mode)" = chroot ]; then chroot "$ROOT" chown postgres:postgres "$2"; else chown postgres:postgres "$2"; fi ;;
  *) echo "usage: $0 start NAME PORT | stop NAME | destroy NAME | url NAME PORT | datadir NAME | hostpath PATH | mkdir PATH | run CMD ARGS..." >&2; exit 2 ;;
esac

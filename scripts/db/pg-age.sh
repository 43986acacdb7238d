#!/usr/bin/env bash
# Provisions a PostgreSQL 17 + Apache AGE server on a loopback port for development and tests.
#
#   scripts/db/pg-age.sh start    ensure installed, initialised, running; prints the URL on stdout
#   scripts/db/pg-age.sh stop     stop the server (keeps data and cache)
#   scripts/db/pg-age.sh status   exit 0 if running (prints URL), 3 if stopped, 4 if not installed
#   scripts/db/pg-age.sh url      print the connection URL
#   scripts/db/pg-age.sh redis    make sure a Redis server answers on GOVDB_REDIS_PORT (default 6379)
#
# Debian 12 packages no AGE, so there we build a cached Debian 13 root with debootstrap
# (postgresql-17 + postgresql-17-age) and run the server inside it with chroot; clients on the
# host connect over TCP. On Debian 13 the distribution packages are used directly.
# Everything is cached under GOVDB_CACHE_DIR; a second run with the cache present changes nothing.
set -euo pipefail

CACHE_DIR="${GOVDB_CACHE_DIR:-$HOME/.cache/govdb}"
PORT="${GOVDB_PG_PORT:-54317}"
REDIS_PORT="${GOVDB_REDIS_PORT:-6379}"
ROOT="$CACHE_DIR/debian13-pg17-age"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"

log() { echo "pg-age: $*" >&2; }
die() { echo "pg-age: error: $*" >&2; exit 1; }

host_has_age() { [ -f /usr/lib/postgresql/17/lib/age.so ] && [ -x /usr/lib/postgresql/17/bin/pg_ctl ]; }
codename() { . /etc/os-release; echo "${VERSION_CODENAME:-unknown}"; }

# Mode "host": binaries on this machine; mode "chroot": binaries inside $ROOT.
mode() {
  if host_has_age; then echo host
  elif [ "$(codename)" = trixie ] || [ "$(codename)" = forky ]; then echo host-install
  else echo chroot; fi
}

# run CMD as postgres, inside the chroot when needed
as_pg() {
  if [ "$(mode)" = chroot ]; then
    chroot "$ROOT" /usr/sbin/runuser -u postgres -- "$@"
  else
    runuser -u postgres -- "$@"
  fi
}

DATA_IN_ROOT=/var/lib/govdb/pg17   # path as the server sees it
data_on_host() { if [ "$(mode)" = chroot ]; then echo "$ROOT$DATA_IN_ROOT"; else echo "$CACHE_DIR/pg17-data"; fi; }
data_for_server() { if [ "$(mode)" = chroot ]; then echo "$DATA_IN_ROOT"; else echo "$CACHE_DIR/pg17-data"; fi; }
BIN=/usr/lib/postgresql/17/bin

mirror() {
  local uri
  uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  [ -n "$uri" ] || uri="$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)"
  [ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt/sources.list.d/debian.sources"
  echo "$uri"
}

install() {
  case "$(mode)" in
    host) return 0 ;;
    host-install)
      log "installing postgresql-17 and postgresql-17-age from the distribution"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-17 postgresql-17-age >&2
      return 0 ;;
  esac
  if [ -f "$ROOT/.govdb-ready" ]; then return 0; fi
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap) >&2
  }
  local tmp="$ROOT.partial"
  rm -rf "$tmp"; mkdir -p "$CACHE_DIR"
  log "building a Debian 13 root with PostgreSQL 17 + AGE in $ROOT (once; about a minute)"
  debootstrap --variant=minbase --include=postgresql-17,postgresql-17-age "trixie" "$tmp" "$(mirror)" > "$CACHE_DIR/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $CACHE_DIR/debootstrap.log"
  [ -f "$tmp/usr/lib/postgresql/17/lib/age.so" ] || die "AGE library missing in the built root"
  # debootstrap may leave /proc mounted inside the partial root
  umount "$tmp/proc" 2>/dev/null || true
  mv "$tmp" "$ROOT"
  touch "$ROOT/.govdb-ready"
}

mount_proc() {
  [ "$(mode)" = chroot ] || return 0
  mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
}

init_data() {
  local dh; dh="$(data_on_host)"
  [ -f "$dh/PG_VERSION" ] && return 0
  log "initialising a cluster in $dh"
  mkdir -p "$dh"
  if [ "$(mode)" = chroot ]; then chroot "$ROOT" chown postgres:postgres "$DATA_IN_ROOT"; else chown postgres:postgres "$dh"; fi
  as_pg "$BIN/initdb" -D "$(data_for_server)" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$dh/postgresql.conf" <<CONF
# govdb development/test server
listen_addresses = '127.0.0.1'
unix_socket_directories = '/tmp'
shared_preload_libraries = 'age'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
timezone = 'UTC'
CONF
}

is_running() {
  [ -f "$(data_on_host)/postmaster.pid" ] || return 1
  as_pg "$BIN/pg_ctl" -D "$(data_for_server)" status >/dev/null 2>&1
}

start() {
  install
  mount_proc
  init_data
  if ! is_running; then
    log "starting PostgreSQL 17 + AGE on 127.0.0.1:$PORT"
    as_pg "$BIN/pg_ctl" -D "$(data_for_server)" -l "$(data_for_server)/server.log" -w -t 60 \
      -o "-p $PORT" start >/dev/null || die "server did not start; see $(data_on_host)/server.log"
  fi
  echo "$URL"
}

stop() {
  [ -f "$(data_on_host)/PG_VERSION" ] || { log "not initialised"; return 0; }
  if is_running; then as_pg "$BIN/pg_ctl" -D "$(data_for_server)" -m fast -w stop >/dev/null; log "stopped"; fi
}

status() {
  if [ "$(mode)" = chroot ] && [ ! -f "$ROOT/.govdb-ready" ]; then log "not installed"; exit 4; fi
  if is_running; then echo "$URL"; exit 0; fi
  log "stopped"; exit 3
}

redis() {
  if command -v redis-cli >/dev/null && redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then return 0; fi
  if ! command -v redis-server >/dev/null; then
    log "installing redis-server"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2
  fi
  log "starting redis-server on 127.0.0.1:$REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp --logfile "/tmp/govdb-redis-$REDIS_PORT.log" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  die "redis-server did not answer on port $REDIS_PORT"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) echo "$URL" ;;
  redis) redis ;;
  *) echo "usage: $0 start|stop|status|url|redis" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# The multi-server layout of govdb on loopback ports, from packages (docs/deploy.md):
#
#   PostgreSQL 17 + AGE primary  (scripts/db/pg-age-cluster.sh, Debian 13 root)      BASE+0
#   PostgreSQL streaming replica (pg_basebackup -R, physical replication)            BASE+1
#   PgBouncer 1.24, transaction pooling, in front of the primary (Debian 13 root)    BASE+2
#   Redis primary / replica (host redis-server)                                      BASE+10 / BASE+11
#   3 Redis Sentinels (host redis-sentinel), master name "govdb"                     BASE+20..22
#   N govdb servers (node bin/govdb.js serve)                                         BASE+30..
#   HAProxy (host haproxy), round robin, no stickiness, in front of the servers      BASE+40
#
#   scripts/topology.sh up [--reduced] [--servers N]   start what is not running (idempotent)
#   scripts/topology.sh down                           stop everything, delete the state
#   scripts/topology.sh status                         each part, its port, up/down
#   scripts/topology.sh env                            the environment a govdb server gets (shell syntax)
#   scripts/topology.sh kill-server I                  SIGKILL server I (1-based): for fault drills
#   scripts/topology.sh start-server I                 (re)start server I
#   scripts/topology.sh restart-server I               graceful restart (SIGTERM → drain → exit → start)
#   scripts/topology.sh stop-replica | start-replica   stop / start the PostgreSQL replica
#
# --reduced (CI): primary + replica + PgBouncer + 2 servers + HAProxy, one Redis (no replica, no
# Sentinels). Settings: GOVDB_TOPO_BASE (default 25400), GOVDB_TOPO_DIR (state, default
# /tmp/govdb-topology-$BASE), GOVDB_TOPO_SERVERS (default 2), GOVDB_TOPO_NO_REPLICA_READS=1 (servers
# get no DB_POSTGRES_READ_URL: every read on the primary). Needs root (chroot, runuser).
# Migrations run once, directly against the primary (never through PgBouncer: the ledger holds a
# session advisory lock for the whole run).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
CLUSTER="$HERE/db/pg-age-cluster.sh"
BASE="${GOVDB_TOPO_BASE:-25400}"   # below the ephemeral port range (32768-60999): no clash with outgoing connections
DIR="${GOVDB_TOPO_DIR:-/tmp/govdb-topology-$BASE}"
CACHE_DIR="${GOVDB_CACHE_DIR:-$HOME/.cache/govdb}"
ROOT="$CACHE_DIR/debian13-pg17-age"
PRIMARY="topo$BASE-primary"
REPLICA="topo$BASE-replica"
P_PRIMARY=$BASE; P_REPLICA=$((BASE + 1)); P_BOUNCER=$((BASE + 2))
P_REDIS=$((BASE + 10)); P_REDIS_REPLICA=$((BASE + 11)); P_SENTINEL=$((BASE + 20))
P_SERVER=$((BASE + 30)); P_HAPROXY=$((BASE + 40))
DB=govdb

log() { echo "topology: $*" >&2; }
die() { echo "topology: error: $*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { local i; for i in $(seq 1 "${2:-100}"); do port_open "$1" && return 0; sleep 0.1; done; return 1; }
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
mode_file() { echo "$DIR/mode"; }
reduced() { [ "$(cat "$(mode_file)" 2>/dev/null || echo full)" = reduced ]; }
servers() { cat "$DIR/servers" 2>/dev/null || echo "${GOVDB_TOPO_SERVERS:-2}"; }

psql_primary() { "$CLUSTER" run psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$P_PRIMARY" -U postgres "$@"; }

primary_url() { echo "postgres://postgres@127.0.0.1:$P_PRIMARY/$DB"; }
replica_url() { echo "postgres://postgres@127.0.0.1:$P_REPLICA/$DB"; }
bouncer_url() { echo "postgres://postgres@127.0.0.1:$P_BOUNCER/$DB"; }

# host packages (Debian 12): installed when missing, so `up` works on a fresh machine
ensure_host_pkg() { # command package
  command -v "$1" >/dev/null 2>&1 && return 0
  log "installing $2 (apt-get)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || die "cannot install $2"
}

# ---------- PostgreSQL primary + replica ----------
up_primary() {
  GOVDB_CLUSTER_CONF="wal_level = replica
max_wal_senders = 10
hot_standby = on
hot_standby_feedback = on
synchronous_commit = on
max_connections = 200" "$CLUSTER" start "$PRIMARY" "$P_PRIMARY" >/dev/null 8>&-
  if [ "$(psql_primary -d postgres -tAc "select 1 from pg_database where datname = '$DB'")" != 1 ]; then
    psql_primary -d postgres -c "create database $DB"
  fi
  # sessions behind PgBouncer are shared between clients: what the pool used to SET per connection
  # is a database default instead (AGE itself is in shared_preload_libraries)
  psql_primary -d postgres -c "alter database $DB set search_path = \"\$user\", public, ag_catalog" \
    -c "alter database $DB set timezone = 'UTC'"
  log "migrating $(primary_url) directly (not through PgBouncer)"
  (cd "$REPO" && DB_POSTGRES_URL="$(primary_url)" node bin/govdb.js migrate >"$DIR/migrate.log" 2>&1) || die "migrate failed; see $DIR/migrate.log"
}

up_replica() {
  local dd; dd="$("$CLUSTER" datadir "$REPLICA")"
  if [ ! -f "$("$CLUSTER" hostpath "$dd")/PG_VERSION" ]; then
    log "pg_basebackup of the primary into $REPLICA"
    "$CLUSTER" mkdir "$dd"
    chmod 700 "$("$CLUSTER" hostpath "$dd")"
    "$CLUSTER" run pg_basebackup -h 127.0.0.1 -p "$P_PRIMARY" -U postgres -D "$dd" -R -X stream -c fast >/dev/null
  fi
  "$CLUSTER" start "$REPLICA" "$P_REPLICA" >/dev/null 8>&-
}

# ---------- PgBouncer (inside the Debian 13 root: 1.24 has protocol-level prepared statements) ----------
bouncer_dir() { echo "/var/lib/govdb/topo$BASE-pgbouncer"; }
up_bouncer() {
  [ -x "$ROOT/usr/sbin/pgbouncer" ] || {
    log "installing pgbouncer into the Debian 13 root"
    printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"; chmod +x "$ROOT/usr/sbin/policy-rc.d"
    chroot "$ROOT" apt-get update -qq && DEBIAN_FRONTEND=noninteractive chroot "$ROOT" apt-get install -y -qq --no-install-recommends pgbouncer >/dev/null
  }
  local d; d="$(bouncer_dir)"
  if pid_alive "$ROOT$d/pgbouncer.pid" && port_open "$P_BOUNCER"; then return 0; fi
  "$CLUSTER" mkdir "$d"
  cat > "$ROOT$d/pgbouncer.ini" <<INI
[databases]
$DB = host=127.0.0.1 port=$P_PRIMARY dbname=$DB
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $P_BOUNCER
unix_socket_dir =
auth_type = trust
auth_file = $d/userlist.txt
pool_mode = transaction
max_prepared_statements = 500
default_pool_size = 20
max_client_conn = 1000
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
pidfile = $d/pgbouncer.pid
logfile = $d/pgbouncer.log
admin_users = postgres
INI
  echo '"postgres" ""' > "$ROOT$d/userlist.txt"
  chroot "$ROOT" chown -R postgres:postgres "$d"
  chroot "$ROOT" /usr/sbin/runuser -u postgres -- /usr/sbin/pgbouncer -d -q "$d/pgbouncer.ini" 8>&-
  wait_port "$P_BOUNCER" || die "pgbouncer did not start; see $ROOT$d/pgbouncer.log"
}

# ---------- Redis primary + replica + Sentinels ----------
up_redis_one() { # name port [replicaof-port]
  local name="$1" port="$2"
  pid_alive "$DIR/$name.pid" && return 0
  redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --pidfile "$DIR/$name.pid" --logfile "$DIR/$name.log" \
    --dir "$DIR" --dbfilename "$name.rdb" --save '' --appendonly no ${3:+--replicaof 127.0.0.1 "$3"} >/dev/null 8>&-
  wait_port "$port" || die "redis $name did not start; see $DIR/$name.log"
}

up_sentinels() {
  local i port bin
  bin="$(command -v redis-sentinel || true)"
  for i in 0 1 2; do
    port=$((P_SENTINEL + i))
    pid_alive "$DIR/sentinel$i.pid" && continue
    cat > "$DIR/sentinel$i.conf" <<CONF
bind 127.0.0.1
port $port
daemonize yes
pidfile $DIR/sentinel$i.pid
logfile $DIR/sentinel$i.log
dir $DIR
sentinel resolve-hostnames no
sentinel monitor govdb 127.0.0.1 $P_REDIS 2
sentinel down-after-milliseconds govdb 2000
sentinel failover-timeout govdb 10000
sentinel parallel-syncs govdb 1
CONF
    if [ -n "$bin" ]; then "$bin" "$DIR/sentinel$i.conf" 8>&-; else redis-server "$DIR/sentinel$i.conf" --sentinel 8>&-; fi
    wait_port "$port" || die "sentinel $i did not start; see $DIR/sentinel$i.log"
  done
}

# ---------- govdb servers ----------
server_env() {
  echo "DB_POSTGRES_URL=$(bouncer_url)"
  echo "DB_POSTGRES_DIRECT_URL=$(primary_url)"
  echo "DB_POSTGRES_POOLER=transaction"
  [ -n "${GOVDB_TOPO_NO_REPLICA_READS:-}" ] || echo "DB_POSTGRES_READ_URL=$(replica_url)"
  if reduced; then echo "REDIS_URL=redis://127.0.0.1:$P_REDIS"
  else
    echo "REDIS_SENTINELS=127.0.0.1:$P_SENTINEL,127.0.0.1:$((P_SENTINEL + 1)),127.0.0.1:$((P_SENTINEL + 2))"
    echo "REDIS_SENTINEL_NAME=govdb"
  fi
  echo "GOVDB_ALLOWED_HOSTS=127.0.0.1:$P_HAPROXY,localhost:$P_HAPROXY"
  echo "GOVDB_ADMIN_TOKEN=${GOVDB_ADMIN_TOKEN:-topology-admin-token-0123456789}"
  echo "GOVDB_LEADER_POLL_MS=${GOVDB_LEADER_POLL_MS:-1000}"
  echo "GOVDB_SHUTDOWN_DRAIN_MS=${GOVDB_SHUTDOWN_DRAIN_MS:-3000}"
}

start_server() {
  local i="$1" port=$((P_SERVER + $1 - 1))
  pid_alive "$DIR/server$i.pid" && port_open "$port" && return 0
  mkdir -p "$DIR/server$i"
  (
    cd "$REPO"
    set -a; eval "$(server_env | sed 's/=\(.*\)/="\1"/')"; set +a
    export GOVDB_DATA_DIR="$DIR/server$i" GOVDB_SERVER_NAME="server$i"
    nohup node bin/govdb.js serve --port "$port" >>"$DIR/server$i.log" 2>&1 < /dev/null 8>&- &
    echo $! > "$DIR/server$i.pid"
  )
  wait_port "$port" 600 || die "govdb server $i did not start: $(tail -n 3 "$DIR/server$i.log")"
}

# ---------- HAProxy ----------
up_haproxy() {
  pid_alive "$DIR/haproxy.pid" && port_open "$P_HAPROXY" && return 0
  {
    cat <<CFG
global
  maxconn 2000
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 2
  option redispatch
  option http-no-delay   # SSE replies are small writes: do not wait to merge them
frontend govdb
  bind 127.0.0.1:$P_HAPROXY
  default_backend servers
backend servers
  balance roundrobin
  option httpchk
  http-check send meth GET uri /health ver HTTP/1.1 hdr Host 127.0.0.1:$P_HAPROXY
  http-check expect status 200
  default-server inter 1s fall 2 rise 1
CFG
    local i; for i in $(seq 1 "$(servers)"); do echo "  server s$i 127.0.0.1:$((P_SERVER + i - 1)) check"; done
  } > "$DIR/haproxy.cfg"
  haproxy -c -q -f "$DIR/haproxy.cfg" || die "haproxy config invalid"
  haproxy -D -f "$DIR/haproxy.cfg" -p "$DIR/haproxy.pid" 8>&-
  wait_port "$P_HAPROXY" || die "haproxy did not start"
}

up() {
  local red=full n="${GOVDB_TOPO_SERVERS:-2}"
  while [ $# -gt 0 ]; do
    case "$1" in
      --reduced) red=reduced ;;
      --servers) n="$2"; shift ;;
      *) die "unknown option $1" ;;
    esac; shift
  done
  [[ "$n" =~ ^[1-9]$ ]] || die "--servers must be 1..9"
  mkdir -p "$DIR"; echo "$red" > "$(mode_file)"; echo "$n" > "$DIR/servers"
  exec 8>"$DIR/.lock"; flock -w 300 8 || die "another topology.sh holds $DIR/.lock"
  [ -f "$REPO/dist/cli/main.js" ] || die "dist/ is missing: run npm run build first"
  ensure_host_pkg haproxy haproxy
  ensure_host_pkg redis-server redis-server
  reduced || ensure_host_pkg redis-sentinel redis-sentinel
  up_primary
  up_replica
  up_bouncer
  up_redis_one redis "$P_REDIS"
  if ! reduced; then
    up_redis_one redis-replica "$P_REDIS_REPLICA" "$P_REDIS"
    # a failover to a replica that never synced would lose everything: wait for the link
    for _ in $(seq 1 100); do redis-cli -p "$P_REDIS_REPLICA" info replication | grep -q 'master_link_status:up' && break; sleep 0.1; done
    up_sentinels
  fi
  local i; for i in $(seq 1 "$n"); do start_server "$i"; done
  up_haproxy
  status
}

stop_pidfile() { # pidfile
  pid_alive "$1" || return 0
  local pid; pid="$(cat "$1")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

down() {
  [ -d "$DIR" ] || { "$CLUSTER" destroy "$REPLICA"; "$CLUSTER" destroy "$PRIMARY"; return 0; }
  stop_pidfile "$DIR/haproxy.pid"
  local f; for f in "$DIR"/server*.pid "$DIR"/sentinel*.pid "$DIR"/redis-replica.pid "$DIR"/redis.pid; do [ -e "$f" ] && stop_pidfile "$f"; done
  stop_pidfile "$ROOT$(bouncer_dir)/pgbouncer.pid"
  "$CLUSTER" destroy "$REPLICA"
  "$CLUSTER" destroy "$PRIMARY"
  rm -rf "$ROOT$(bouncer_dir)" "$DIR"
  log "down: nothing of topology $BASE is running"
}

line() { printf '%-22s %-6s %s\n' "$1" "$2" "$(port_open "$2" && echo up || echo down)"; }
status() {
  line "postgres-primary" "$P_PRIMARY"
  line "postgres-replica" "$P_REPLICA"
  line "pgbouncer" "$P_BOUNCER"
  line "redis-primary" "$P_REDIS"
  if ! reduced; then
    line "redis-replica" "$P_REDIS_REPLICA"
    local i; for i in 0 1 2; do line "redis-sentinel$((i + 1))" $((P_SENTINEL + i)); done
  fi
  local i; for i in $(seq 1 "$(servers)"); do line "govdb-server$i" $((P_SERVER + i - 1)); done
  line "haproxy" "$P_HAPROXY"
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  env) server_env ;;
  kill-server)
    if pid_alive "$DIR/server${2:?server number}.pid"; then
      pid="$(cat "$DIR/server$2.pid")"; kill -9 "$pid"
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi ;;
  start-server) start_server "${2:?server number}" ;;
  restart-server) # graceful: SIGTERM (the server fails its health check, drains, exits), then start
    if pid_alive "$DIR/server${2:?server number}.pid"; then
      pid="$(cat "$DIR/server$2.pid")"; kill -TERM "$pid"
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    start_server "$2" ;;
  stop-replica) "$CLUSTER" stop "$REPLICA" ;;
  start-replica) "$CLUSTER" start "$REPLICA" "$P_REPLICA" >/dev/null ;;
  *) echo "usage: $0 up [--reduced] [--servers N] | down | status | env | kill-server I | start-server I | restart-server I | stop-replica | start-replica" >&2; exit 2 ;;
esac

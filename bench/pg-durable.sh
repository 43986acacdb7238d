#!/usr/bin/env bash
# The benchmark's own DURABLE PostgreSQL 17 + AGE: an additional cluster of
# scripts/db/pg-age-cluster.sh (same binaries as scripts/db/pg-age.sh) with fsync, synchronous_commit
# and full_page_writes ON — the settings a production server runs with — so benchmark figures are
# figures users can get (docs/performance.md). The test servers stay non-durable.
#
#   bench/pg-durable.sh start    ensure installed, initialised, running; prints the URL
#   bench/pg-durable.sh stop     stop it (keeps its data directory)
#   bench/pg-durable.sh url      print the URL
#   bench/pg-durable.sh pgbench  print the path of a runnable pgbench (a wrapper that runs the
#                                cluster's own pgbench next to the server)
#
# Port: GOVDB_BENCH_PG_PORT (default 54397).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLUSTER="$HERE/../scripts/db/pg-age-cluster.sh"
CACHE_DIR="${GOVDB_CACHE_DIR:-$HOME/.cache/govdb}"
PORT="${GOVDB_BENCH_PG_PORT:-54397}"
NAME=bench-durable

# appended after the additional-cluster defaults, so these win (last setting in postgresql.conf)
export GOVDB_CLUSTER_CONF="# govdb benchmark server: durable (PostgreSQL's defaults, spelled out so the run can check them)
max_connections = 200
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 512MB"

case "${1:-}" in
  start) bash "$CLUSTER" start "$NAME" "$PORT" ;;
  stop) bash "$CLUSTER" stop "$NAME" ;;
  url) bash "$CLUSTER" url "$NAME" "$PORT" ;;
  pgbench)
    mkdir -p "$CACHE_DIR"
    wrapper="$CACHE_DIR/pgbench-cluster"
    printf '#!/bin/sh\nexec bash %q run pgbench "$@"\n' "$(cd "$HERE/../scripts/db" && pwd)/pg-age-cluster.sh" > "$wrapper"
    chmod +x "$wrapper"
    echo "$wrapper" ;;
  *) echo "usage: $0 start|stop|url|pgbench" >&2; exit 2 ;;
esac

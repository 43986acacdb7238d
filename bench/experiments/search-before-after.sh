#!/usr/bin/env bash
# knowledge.search_discoveries of a git ref (installed as search_discoveries_before) against this
# checkout's, after `govdb migrate` of this checkout, on a SCRATCH copy of a kept benchmark corpus
# (never the corpus itself: the migrations change it). Prints the migration times, a results check
# (ids, order, ranks, match of 20 queries × limits 1/20/250: every row must say t) and the alternating
# per-query timing (search-before-after-time.sql). Needs `npm run build`.
#   bench/experiments/search-before-after.sh <template db> <scratch db> [ref=main] [rounds=40]
# e.g. bench/experiments/search-before-after.sh govdb_bench_growth_k100000 scratch_search main
# The template must have no other connections; drop the scratch database afterwards.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$HERE/../.."
URL="$("$HERE/../pg-durable.sh" url)"; BASE="${URL%/*}"
TEMPLATE="$1"; SCRATCH="$2"; REF="${3:-main}"; ROUNDS="${4:-40}"
psql "$BASE/postgres" -X -v ON_ERROR_STOP=1 -c "create database \"$SCRATCH\" template \"$TEMPLATE\""
run() { psql "$BASE/$SCRATCH" -X -q -v ON_ERROR_STOP=1 "$@"; }
git -C "$ROOT" show "$REF:sql/functions/knowledge_search.sql" \
  | sed -n '/^create or replace function knowledge.search_discoveries(/,/^\$fn\$;/p' \
  | sed '1s/search_discoveries(/search_discoveries_before(/' | run -f -
node "$ROOT/bin/govdb.js" migrate --database-url "$BASE/$SCRATCH" | grep -v '^applying'
run -c "select pg_size_pretty(pg_table_size('knowledge.discoveries')) as table_size, pg_size_pretty(pg_indexes_size('knowledge.discoveries')) as indexes_size"
run -f "$HERE/search-before-after-same.sql"
uptime
PGOPTIONS="-c bench.rounds=$ROUNDS -c bench.fa=search_discoveries_before -c bench.fb=search_discoveries" run -f "$HERE/search-before-after-time.sql"
uptime

#!/usr/bin/env bash
# Search phrase/AND prototypes, timed against the function of commit deab74c on a SCRATCH copy of a kept
# benchmark corpus (never the corpus itself: the setup adds a column and an index).
#   bench/experiments/phrase-bigrams.sh <template db> <scratch db> [rounds=50]
# e.g. bench/experiments/phrase-bigrams.sh govdb_bench_growth_k100000 scratch_phrase
# Creates <scratch db> from the template (nobody may be connected to it), leaves it for inspection:
# drop it afterwards (`drop database <scratch db>`). README.md has the figures.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
URL="$("$HERE/../pg-durable.sh" url)"; BASE="${URL%/*}"
TEMPLATE="$1"; SCRATCH="$2"; ROUNDS="${3:-50}"
psql "$BASE/postgres" -X -v ON_ERROR_STOP=1 -c "create database \"$SCRATCH\" template \"$TEMPLATE\""
run() { psql "$BASE/$SCRATCH" -X -q -v ON_ERROR_STOP=1 "$@"; }
git -C "$HERE" show deab74c:sql/functions/knowledge_search.sql | run -f -
run -f "$HERE/phrase-bigrams-setup.sql"
run -f "$HERE/phrase-bigrams-function.sql"
# the rank-carried variant (rk) measured beside it is the product function since d9872d9
for f in search_discoveries_bg; do
  PGOPTIONS="-c bench.rounds=$ROUNDS -c bench.fa=search_discoveries -c bench.fb=$f" run -f "$HERE/phrase-bigrams-time.sql"
done

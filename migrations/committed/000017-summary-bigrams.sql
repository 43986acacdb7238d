--! Previous: sha1:eb961b2f116cbd5505c0ae24c937732447eaf937
--! Hash: sha1:20d19cb7ff4cbccd468892e11bcd53515617ce8f
--! Message: summary_bigrams

-- Phrase index of discovery summaries, part 1: knowledge.tsv_bigrams(tsvector), the distinct
-- adjacent-lexeme pairs of a tsvector ('a b' when lexeme b is at the position after lexeme a).
-- Migration 000018 indexes tsv_bigrams(summary_vector) (GIN, an expression index). A phrase
-- 'a' <-> 'b' <-> 'c' matches only rows whose pairs hold every adjacent pair of it ('a b', 'b c'), so
-- knowledge.search_discoveries collects a phrase's candidates with
-- `knowledge.tsv_bigrams(summary_vector) @> pairs` (then rechecks them with @@) instead of with the
-- rows holding all its words, which grow much faster with the corpus (docs/performance.md, "Phrase
-- bigrams").
--
-- An expression index, not a column: a `text[]` column filled by a trigger needed a backfill that
-- rewrote every row (no HOT update: the page is full), and each new row version went into every index
-- of the table — on a scratch copy of 100,000 discoveries the batched backfill took 86 s and doubled
-- the table (216 -> 452 MB) and its indexes (173 -> 351 MB) until vacuumed, while computing the pairs
-- of all rows takes 3 s. The index is built concurrently and maintained by PostgreSQL on every insert
-- and summary update (store, import, update alike); no row is ever without it, and a query that
-- cannot use it (the index missing or invalid) is still correct, only slower.

-- Any two lexemes at consecutive positions form a pair, so for every row a phrase of plain lexemes
-- matches, the pairs hold each adjacent pair of the phrase (the probe never misses a match;
-- test/domain/searchBigrams.test.ts checks it on random text). Immutable (an index expression): only
-- built-in functions and operators of pg_catalog, no configuration.
create function knowledge.tsv_bigrams(v tsvector) returns text[]
language sql immutable strict parallel safe
as $$
  select coalesce(array_agg(distinct a.lexeme || ' ' || b.lexeme), '{}')
  from (select u.lexeme, p from unnest(v) u, unnest(u.positions) p) a
  join (select u.lexeme, p from unnest(v) u, unnest(u.positions) p) b on b.p = a.p + 1
$$;
comment on function knowledge.tsv_bigrams(tsvector) is
'The distinct adjacent-lexeme pairs of a tsvector (''a b'': b at the position after a), sorted; the phrase index of search is GIN on tsv_bigrams(summary_vector).';

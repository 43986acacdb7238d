--! Previous: sha1:eb961b2f116cbd5505c0ae24c937732447eaf937
--! Hash: sha1:d64b4f6fea3d7bb50da2c802a5cbe5770afea98f
--! Message: summary_bigrams

-- Phrase index of discovery summaries: summary_bigrams holds the distinct adjacent-lexeme pairs of
-- summary_vector ('a b' when lexeme b is at the position after lexeme a), with its own GIN index
-- (migration 000022). A phrase 'a' <-> 'b' <-> 'c' matches only rows holding every adjacent pair of
-- it ('a b', 'b c'), so knowledge.search_discoveries collects a phrase's candidates with
-- `summary_bigrams @> pairs` (then rechecks them with @@) instead of with the rows holding all its
-- words, which grow much faster with the corpus (docs/performance.md, "Search phrases").
--
-- Nullable, no default: adding it rewrites nothing (a generated stored column would rewrite every
-- row under ACCESS EXCLUSIVE). Triggers fill it on insert and whenever an update leaves it stale or
-- null; 000021 fills the existing rows in committed batches and validates the NOT VALID check added
-- here (reads and writes continue meanwhile); the search function that reads the column is a
-- repeatable function file, applied after every migration, so it never sees a null.

-- The pairs of a tsvector's positions (p, p + 1), as 'lexeme lexeme' text, sorted and distinct; empty
-- when the vector has no positions. Any two lexemes at consecutive positions form a pair, so for every
-- row a phrase of plain lexemes matches, the pairs hold each adjacent pair of the phrase (the probe
-- never misses a match; test/domain/searchBigrams.test.ts checks it on random text).
create function knowledge.tsv_bigrams(v tsvector) returns text[]
language sql immutable strict parallel safe
as $$
  select coalesce(array_agg(distinct a.lexeme || ' ' || b.lexeme), '{}')
  from (select u.lexeme, p from unnest(v) u, unnest(u.positions) p) a
  join (select u.lexeme, p from unnest(v) u, unnest(u.positions) p) b on b.p = a.p + 1
$$;
comment on function knowledge.tsv_bigrams(tsvector) is
'The distinct adjacent-lexeme pairs of a tsvector (''a b'': b at the position after a), sorted: knowledge.discoveries.summary_bigrams.';

alter table knowledge.discoveries add column summary_bigrams text[];
comment on column knowledge.discoveries.summary_bigrams is
'knowledge.tsv_bigrams(summary_vector), filled by triggers; the phrase index of search (GIN, discoveries_summary_bigrams_idx).';

-- from the summary itself: summary_vector (generated) is computed only after BEFORE triggers
create function knowledge.discoveries_fill_bigrams() returns trigger
language plpgsql
set search_path = knowledge, pg_catalog
as $$
begin
  new.summary_bigrams := knowledge.tsv_bigrams(to_tsvector('english', coalesce(new.summary, '')));
  return new;
end;
$$;
comment on function knowledge.discoveries_fill_bigrams() is
'BEFORE trigger of knowledge.discoveries: sets summary_bigrams from the summary (the expression of summary_vector).';

create trigger discoveries_bigrams_insert before insert on knowledge.discoveries
  for each row execute function knowledge.discoveries_fill_bigrams();
-- a new summary, or any update of a row 000021 has not reached yet (the check below); 000021 itself
-- sets the column (from summary_vector), so the trigger does not compute it twice
create trigger discoveries_bigrams_update before update on knowledge.discoveries
  for each row when (new.summary is distinct from old.summary or new.summary_bigrams is null)
  execute function knowledge.discoveries_fill_bigrams();

-- checked for new and updated rows now, for the existing ones by 000021 once it filled them
alter table knowledge.discoveries add constraint discoveries_summary_bigrams_filled
  check (summary_bigrams is not null) not valid;

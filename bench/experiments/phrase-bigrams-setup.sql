-- Prototype (scratch database only, never a kept corpus): adjacent-lexeme bigrams of summary_vector
-- in a text[] column with its own GIN index, so that a two-word phrase is one exact index probe.
create or replace function knowledge.tsv_bigrams(v tsvector) returns text[]
language sql immutable parallel safe as $$
  select coalesce(array_agg(distinct a.lexeme || ' ' || b.lexeme), '{}')
  from (select u.lexeme, p from unnest(v) u, unnest(u.positions) p) a
  join (select u.lexeme, p from unnest(v) u, unnest(u.positions) p) b on b.p = a.p + 1
$$;
alter table knowledge.discoveries add column if not exists summary_bigrams text[];
update knowledge.discoveries set summary_bigrams = knowledge.tsv_bigrams(summary_vector);
create index if not exists discoveries_summary_bigrams_idx on knowledge.discoveries using gin (summary_bigrams);
vacuum analyze knowledge.discoveries;

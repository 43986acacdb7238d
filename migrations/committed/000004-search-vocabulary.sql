--! Previous: sha1:7e72c81f883fcc87f9e9916074411aa7760271c0
--! Hash: sha1:0146fab8295f0454cbf3dcc5d7c1615554278eee
--! Message: search_vocabulary

-- The vocabulary of discovery summaries: every distinct lower-cased word (runs of letters and digits,
-- at most 64 characters), for the fuzzy path of knowledge.search_discoveries. A query word that the
-- full-text search does not find is matched against this table (thousands of rows, trigram index)
-- instead of against every summary (a trigram KNN over 100,000 summaries took 40-53 ms); the words it
-- finds are then searched through the summary's GIN index. Maintained by a statement-level trigger
-- (INSERT ... ON CONFLICT DO NOTHING: no lock on an existing word, so concurrent stores do not queue
-- on common words). Words are never removed when a summary changes or goes; a stale word can only
-- make the fuzzy path look for something that no longer matches.
create table knowledge.summary_words (
  word text primary key,
  constraint summary_words_format check (word ~ '^[[:alnum:]]{1,64}$')
);
-- GiST: nearest words by trigram distance (KNN, `word <-> query word`); GIN: words containing a fragment (LIKE).
create index summary_words_trgm_gist_idx on knowledge.summary_words using gist (word gist_trgm_ops);
create index summary_words_trgm_idx on knowledge.summary_words using gin (word gin_trgm_ops);

create function knowledge.summary_words_capture() returns trigger
language plpgsql
set search_path = knowledge, public
as $$
begin
  insert into knowledge.summary_words (word)
  select distinct w.word
  from new_rows n
  cross join lateral regexp_split_to_table(lower(n.summary), '[^[:alnum:]]+') as w(word)
  where w.word <> '' and char_length(w.word) <= 64
  on conflict do nothing;
  return null;
end;
$$;

create trigger discoveries_summary_words_insert after insert on knowledge.discoveries
  referencing new table as new_rows for each statement execute function knowledge.summary_words_capture();
create trigger discoveries_summary_words_update after update on knowledge.discoveries
  referencing new table as new_rows for each statement execute function knowledge.summary_words_capture();

insert into knowledge.summary_words (word)
select distinct w.word
from knowledge.discoveries d
cross join lateral regexp_split_to_table(lower(d.summary), '[^[:alnum:]]+') as w(word)
where w.word <> '' and char_length(w.word) <= 64
on conflict do nothing;

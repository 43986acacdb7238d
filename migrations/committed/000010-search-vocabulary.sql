--! Previous: sha1:a86be7cc993ad4d2e97d2fcc9d9312c2cc100f2d
--! Hash: sha1:1dfd892be2be67745430a83197a96cef4de11169
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

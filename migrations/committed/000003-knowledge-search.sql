--! Previous: sha1:a50780d8864940d5f25fc59f4547941f3f0382d8
--! Hash: sha1:7e72c81f883fcc87f9e9916074411aa7760271c0
--! Message: knowledge_search

-- Search indexes for knowledge.search_discoveries (sql/functions/knowledge.sql, docs/knowledge.md).
-- summary_vector: the summary alone as a tsvector. Search ranks summary matches first; with only the
-- combined search_vector every ranked row had to detoast its ~1 kB vector (≈ 9 µs a row, 0.5-0.8 s for
-- a common term at 100k discoveries). The summary vector is small (stored inline) and has its own GIN.
alter table knowledge.discoveries
  add column summary_vector tsvector generated always as (to_tsvector('english', coalesce(summary, ''))) stored;
create index discoveries_summary_search_idx on knowledge.discoveries using gin (summary_vector);

-- The trigram fallback orders by word-similarity distance (summary <->> query) and walks this GiST
-- index in that order (KNN) instead of collecting and sorting every word_similarity match. The default
-- 12-byte signature is saturated by an ~80-character summary (nearly every leaf has to be rechecked);
-- 256 bytes (28 MB at 100k discoveries) cut a fragment query from ~200 ms to ~45 ms.
create index discoveries_summary_trgm_gist_idx on knowledge.discoveries using gist (summary gist_trgm_ops (siglen = 256));

-- Candidates of a common word are the newest matches: an index-only walk of created_at desc that
-- checks summary_vector in the index tuple (no heap visit per rejected row; at 100k discoveries a
-- phrase matching 1% of summaries finds 200 candidates in ~5 ms instead of ~100 ms through the heap).
create index discoveries_created_summary_vector_idx on knowledge.discoveries (created_at desc, id) include (summary_vector);

--! Previous: sha1:787eb101c144c3282fed31e66f3898e1cdd2dcd4
--! Hash: sha1:8897da1a2a87f8a5d4b49e3bd3a060f18fd116aa
--! Message: summary_bigrams_index

--! no-transaction
-- The phrase index of knowledge.search_discoveries (000020): built concurrently, after the backfill
-- (000021) so that the backfill's updates did not insert into it; discoveries keep being stored
-- meanwhile. At 1,000,000 discoveries: docs/performance.md, "Phrase bigrams".
create index concurrently if not exists discoveries_summary_bigrams_idx on knowledge.discoveries using gin (summary_bigrams);

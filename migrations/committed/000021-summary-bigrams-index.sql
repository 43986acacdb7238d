--! Previous: sha1:6547a436c9b0f6e6f6ae001b9802d8c832ed79c0
--! Hash: sha1:fbd14a23c567a9a5270d948baae2d6725e9e96c8
--! Message: summary_bigrams_index

--! no-transaction
-- Phrase index of discovery summaries, part 2 (000020 has the why): GIN on the adjacent-lexeme pairs
-- of summary_vector. Built concurrently (SHARE UPDATE EXCLUSIVE: discoveries keep being read, stored
-- and updated meanwhile); 1,000,000 discoveries: docs/performance.md, "Phrase bigrams". A build that
-- fails leaves an INVALID index behind: drop it (`drop index concurrently
-- knowledge.discoveries_summary_bigrams_idx`) and migrate again.
create index concurrently if not exists discoveries_summary_bigrams_idx on knowledge.discoveries using gin (knowledge.tsv_bigrams(summary_vector));

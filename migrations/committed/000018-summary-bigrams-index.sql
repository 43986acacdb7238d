--! Previous: sha1:20d19cb7ff4cbccd468892e11bcd53515617ce8f
--! Hash: sha1:fea5926947b7593b4033c67d42df5c65cfe884fa
--! Message: summary_bigrams_index
--! LockTimeout: 2min
--! StatementTimeout: 2h

--! no-transaction
-- Phrase index of discovery summaries, part 2 (000017 has the why): GIN on the adjacent-lexeme pairs
-- of summary_vector. Built concurrently (SHARE UPDATE EXCLUSIVE: discoveries keep being read, stored
-- and updated meanwhile); 1,000,000 discoveries: docs/performance.md, "Phrase bigrams". The build
-- waits for the transactions older than it (lock_timeout 2 min instead of 5 s) and may take long on a
-- big table (statement_timeout 2 h). A build that fails leaves an INVALID index behind, which `if
-- not exists` would accept on the next run: drop it first (`drop index concurrently
-- knowledge.discoveries_summary_bigrams_idx`; docs/operations.md). Search is correct without it.
create index concurrently if not exists discoveries_summary_bigrams_idx on knowledge.discoveries using gin (knowledge.tsv_bigrams(summary_vector));

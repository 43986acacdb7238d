--! Previous: sha1:d64b4f6fea3d7bb50da2c802a5cbe5770afea98f
--! Hash: sha1:787eb101c144c3282fed31e66f3898e1cdd2dcd4
--! Message: summary_bigrams_backfill
--! StatementTimeout: 4h

--! no-transaction
-- Fills summary_bigrams (000020) for the rows that existed before it, in batches of 2,000 heap
-- blocks (TID range scans, in physical order), each committed on its own: no batch holds its row
-- locks for long, and a run that stops (timeout, cancel, crash) leaves committed batches behind; the
-- migration is then still pending and a new `govdb migrate` resumes it (only rows still null are
-- updated). New rows are filled by the triggers meanwhile. Rows an update moves behind the scanned
-- blocks are either filled already or filled by a later pass (the loop ends when none is null).
-- Then validates the NOT VALID check of 000020 (a scan under SHARE UPDATE EXCLUSIVE: reads and writes
-- continue). 1,000,000 discoveries: docs/performance.md, "Phrase bigrams"; afterwards a
-- `vacuum (analyze) knowledge.discoveries` returns the old row versions' space sooner than autovacuum.
-- One statement (a DO block): a no-transaction migration's statements would run as one implicit
-- transaction, and COMMIT inside DO works only outside one.
do $$
declare
  v_blocks bigint;
  v_from bigint;
  v_step constant bigint := 2000;
  v_left boolean := true;
begin
  while v_left loop
    v_from := 0;
    v_blocks := pg_relation_size('knowledge.discoveries') / current_setting('block_size')::bigint;
    while v_from < v_blocks loop
      update knowledge.discoveries d
         set summary_bigrams = knowledge.tsv_bigrams(d.summary_vector)
       where d.ctid >= format('(%s,0)', v_from)::tid and d.ctid < format('(%s,0)', v_from + v_step)::tid
         and d.summary_bigrams is null;
      commit;
      v_from := v_from + v_step;
    end loop;
    v_left := exists (select 1 from knowledge.discoveries d where d.summary_bigrams is null);
  end loop;
  alter table knowledge.discoveries validate constraint discoveries_summary_bigrams_filled;
end
$$;

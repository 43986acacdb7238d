--! Previous: sha1:95dbbefe67e93355feb789ee03a8bf47cb62cd94
--! Hash: sha1:b532bac6009429070c06c88ab2a1df798f46b8ce
--! Message: agents_status_created_index

--! no-transaction
-- Agents by status in creation order (core.list_agents' order), WITHOUT last_activity_at: every
-- process_agent_update sets last_activity_at and update_count, and an indexed column changing makes
-- the row update non-HOT, so each update inserted into every index of core.agents (six, one GIN).
-- Replaces agents_status_idx (status, last_activity_at desc), dropped by the next migration; no query
-- reads agents by last_activity_at through an index (the dashboard's list counts every match, the
-- reviewer choice looks at every candidate). Built concurrently: agents keep updating meanwhile.
create index concurrently if not exists agents_status_created_idx on core.agents (status, created_at desc);

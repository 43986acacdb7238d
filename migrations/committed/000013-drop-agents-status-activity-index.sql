--! Previous: sha1:b532bac6009429070c06c88ab2a1df798f46b8ce
--! Hash: sha1:bbbff4307adeb1d98151131e0e1550fc2a17a7e9
--! Message: drop_agents_status_activity_index

--! no-transaction
-- agents_status_idx (status, last_activity_at desc) made every agent update non-HOT (see the previous
-- migration, which built its replacement). Dropped concurrently: updates keep running meanwhile.
drop index concurrently if exists core.agents_status_idx;

--! Previous: sha1:bbbff4307adeb1d98151131e0e1550fc2a17a7e9
--! Hash: sha1:ccf26292186a1ea486e27514a704f1817cd5fe5e
--! Message: dashboard_notify_off_update_path

-- The EISV update path no longer sends NOTIFY. A transaction that queued a notification holds a
-- database-wide lock from pre-commit until its commit record is flushed, so with the dashboard
-- triggers of migration dashboard_live on core.agent_state and core.agents every
-- process_agent_update committed one at a time on a durable server (docs/performance.md: 16
-- clients, 121 updates/s with the triggers against 509/s without, same run). The dashboard's live
-- channel learns of updates by polling core.dashboard_update_cursor() (the newest agent_state id, an
-- index read) while a page is open. Other writes to core.agents (status transitions, label, tags,
-- key rotation, onboarding) still notify; the counter-only update of process_agent_update (it
-- changes update_count, nothing else a page shows but last_activity_at) is skipped by the WHEN.
drop trigger if exists dashboard_notify on core.agent_state;
drop trigger if exists dashboard_notify on core.agents;
create trigger dashboard_notify_insert after insert on core.agents
  for each statement execute function core.dashboard_notify();
create trigger dashboard_notify_update after update on core.agents
  for each row when (old.update_count is not distinct from new.update_count)
  execute function core.dashboard_notify();

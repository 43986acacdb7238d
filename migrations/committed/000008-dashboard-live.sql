--! Previous: sha1:022ee4a41917c70a537c2208a88f793e87cd83b6
--! Hash: sha1:b4afa954eb3a1e4fb4356299a51f0f7af3e77838
--! Message: dashboard_live

-- Live updates for the operator dashboard (docs/dashboard.md): a statement-level trigger on each
-- table the dashboard shows sends NOTIFY govdb_dashboard with the table's name. Every server process
-- LISTENs once and pushes a change event to its open pages, so a write made through any process
-- reaches pages served by all of them. Statement-level (one notification per statement, and
-- PostgreSQL folds identical notifications of one transaction into one), so a bulk import does not
-- flood the channel; the notification is sent at commit, never for a rolled-back write.
create or replace function core.dashboard_notify() returns trigger
language plpgsql
as $fn$
begin
  perform pg_notify('govdb_dashboard', tg_table_schema || '.' || tg_table_name);
  return null;
end;
$fn$;

create trigger dashboard_notify after insert or update on core.agent_state
  for each statement execute function core.dashboard_notify();
create trigger dashboard_notify after insert or update on core.agents
  for each statement execute function core.dashboard_notify();
create trigger dashboard_notify after insert on core.agent_lifecycle_events
  for each statement execute function core.dashboard_notify();
create trigger dashboard_notify after insert or update on core.dialectic_sessions
  for each statement execute function core.dashboard_notify();
create trigger dashboard_notify after insert or update on knowledge.discoveries
  for each statement execute function core.dashboard_notify();
create trigger dashboard_notify after insert on audit.events
  for each statement execute function core.dashboard_notify();

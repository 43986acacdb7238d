--! Previous: sha1:1dfd892be2be67745430a83197a96cef4de11169
--! Hash: sha1:95dbbefe67e93355feb789ee03a8bf47cb62cd94
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

--! Previous: sha1:022ee4a41917c70a537c2208a88f793e87cd83b6
--! Hash: sha1:c847fb0df8831ed9ee57d30b865a2ac45c872ee8
--! Message: governance_integrity

-- Governance integrity (docs/lifecycle.md): one lifecycle state machine in SQL.
--
-- * core.agent_status_transitions is THE table of allowed status changes: from, to, and who may make
--   the change (authority): 'self' (the agent itself), 'reviewer' (a resolved dialectic review of the
--   agent, applied inside the synthesis transaction), 'admin' (an operator with the admin token) and
--   'system' (governance decisions, e.g. the pause of process_agent_update).
-- * A pause is sticky: core.agents.pause_hold_since is set when an agent is paused and survives
--   archive and delete (a paused agent is held even when the column is null, e.g. an imported one). Rows with when_held = false are refused while the hold is on; the hold ends
--   only with a transition to active by a reviewer or an admin.
-- * core.transition_agent (sql/functions/agents.sql) is the one function that changes a status. The
--   trigger below refuses any other UPDATE of status or pause_hold_since, so a new code path cannot
--   bypass the table by writing the column directly.

alter table core.agents add column pause_hold_since timestamptz;
comment on column core.agents.pause_hold_since is
  'Set when the agent was paused; kept through archive and delete; cleared only by a resume from a resolved review or an admin.';
update core.agents set pause_hold_since = coalesce(paused_at, updated_at) where status = 'paused';
alter table core.agents add constraint agents_pause_hold_status
  check (pause_hold_since is null or status in ('paused', 'archived', 'deleted')) not valid; -- validated by 000009 without blocking writes

create table core.agent_status_transitions (
  from_status core.agent_status not null,
  to_status core.agent_status not null,
  authority text not null,
  when_held boolean not null,
  note text not null,
  primary key (from_status, to_status, authority),
  constraint agent_status_transitions_authority check (authority in ('self', 'reviewer', 'admin', 'system')),
  constraint agent_status_transitions_changes check (from_status <> to_status),
  -- only a reviewer or an admin ends a pause hold
  constraint agent_status_transitions_hold_end check (
    not (to_status = 'active' and when_held) or authority in ('reviewer', 'admin'))
);
comment on table core.agent_status_transitions is
  'Allowed agent status changes and who may make them (docs/lifecycle.md). when_held: allowed while a pause hold is on.';

insert into core.agent_status_transitions (from_status, to_status, authority, when_held, note) values
  ('active', 'paused', 'self', false, 'the agent pauses itself'),
  ('active', 'paused', 'admin', false, 'an operator pauses the agent'),
  ('active', 'paused', 'system', false, 'a governance decision pauses the agent'),
  ('active', 'waiting_input', 'self', false, 'the agent waits for input'),
  ('active', 'waiting_input', 'admin', false, 'an operator marks the agent waiting'),
  ('active', 'archived', 'self', false, 'the agent archives itself'),
  ('active', 'archived', 'admin', false, 'an operator archives the agent'),
  ('active', 'deleted', 'self', false, 'the agent deletes itself'),
  ('active', 'deleted', 'admin', false, 'an operator deletes the agent'),
  ('waiting_input', 'active', 'self', false, 'the agent got its input'),
  ('waiting_input', 'active', 'admin', false, 'an operator resumes the agent'),
  ('waiting_input', 'paused', 'self', false, 'the agent pauses itself'),
  ('waiting_input', 'paused', 'admin', false, 'an operator pauses the agent'),
  ('waiting_input', 'paused', 'system', false, 'a governance decision pauses the agent'),
  ('waiting_input', 'archived', 'self', false, 'the agent archives itself'),
  ('waiting_input', 'archived', 'admin', false, 'an operator archives the agent'),
  ('waiting_input', 'deleted', 'self', false, 'the agent deletes itself'),
  ('waiting_input', 'deleted', 'admin', false, 'an operator deletes the agent'),
  ('paused', 'active', 'reviewer', true, 'a resolved dialectic review resumes the agent (ends the hold)'),
  ('paused', 'active', 'admin', true, 'an operator resumes the agent (ends the hold)'),
  ('paused', 'archived', 'self', true, 'the paused agent archives itself; the hold stays'),
  ('paused', 'archived', 'admin', true, 'an operator archives the paused agent; the hold stays'),
  ('paused', 'deleted', 'self', true, 'the paused agent deletes itself; the hold stays'),
  ('paused', 'deleted', 'admin', true, 'an operator deletes the paused agent; the hold stays'),
  ('archived', 'active', 'self', false, 'an archived agent without a pause hold resumes itself'),
  ('archived', 'active', 'admin', true, 'an operator resumes an archived agent (ends any hold)'),
  ('archived', 'paused', 'admin', true, 'an operator returns a held archived agent to paused, so it can be reviewed'),
  ('archived', 'paused', 'self', true, 'a held archived agent returns to paused to ask for its review'),
  ('archived', 'deleted', 'self', true, 'an archived agent deletes itself; a hold stays'),
  ('archived', 'deleted', 'admin', true, 'an operator deletes an archived agent; a hold stays');

-- Every UPDATE of status or pause_hold_since must come from core.transition_agent, which sets the
-- transaction-local setting govdb.status_change to the agent id for the duration of its UPDATE. The
-- legacy importer (which replays recorded states) is the one exception: it holds the session
-- advisory lock of core.import_try_lock.
create function core.guard_agent_status() returns trigger
language plpgsql as $$
begin
  if (new.status is distinct from old.status or new.pause_hold_since is distinct from old.pause_hold_since)
     and coalesce(current_setting('govdb.status_change', true), '') is distinct from old.id
     and not exists (select 1 from pg_locks l
                     where l.locktype = 'advisory' and l.pid = pg_backend_pid() and l.objsubid = 1 and l.granted
                       and ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('govdb.legacy_import')::bigint) then
    raise exception using errcode = 'GV422', detail = 'STATUS_CHANGE_OUTSIDE_STATE_MACHINE',
      message = format('Agent "%s": status %s -> %s was written directly; status changes go through core.transition_agent',
                       old.id, old.status, new.status),
      hint = 'Call core.transition_agent (docs/lifecycle.md).';
  end if;
  return new;
end;
$$;
create trigger agents_status_guard before update of status, pause_hold_since on core.agents
  for each row execute function core.guard_agent_status();

-- Read-only Cypher (graph_query) runs under this role: SELECT/USAGE on the graph and ag_catalog only
-- (granted by knowledge.grant_graph_reader, sql/functions/graph_query.sql, once the graph exists), so a
-- write cannot succeed even if the query check were wrong. Roles are cluster-wide: create it once.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'govdb_graph_reader') then
    create role govdb_graph_reader nologin;
  end if;
end;
$$;

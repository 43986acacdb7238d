--! Previous: sha1:fea5926947b7593b4033c67d42df5c65cfe884fa
--! Hash: sha1:b9ebfc560686da70efae742e6472dfed430fd7d8
--! Message: agent_activity

-- An agent's update counter and last activity leave the agent row (docs/performance.md "Fourth pass:
-- counters out of the agent row"). process_agent_update rewrote the 20-column core.agents row (14
-- CHECKs, a row trigger, six indexes) on every call only to bump two columns: 38% of the backend CPU
-- of an update (paired A/B). The counters now live in this narrow row, updated HOT in place (the
-- primary key is its only index, fillfactor leaves room for the new version on the same page); the
-- agent row is only locked (FOR NO KEY UPDATE) to keep one agent's updates and its status
-- transitions in order.
--
-- core.agents.update_count and core.agents.last_activity_at stay, superseded and frozen (no current
-- function writes or reads them), so that a server that still runs the previous functions keeps
-- working while `govdb migrate` runs; a later migration drops them with these bridge triggers:
-- * an inserted agent row gets its activity row, carrying the inserted values (onboarding, the
--   importer's placeholders and any direct insert; the importer then sets the legacy values);
-- * a change of the superseded columns (the previous process_agent_update, until the functions step
--   of the same `govdb migrate` run replaces it) carries its increment and time to the activity row.
-- The backfill runs after the triggers exist: creating them takes SHARE ROW EXCLUSIVE on core.agents
-- until commit, so no agent update commits between the backfill's read and the triggers.
create table core.agent_activity (
  agent_id text primary key references core.agents (id) on delete cascade,
  update_count bigint not null default 0,
  last_activity_at timestamptz,
  constraint agent_activity_update_count_nonnegative check (update_count >= 0)
) with (fillfactor = 50);

comment on table core.agent_activity is
'One row per agent (created with the agent): update_count, the number of EISV updates accepted (legacy agents: the legacy count plus the updates since the import), and last_activity_at, the time of the latest one (null before the first). Written by core.process_agent_update under the agent row''s lock, and by the legacy importer.';
comment on column core.agents.update_count is 'Superseded by core.agent_activity.update_count (migration agent_activity); frozen, to be dropped.';
comment on column core.agents.last_activity_at is 'Superseded by core.agent_activity.last_activity_at (migration agent_activity); frozen, to be dropped.';

create function core.agent_activity_bridge() returns trigger
language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into core.agent_activity (agent_id, update_count, last_activity_at)
    values (new.id, new.update_count, new.last_activity_at)
    on conflict (agent_id) do nothing;
  else
    insert into core.agent_activity as x (agent_id, update_count, last_activity_at)
    values (new.id, new.update_count, new.last_activity_at)
    on conflict (agent_id) do update
      set update_count = greatest(x.update_count + (new.update_count - old.update_count), 0),
          last_activity_at = new.last_activity_at;
  end if;
  return null;
end;
$$;
comment on function core.agent_activity_bridge() is
'Trigger on core.agents (migration agent_activity) while the superseded columns update_count and last_activity_at exist: an inserted agent gets its core.agent_activity row with the inserted values; a change of those columns adds its increment and sets the time on the activity row.';

create trigger agent_activity_insert after insert on core.agents
  for each row execute function core.agent_activity_bridge();
create trigger agent_activity_update after update of update_count, last_activity_at on core.agents
  for each row when (old.update_count is distinct from new.update_count or old.last_activity_at is distinct from new.last_activity_at)
  execute function core.agent_activity_bridge();

insert into core.agent_activity (agent_id, update_count, last_activity_at)
select a.id, a.update_count, a.last_activity_at from core.agents a
on conflict (agent_id) do nothing;

-- Legacy import (docs/import.md), part 3: what runs once every batch is in: the merge by lifecycle
-- evidence and seq renumbering, the consistency check, and the counts the reconciliation compares.

-- ---------------------------------------------------------------- merge by evidence, consistency

create or replace function core.import_last_status_event(p_agent_id text)
returns table (event core.lifecycle_event_type, occurred_at timestamptz)
language sql stable rows 1 as $$
  select e.event, e.occurred_at
    from core.agent_lifecycle_events e
   where e.agent_id = p_agent_id and e.event in ('archived', 'resumed', 'deleted')
   order by e.occurred_at desc, case e.event when 'deleted' then 0 when 'archived' then 1 else 2 end
   limit 1
$$;

comment on function core.import_last_status_event(text) is
'The status event that speaks last for an agent: its latest archived, resumed or deleted lifecycle event (at equal times deleted, then archived, win); no row when it has none.
@nonnull *';

create or replace function core.import_settle()
returns table (agents_settled bigint, states_renumbered bigint)
language plpgsql as $$
declare
  v_agents bigint;
  v_states bigint;
begin
  with ev as (
    select a.id, a.status, a.archived_at, l.event, l.occurred_at,
           exists (select 1 from core.agent_lifecycle_events r
                    where r.agent_id = a.id and r.event = 'resumed' and r.occurred_at > a.archived_at) as resumed_after
      from core.agents a
      left join lateral core.import_last_status_event(a.id) l on true
     where a.origin = 'legacy' and not a.metadata @> '{"placeholder": true}'
  ),
  target as (
    select ev.id, ev.status as old_status,
           case when ev.event = 'deleted' and ev.status <> 'deleted' then 'deleted'
                when ev.event = 'archived' and ev.status not in ('archived', 'deleted') then 'archived'
                when ev.archived_at is not null and not ev.resumed_after
                     and ev.status not in ('archived', 'deleted') then 'archived'
                when ev.event = 'resumed' and ev.status = 'archived' and ev.occurred_at > ev.archived_at then 'active'
           end::core.agent_status as new_status,
           ev.occurred_at
      from ev
  ),
  upd as (
    update core.agents a
       set status = t.new_status,
           archived_at = case when t.new_status = 'archived' then coalesce(a.archived_at, t.occurred_at) else a.archived_at end,
           deleted_at = case when t.new_status = 'deleted' then coalesce(a.deleted_at, t.occurred_at, a.updated_at) else null end,
           anomalies = case when 'status_from_lifecycle_evidence' = any(a.anomalies) then a.anomalies
                            else a.anomalies || array['status_from_lifecycle_evidence'] end,
           metadata = a.metadata || jsonb_build_object('legacy_status', coalesce(a.metadata -> 'legacy_status', to_jsonb(t.old_status)))
      from target t
     where a.id = t.id and t.new_status is not null
    returning 1
  )
  select count(*) into v_agents from upd;

  create temp table if not exists pg_temp.import_renumber (id bigint primary key, seq bigint) on commit drop;
  truncate pg_temp.import_renumber;
  insert into pg_temp.import_renumber
  select s.id, row_number() over (partition by s.agent_id order by s.recorded_at, s.state ->> 'import_key', s.id)
    from core.agent_state s
   where s.agent_id in (select agent_id from core.agent_state group by agent_id having bool_and(origin = 'legacy'));
  delete from pg_temp.import_renumber r using core.agent_state s where s.id = r.id and s.seq = r.seq;
  -- two steps (out of the way first, seq stays positive): the unique (agent_id, seq) index must hold after each statement
  update core.agent_state s set seq = r.seq + 1000000000000 from pg_temp.import_renumber r where s.id = r.id;
  update core.agent_state s set seq = r.seq from pg_temp.import_renumber r where s.id = r.id;
  get diagnostics v_states = row_count;
  return query select v_agents, v_states;
end;
$$;

comment on function core.import_settle() is
'After every batch is in: each legacy agent ends with the status its lifecycle evidence supports (docs/import.md "Merge rule"), flagged status_from_lifecycle_evidence with the snapshot''s status kept in metadata.legacy_status; agents whose whole state history is legacy get seq renumbered by (recorded_at, import_key), so the result does not depend on the order the files were read in.
One row: agents_settled (agents whose status changed), states_renumbered (state rows whose seq changed).
@nonnull *';

create or replace function core.import_consistency_check()
returns table (kind text, subject text, detail text)
language sql stable as $$
  select 'agent_status_vs_events', a.id,
         format('status %s, but the last status event is %s at %s', a.status, l.event, l.occurred_at)
    from core.agents a
    cross join lateral core.import_last_status_event(a.id) l
   where a.origin = 'legacy'
     and ((l.event = 'archived' and a.status not in ('archived', 'deleted'))
       or (l.event = 'deleted' and a.status <> 'deleted')
       or (l.event = 'resumed' and a.status = 'archived' and l.occurred_at > a.archived_at))
  union all
  select 'agent_archived_at_vs_status', a.id,
         format('archived_at %s but status %s and no later resumed event', a.archived_at, a.status)
    from core.agents a
   where a.origin = 'legacy' and a.archived_at is not null and a.status not in ('archived', 'deleted')
     and not exists (select 1 from core.agent_lifecycle_events r
                      where r.agent_id = a.id and r.event = 'resumed' and r.occurred_at > a.archived_at)
  union all
  select 'dialectic_phase_vs_status', s.id,
         format('phase %s, status %s, resolution %s', s.phase, s.status, case when s.resolution is null then 'absent' else 'present' end)
    from core.dialectic_sessions s
   where s.origin = 'legacy'
     and (not ((s.status = 'active' and s.phase in ('thesis', 'antithesis', 'synthesis'))
               or s.status::text = s.phase::text)
          or (s.status = 'resolved' and s.resolution is null and not 'resolved_without_resolution' = any(s.anomalies))
          or (s.status <> 'resolved' and s.resolution is not null and not 'resolution_before_resolved' = any(s.anomalies)))
  order by 1, 2
$$;

comment on function core.import_consistency_check() is
'Contradictions among imported (origin legacy) rows; the import fails when there is any. One row per contradiction, ordered by kind and subject (an agent or dialectic session id):
agent_status_vs_events: the last archived/resumed/deleted event disagrees with the status;
agent_archived_at_vs_status: archived_at set, no later resumed event, status neither archived nor deleted;
dialectic_phase_vs_status: phase and status disagree, or a resolution that no phase or anomaly explains.
@nonnull *';

-- ---------------------------------------------------------------- reconciliation

create or replace function core.import_table_counts()
returns table (entity text, row_count bigint)
language sql stable as $$
  select 'agents', count(*) from core.agents
  union all select 'placeholder_agents', count(*) from core.agents where metadata @> '{"placeholder": true}'
  union all select 'lifecycle_events', count(*) from core.agent_lifecycle_events where details ? 'import_key'
  union all select 'parent_links', count(*) from core.agents where parent_agent_id is not null
  union all select 'sessions', count(*) from core.sessions
  union all select 'agent_states', count(*) from core.agent_state
  union all select 'dialectic_sessions', count(*) from core.dialectic_sessions
  union all select 'dialectic_messages', count(*) from core.dialectic_messages
  union all select 'calibration_bins', count(*) from core.calibration
  union all select 'discoveries', count(*) from knowledge.discoveries
  union all select 'discovery_tags', count(*) from knowledge.discovery_tags
  union all select 'discovery_edges', count(*) from knowledge.discovery_edges
  union all select 'distinct_tags', count(distinct tag) from knowledge.discovery_tags
  union all select 'edges_' || t::text, (select count(*) from knowledge.discovery_edges e where e.edge_type = t)
    from unnest(enum_range(null::knowledge.edge_type)) t
  union all select 'audit_events', count(*) from audit.events where source = 'legacy-import'
  union all select 'tool_usage', count(*) from audit.tool_usage where source = 'legacy-import'
$$;

comment on function core.import_table_counts() is
'Row counts of every destination of the import, one row per entity (agents, placeholder_agents, lifecycle_events with an import_key, parent_links, sessions, agent_states, dialectic_sessions, dialectic_messages, calibration_bins, discoveries, discovery_tags, discovery_edges, distinct_tags, edges_<edge type>, and audit_events / tool_usage with source legacy-import).
@nonnull *';

create or replace function knowledge.import_graph_counts()
returns table (kind text, label text, row_count bigint)
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $$
begin
  if not exists (select 1 from ag_catalog.ag_graph where name = 'governance_graph') then
    return;
  end if;
  return query
  select 'vertex', trim(both '"' from l::text), c::text::bigint
    from ag_catalog.cypher('governance_graph', $cy$ MATCH (n) RETURN label(n), count(*) $cy$) as (l agtype, c agtype);
  return query
  select 'edge', trim(both '"' from l::text), c::text::bigint
    from ag_catalog.cypher('governance_graph', $cy$ MATCH ()-[e]->() RETURN label(e), count(*) $cy$) as (l agtype, c agtype);
end;
$$;

comment on function knowledge.import_graph_counts() is
'Vertex and edge counts per label in the AGE graph governance_graph: kind is vertex or edge; no rows when the graph does not exist.
@nonnull *';

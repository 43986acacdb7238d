-- Operator dashboard reads (src/http/dashboard/, docs/dashboard.md). Every function here is
-- read-only (stable) and bounded: lists are paginated (limit/offset or after-seq) and use the
-- existing indexes (agents_status_created_idx, agent_state_agent_seq_key, agent_state_recorded_idx,
-- dialectic_sessions_*_idx, the audit (occurred_at, id) keys). Writes made from the dashboard go
-- through the domain services, never through this file.

create or replace function core.dashboard_check_page(p_limit integer, p_offset integer, p_max integer)
returns void
language plpgsql immutable
as $fn$
begin
  if p_limit is null or p_limit < 1 or p_limit > p_max then
    raise exception using errcode = 'GV400', detail = 'INVALID_PAGE',
      message = format('limit is %s, expected 1 to %s', coalesce(p_limit::text, 'null'), p_max);
  end if;
  if p_offset is null or p_offset < 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_PAGE',
      message = format('offset is %s, expected 0 or more', coalesce(p_offset::text, 'null'));
  end if;
end;
$fn$;
comment on function core.dashboard_check_page(integer,integer,integer) is
'Raises GV400 INVALID_PAGE when a limit is outside 1..p_max or an offset is negative.';

create or replace function core.dashboard_fleet()
returns jsonb
language sql stable
as $fn$
  with recent as (
    select s.decision::text as decision, s.verdict::text as verdict, s.recorded_at >= now() - interval '1 hour' as in_hour
    from core.agent_state s
    where s.recorded_at >= now() - interval '1 day'
  )
  select jsonb_build_object(
    'as_of', now(),
    'agents_total', (select count(*) from core.agents),
    'agents_by_status', coalesce((select jsonb_object_agg(status, n) from (select status::text, count(*) as n from core.agents group by 1) x), '{}'),
    'updates', jsonb_build_object(
      'hour', (select count(*) from recent where in_hour),
      'day', (select count(*) from recent)),
    'decisions', jsonb_build_object(
      'hour', coalesce((select jsonb_object_agg(decision, n) from (select coalesce(decision, 'none') as decision, count(*) as n from recent where in_hour group by 1) x), '{}'),
      'day', coalesce((select jsonb_object_agg(decision, n) from (select coalesce(decision, 'none') as decision, count(*) as n from recent group by 1) x), '{}')),
    'verdicts', jsonb_build_object(
      'hour', coalesce((select jsonb_object_agg(verdict, n) from (select verdict, count(*) as n from recent where in_hour group by 1) x), '{}'),
      'day', coalesce((select jsonb_object_agg(verdict, n) from (select verdict, count(*) as n from recent group by 1) x), '{}')),
    'dialectic_by_status', coalesce((select jsonb_object_agg(status, n) from (select status::text, count(*) as n from core.dialectic_sessions group by 1) x), '{}'),
    'discoveries_by_status', coalesce((select jsonb_object_agg(status, n) from (select status::text, count(*) as n from knowledge.discoveries group by 1) x), '{}'),
    'audit_events', jsonb_build_object(
      'hour', (select count(*) from audit.events where occurred_at >= now() - interval '1 hour'),
      'day', (select count(*) from audit.events where occurred_at >= now() - interval '1 day'))
  );
$fn$;
comment on function core.dashboard_fleet() is
'Fleet summary for the dashboard as one JSON object.
Shape: {as_of, agents_total, agents_by_status: {status: n}, updates: {hour, day}, decisions: {hour: {decision: n}, day}, verdicts: {hour, day}, dialectic_by_status, discoveries_by_status, audit_events: {hour, day}}.
@nonnull *';

create or replace function core.dashboard_agents(
  p_status text default null, p_search text default null, p_limit integer default 500, p_offset integer default 0)
returns table (
  id text, label text, status text, purpose text, tags text[], parent_agent_id text, update_count bigint,
  created_at timestamptz, last_activity_at timestamptz,
  risk double precision, coherence double precision, verdict text, decision text, total_count bigint)
language plpgsql stable rows 50 -- one page of the agent table
as $fn$
#variable_conflict use_column
declare
  v_total bigint;
begin
  perform core.dashboard_check_page(p_limit, p_offset, 5000);
  if p_status is null and p_search is null then
    -- the whole fleet: the page's order is core.agent_activity's alone (every agent has exactly one
    -- row there: created with the agent, trigger agent_activity_insert; backfilled by its migration),
    -- so the top of the narrow table is sorted without joining every agent
    return query
    with page as (
      select x.agent_id, x.update_count, x.last_activity_at from core.agent_activity x
      order by x.last_activity_at desc nulls last, x.agent_id
      limit p_limit offset p_offset
    )
    select a.id, a.label, a.status::text, a.purpose, a.tags, a.parent_agent_id, pg.update_count,
      a.created_at, pg.last_activity_at, s.risk, s.coherence, s.verdict::text, s.decision::text,
      (select count(*) from core.agents)
    from page pg
    join core.agents a on a.id = pg.agent_id
    left join lateral (
      select st.risk, st.coherence, st.verdict, st.decision from core.agent_state st
      where st.agent_id = a.id order by st.seq desc limit 1
    ) s on true
    order by pg.last_activity_at desc nulls last, a.id;
    return;
  end if;
  -- filtered: the count alone, then the page's top-N (a window count over the join would sort every
  -- matching agent)
  select count(*) into v_total from core.agents a
   where (p_status is null or a.status::text = p_status)
     and (p_search is null or a.id ilike p_search || '%' or a.label ilike p_search || '%');
  if v_total = 0 then return; end if;
  return query
  with matching as (
    -- the counters come from core.agent_activity (core.agents.update_count/last_activity_at are superseded)
    select a.id, a.label, a.status, a.purpose, a.tags, a.parent_agent_id, a.created_at,
           coalesce(x.update_count, 0) as activity_count, x.last_activity_at as activity_at
    from core.agents a left join core.agent_activity x on x.agent_id = a.id
    where (p_status is null or a.status::text = p_status)
      and (p_search is null or a.id ilike p_search || '%' or a.label ilike p_search || '%')
    order by x.last_activity_at desc nulls last, a.id
    limit p_limit offset p_offset
  )
  select m.id, m.label, m.status::text, m.purpose, m.tags, m.parent_agent_id, m.activity_count,
    m.created_at, m.activity_at, s.risk, s.coherence, s.verdict::text, s.decision::text, v_total
  from matching m
  left join lateral (
    select st.risk, st.coherence, st.verdict, st.decision from core.agent_state st
    where st.agent_id = m.id order by st.seq desc limit 1
  ) s on true
  order by m.activity_at desc nulls last, m.id;
end;
$fn$;
comment on function core.dashboard_agents(text,text,integer,integer) is
'One page of agents for the dashboard, latest activity first, each with its latest EISV risk, coherence, verdict and decision (null without a state).
p_status filters by status, p_search by id or label prefix (case-insensitive). total_count is the number of matching agents, the same on every row. limit 1..5000.
Errors: GV400 INVALID_PAGE.
@nonnull id, status, tags, update_count, created_at, total_count';

create or replace function core.dashboard_agent(p_agent_id text)
returns jsonb
language plpgsql stable
as $fn$
declare
  v_agent core.agents;
begin
  select * into v_agent from core.agents where id = p_agent_id;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND', message = format('No agent with id "%s"', p_agent_id);
  end if;
  return jsonb_build_object(
    -- the counters from core.agent_activity replace the superseded columns of the agent row
    'agent', (to_jsonb(v_agent) - 'api_key_hash')
             || (select jsonb_build_object('update_count', coalesce(x.update_count, 0), 'last_activity_at', x.last_activity_at)
                   from (select 1) one left join core.agent_activity x on x.agent_id = p_agent_id),
    'state_count', (select count(*) from core.agent_state where agent_id = p_agent_id),
    'parent', (select jsonb_build_object('id', p.id, 'label', p.label, 'status', p.status) from core.agents p where p.id = v_agent.parent_agent_id),
    'children', coalesce((select jsonb_agg(jsonb_build_object('id', c.id, 'label', c.label, 'status', c.status, 'spawn_reason', c.spawn_reason, 'created_at', c.created_at) order by c.created_at desc)
      from (select * from core.agents where parent_agent_id = p_agent_id order by created_at desc limit 200) c), '[]'),
    'lifecycle', coalesce((select jsonb_agg(to_jsonb(e) order by e.occurred_at desc, e.id desc)
      from (select id, event, from_status, to_status, reason, actor, occurred_at from core.agent_lifecycle_events
            where agent_id = p_agent_id order by occurred_at desc, id desc limit 200) e), '[]'),
    'discoveries', coalesce((select jsonb_agg(to_jsonb(d) order by d.created_at desc)
      from (select id, discovery_type as type, severity, status, summary, tags, created_at from knowledge.discoveries
            where agent_id = p_agent_id order by created_at desc limit 100) d), '[]'),
    'dialectic', coalesce((select jsonb_agg(to_jsonb(s) order by s.created_at desc)
      from (select id, session_type, phase, status, paused_agent_id, reviewer_agent_id, topic, created_at, resolved_at
            from core.dialectic_sessions where paused_agent_id = p_agent_id or reviewer_agent_id = p_agent_id
            order by created_at desc limit 100) s), '[]')
  );
end;
$fn$;
comment on function core.dashboard_agent(text) is
'One agent for the dashboard agent view as one JSON object (never the API key hash).
Shape: {agent, state_count, parent: {id, label, status} | null, children (200 newest), lifecycle (200 newest events), discoveries (100 newest), dialectic (100 newest sessions)}.
Errors: GV404 AGENT_NOT_FOUND.
@nonnull *';

create or replace function core.dashboard_trajectory(p_agent_id text, p_after_seq bigint default 0, p_limit integer default 10000)
returns table (
  seq bigint, recorded_at timestamptz, energy double precision, information double precision,
  entropy double precision, void double precision, coherence double precision, risk double precision,
  verdict text, decision text, regime text)
language plpgsql stable rows 5000 -- a trajectory: thousands of points
as $fn$
#variable_conflict use_column
begin
  perform core.dashboard_check_page(p_limit, 0, 20000);
  return query
  select s.seq, s.recorded_at, s.energy, s.information, s.entropy, s.void, s.coherence, s.risk,
    s.verdict::text, s.decision::text, s.regime
  from core.agent_state s
  where s.agent_id = p_agent_id and s.seq > coalesce(p_after_seq, 0)
  order by s.seq
  limit p_limit;
end;
$fn$;
comment on function core.dashboard_trajectory(text,bigint,integer) is
'An agent''s EISV states after p_after_seq in seq order, at most p_limit (1..20000); page by passing the last seq.
Errors: GV400 INVALID_PAGE.
@nonnull seq, recorded_at, energy, information, entropy, void, coherence, risk, verdict, regime';

create or replace function core.dashboard_dialectic_sessions(
  p_status text default null, p_phase text default null, p_limit integer default 100, p_offset integer default 0)
returns table (
  id text, session_type text, phase text, status text, paused_agent_id text, reviewer_agent_id text,
  topic text, synthesis_round integer, created_at timestamptz, updated_at timestamptz, resolved_at timestamptz,
  messages bigint, total_count bigint)
language plpgsql stable rows 50 -- one page of sessions
as $fn$
#variable_conflict use_column
begin
  perform core.dashboard_check_page(p_limit, p_offset, 1000);
  return query
  select s.id, s.session_type::text, s.phase::text, s.status::text, s.paused_agent_id, s.reviewer_agent_id,
    s.topic, s.synthesis_round, s.created_at, s.updated_at, s.resolved_at,
    (select count(*) from core.dialectic_messages m where m.session_id = s.id),
    count(*) over ()
  from core.dialectic_sessions s
  where (p_status is null or s.status::text = p_status) and (p_phase is null or s.phase::text = p_phase)
  order by s.created_at desc, s.id
  limit p_limit offset p_offset;
end;
$fn$;
comment on function core.dashboard_dialectic_sessions(text,text,integer,integer) is
'One page of dialectic sessions for the dashboard, newest first, filtered by status and/or phase; limit 1..1000.
messages is the session''s message count; total_count the number of matching sessions (the same on every row).
Errors: GV400 INVALID_PAGE.
@nonnull id, session_type, phase, status, paused_agent_id, synthesis_round, created_at, updated_at, messages, total_count';

create or replace function core.dashboard_describe_edges(p_rows jsonb, p_limit integer)
returns table (direction text, edge_label text, other_label text, other_id text, other jsonb)
language sql stable rows 50 -- the edges of one vertex, bounded by p_limit
as $fn$
  with raw as (
    select trim(both '"' from e->>0) as dir, trim(both '"' from e->>1) as lbl,
      trim(both '"' from e->>2) as olabel, trim(both '"' from e->>3) as oid
    from jsonb_array_elements(p_rows) as e
  )
  select r.dir, r.lbl, r.olabel, r.oid,
    case r.olabel
      when 'Discovery' then (select jsonb_build_object('summary', d.summary, 'type', d.discovery_type, 'status', d.status, 'severity', d.severity)
                             from knowledge.discoveries d where d.id = r.oid)
      when 'Agent' then (select jsonb_build_object('label', a.label, 'status', a.status) from core.agents a where a.id = r.oid)
      else '{}'::jsonb
    end
  from raw r
  limit p_limit;
$fn$;
comment on function core.dashboard_describe_edges(jsonb,integer) is
'Turns raw neighbourhood rows (a JSON array of [direction, edge label, other label, other id], each agtype text) into rows describing the other vertex from the relational tables.
other: summary/type/status/severity for a Discovery, label/status for an Agent, {} otherwise; null when the row is gone. At most p_limit rows.';

create or replace function core.dashboard_neighbourhood(p_label text, p_id text, p_limit integer default 200)
returns table (direction text, edge_label text, other_label text, other_id text, other jsonb)
language plpgsql stable rows 50 -- the neighbourhood of one vertex, bounded by p_limit
set search_path = ag_catalog, core, knowledge, public
as $fn$
#variable_conflict use_column
declare
  v_params agtype := ag_catalog.agtype_build_map('id', p_id);
begin
  perform core.dashboard_check_page(p_limit, 0, 500);
  if p_label is null or p_label not in ('Discovery', 'Agent', 'Tag') then
    raise exception using errcode = 'GV400', detail = 'INVALID_LABEL',
      message = format('label "%s" is not a graph vertex label: expected Discovery, Agent or Tag', coalesce(p_label, 'null'));
  end if;
  -- one constant Cypher text per label (AGE needs the query text constant; a label scans one table)
  if p_label = 'Discovery' then
    return query select * from core.dashboard_describe_edges((
    select coalesce(jsonb_agg(jsonb_build_array(r.dir::text, r.lbl::text, r.olabel::text, r.oid::text)), '[]'::jsonb)
    from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[r]->(o) WHERE s.id = $id RETURN 'out', label(r), label(o), o.id
      UNION ALL
      MATCH (s:Discovery)<-[r]-(o) WHERE s.id = $id RETURN 'in', label(r), label(o), o.id
    $cy$, v_params) as r(dir agtype, lbl agtype, olabel agtype, oid agtype)
    ), p_limit);
  elsif p_label = 'Agent' then
    return query select * from core.dashboard_describe_edges((
    select coalesce(jsonb_agg(jsonb_build_array(r.dir::text, r.lbl::text, r.olabel::text, r.oid::text)), '[]'::jsonb)
    from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Agent)-[r]->(o) WHERE s.id = $id RETURN 'out', label(r), label(o), o.id
      UNION ALL
      MATCH (s:Agent)<-[r]-(o) WHERE s.id = $id RETURN 'in', label(r), label(o), o.id
    $cy$, v_params) as r(dir agtype, lbl agtype, olabel agtype, oid agtype)
    ), p_limit);
  else
    return query select * from core.dashboard_describe_edges((
    select coalesce(jsonb_agg(jsonb_build_array(r.dir::text, r.lbl::text, r.olabel::text, r.oid::text)), '[]'::jsonb)
    from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Tag)-[r]->(o) WHERE s.id = $id RETURN 'out', label(r), label(o), o.id
      UNION ALL
      MATCH (s:Tag)<-[r]-(o) WHERE s.id = $id RETURN 'in', label(r), label(o), o.id
    $cy$, v_params) as r(dir agtype, lbl agtype, olabel agtype, oid agtype)
    ), p_limit);
  end if;
end;
$fn$;
comment on function core.dashboard_neighbourhood(text,text,integer) is
'The neighbourhood of one AGE vertex (label Discovery, Agent or Tag, by id): every edge in (direction in) or out (out) of it with the vertex at its other end, at most p_limit (1..500).
Read-only Cypher. Errors: GV400 INVALID_LABEL / INVALID_PAGE.';

create or replace function core.dashboard_audit_chain(p_window integer default 1000)
returns jsonb
language plpgsql stable
as $fn$
declare
  v_result jsonb;
begin
  perform core.dashboard_check_page(p_window, 0, 100000);
  with recent as (
    select e.id, e.occurred_at, e.prev_hash from audit.events e order by e.occurred_at desc, e.id desc limit p_window
  ), unlinked as (
    select r.id, r.occurred_at from recent r
    where r.prev_hash is not null and not exists (select 1 from audit.event_hashes h where h.content_hash = r.prev_hash)
  )
  select jsonb_build_object(
    'checked', (select count(*) from recent),
    'unlinked', (select count(*) from unlinked),
    'first_unlinked', (select jsonb_build_object('id', u.id, 'occurred_at', u.occurred_at) from unlinked u order by u.occurred_at, u.id limit 1),
    'newest_at', (select max(occurred_at) from recent),
    'total_rejects', (select count(*) from audit.mirror_rejects)
  ) into v_result;
  return v_result;
end;
$fn$;
comment on function core.dashboard_audit_chain(integer) is
'The audit chain as the database sees it, for the dashboard: of the newest p_window (1..100000) mirrored events, how many name a previous hash that no mirrored event has.
Shape: {checked, unlinked, first_unlinked: {id, occurred_at} | null, newest_at, total_rejects}. govdb audit verify checks the JSONL files themselves; this is the cheap live signal.
Errors: GV400 INVALID_PAGE.
@nonnull *';

create or replace function core.dashboard_platform()
returns jsonb
language sql stable
as $fn$
  select jsonb_build_object(
    'ledger', coalesce((select jsonb_agg(jsonb_build_object('id', m.id, 'version', m.version, 'name', m.name, 'kind', m.kind,
        'file', m.file, 'checksum', m.checksum, 'applied_at', m.applied_at, 'execution_ms', m.execution_ms, 'applied_by', m.applied_by) order by m.id)
      from core.schema_migrations m), '[]'),
    'mirror_rejects', jsonb_build_object(
      'count', (select count(*) from audit.mirror_rejects),
      'recent', coalesce((select jsonb_agg(to_jsonb(r) order by r.id desc)
        from (select id, file_name, line_no, reason, excerpt, recorded_at from audit.mirror_rejects order by id desc limit 50) r), '[]')),
    'mirror_delay_seconds', (select extract(epoch from max(ingested_at - occurred_at)) from audit.events where occurred_at >= now() - interval '10 minutes'),
    'replication', coalesce((select jsonb_agg(jsonb_build_object('application_name', r.application_name, 'client_addr', r.client_addr::text,
        'state', r.state, 'sync_state', r.sync_state, 'replay_lag_seconds', extract(epoch from r.replay_lag),
        'write_lag_seconds', extract(epoch from r.write_lag)))
      from pg_stat_replication r), '[]'),
    'database_size_bytes', pg_database_size(current_database())
  );
$fn$;
comment on function core.dashboard_platform() is
'The data platform for the dashboard as one JSON object.
Shape: {ledger: every core.schema_migrations row in applied order, mirror_rejects: {count, recent (50 newest)}, mirror_delay_seconds (largest ingest delay over the last 10 minutes, null without events), replication: pg_stat_replication rows, database_size_bytes}.
@nonnull *';

create or replace function core.dashboard_changes()
returns jsonb
language sql stable
as $fn$
  select jsonb_build_object(
    'agent_state', (select max(id) from core.agent_state),
    'lifecycle', (select max(id) from core.agent_lifecycle_events),
    'agents', (select max(updated_at) from core.agents),
    'audit', (select max(occurred_at) from audit.events),
    'dialectic', (select max(updated_at) from core.dialectic_sessions),
    'discoveries', (select max(updated_at) from knowledge.discoveries)
  );
$fn$;
comment on function core.dashboard_changes() is
'A cheap change cursor that the dashboard live channel polls where LISTEN is not available (embedded store).
Shape: {agent_state, lifecycle (newest ids), agents, audit, dialectic, discoveries (newest update times)}; a value is null while its table is empty.
@nonnull *';

-- An identity id is taken at insert and becomes visible at commit, so ids do not become visible in
-- order: a transaction can commit after one that took a newer id. The newest id alone would then not
-- move when the older one commits, and open pages would miss that update; the count of the newest
-- 1,024 ids moves with it. (1,024 ids are about 0.4 s of updates at 2,500/s, far longer than an
-- update's transaction stays open.)
drop function if exists core.dashboard_update_cursor();
create function core.dashboard_update_cursor()
returns text
language sql stable
as $fn$
  select x.newest::text || ':' || (select count(*) from core.agent_state s where s.id > x.newest - 1024)::text
    from (select coalesce(max(id), 0) as newest from core.agent_state) x;
$fn$;
comment on function core.dashboard_update_cursor() is
'A cursor of committed EISV updates that the live channel polls while a page is open, since updates send no NOTIFY (migration dashboard_notify_off_update_path): "<newest core.agent_state id>:<rows among the newest 1,024 ids>" ("0:0" while the table is empty). It changes when an update commits, also one whose id is older than a row already visible (ids are taken at insert, visible at commit).
Two primary-key reads, independent of the table size.
@nonnull *';

-- dashboard_notify is defined by a migration; its description lives here with the functions it serves.
comment on function core.dashboard_notify() is
'Trigger (migrations 000011 and 000014): pg_notify on channel govdb_dashboard with the changed table (schema.table), sent at commit, for the dashboard live channel; not on the EISV update path (see core.dashboard_update_cursor).';

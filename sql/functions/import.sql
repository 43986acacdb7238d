-- Legacy import (issue 7, docs/import.md): set-based bulk upserts, one call per batch of normalised
-- records. This file: shared helpers, agents and their history (parents, lifecycle events, EISV
-- states, sessions). import_governance.sql: dialectic, calibration, knowledge. import_settle.sql:
-- what runs after the load (merge by evidence, consistency check, reconciliation counts). Audit
-- events and tool calls load through the server's own loaders, audit.insert_events /
-- audit.insert_tool_usage (audit.sql), with source 'legacy-import'.
--
-- Every loader takes a jsonb array of records already normalised by src/import (timestamps as
-- ISO-8601 strings with an explicit offset, enums spelled as in the schema, API keys already hashed).
-- A batch either commits whole or fails whole (one statement); the caller bisects a failing batch
-- to find and quarantine the offending record.

-- Replaced by the audit trail's loaders (audit.sql) and by calling knowledge.graph_rebuild() /
-- graph_verify() directly (issue 17): dropped here so that databases that had them lose them.
drop function if exists audit.import_events(jsonb);
drop function if exists audit.import_tool_usage(jsonb);
drop function if exists knowledge.import_call_graph_function(text);

-- ---------------------------------------------------------------- helpers

drop function if exists core.import_placeholder_agents(text[], text);
create or replace function core.import_placeholder_agents(p_ids text[], p_times timestamptz[], p_source text)
returns bigint
language plpgsql as $$
declare
  v_count bigint;
begin
  with refs as (
    select r.id, min(r.at) as first_at, max(r.at) as last_at
      from unnest(p_ids, p_times) as r(id, at)
     where r.id is not null
     group by r.id
  ),
  ins as (
    insert into core.agents as a (id, status, metadata, origin, anomalies, created_at, updated_at)
    select r.id, 'active'::core.agent_status,
           jsonb_build_object('placeholder', true, 'source', p_source,
             'reason', 'referenced by legacy data but absent from every legacy agent source'),
           'legacy',
           case when char_length(r.id) <= 128 and r.id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]*$' then '{}'::text[] else array['agent_id_format'] end
             || case when r.first_at is null then array['created_at_unknown'] else '{}'::text[] end,
           coalesce(r.first_at, now()), coalesce(r.last_at, r.first_at, now())
      from refs r
    on conflict (id) do update set
      created_at = least(a.created_at, excluded.created_at),
      updated_at = greatest(a.updated_at, excluded.updated_at),
      metadata = jsonb_set(a.metadata, '{source}', to_jsonb(least(a.metadata ->> 'source', excluded.metadata ->> 'source')))
    where a.metadata @> '{"placeholder": true}'
      and (excluded.created_at < a.created_at or excluded.updated_at > a.updated_at
           or excluded.metadata ->> 'source' < a.metadata ->> 'source')
    returning (xmax = 0) as was_inserted
  )
  select count(*) filter (where was_inserted) into v_count from ins;
  return v_count;
end;
$$;

comment on function core.import_placeholder_agents(text[], timestamptz[], text) is
'Creates a placeholder agent (origin legacy, metadata.placeholder true) for each referenced id that is not an agent yet; returns how many were created.
p_times[i] is when p_ids[i] was referenced (null: unknown). A placeholder''s created_at is its earliest reference and its updated_at its latest, and metadata.source the first source in name order, so the result does not depend on which file referenced it first. An id that breaks today''s id format is kept, with the anomaly agent_id_format; one never dated gets created_at_unknown.
@nonnull *';

create or replace function core.import_try_lock()
returns boolean
language sql as $$
  select pg_try_advisory_lock(hashtext('govdb.legacy_import')::bigint)
$$;

comment on function core.import_try_lock() is
'Takes the session-level advisory lock that keeps two legacy imports from interleaving; false when another session holds it.
@nonnull *';

create or replace function core.import_unlock()
returns boolean
language sql as $$
  select pg_advisory_unlock(hashtext('govdb.legacy_import')::bigint)
$$;

comment on function core.import_unlock() is
'Releases the legacy import lock taken by core.import_try_lock(); false when this session did not hold it.
@nonnull *';

-- ---------------------------------------------------------------- agents

drop function if exists core.import_agents(jsonb);
create or replace function core.import_agents(p_records jsonb)
returns table (inserted bigint, updated bigint, already_present bigint)
language plpgsql as $$
declare
  v_total bigint;
  v_bad record;
begin
  if jsonb_typeof(p_records) is distinct from 'array' then
    raise exception using errcode = 'GV400', message = format('import_agents expects a jsonb array, got %s', jsonb_typeof(p_records)),
      hint = 'Pass the batch as a JSON array of agent records.', detail = 'IMPORT_BATCH_NOT_ARRAY';
  end if;
  create temp table if not exists pg_temp.import_agent_batch (
    id text primary key, label text, status core.agent_status, purpose text, notes text, tags text[],
    spawn_reason text, api_key_hash text, metadata jsonb, update_count bigint, created_at timestamptz,
    updated_at timestamptz, paused_at timestamptz, archived_at timestamptz, deleted_at timestamptz,
    last_activity_at timestamptz, anomalies text[], evidence_at timestamptz, import_rank text) on commit drop;
  truncate pg_temp.import_agent_batch;
  -- the version with the most evidence wins (docs/import.md "Merge rule"): the newest updated_at,
  -- then the latest lifecycle evidence (an archived_at or event the other snapshot had not seen),
  -- then the content rank, so the result does not depend on the order of the files
  -- tags are stored as onboard stores them (core.normalize_tags, sorted); the legacy list is kept in
  -- metadata.legacy_tags when normalising changed it
  insert into pg_temp.import_agent_batch
  select distinct on (r.id) r.id, r.label, r.status, r.purpose, r.notes, core.normalize_tags(r.tags, p_sorted => true),
         r.spawn_reason, r.api_key_hash,
         case when coalesce(r.tags, '{}') = core.normalize_tags(r.tags, p_sorted => true) then r.metadata
              else coalesce(r.metadata, '{}') || jsonb_build_object('legacy_tags', to_jsonb(r.tags)) end,
         r.update_count, r.created_at, r.updated_at, r.paused_at, r.archived_at, r.deleted_at,
         r.last_activity_at, r.anomalies, r.evidence_at, r.import_rank
    from jsonb_to_recordset(p_records) as r(
      id text, label text, status core.agent_status, purpose text, notes text, tags text[],
      spawn_reason text, api_key_hash text, metadata jsonb, update_count bigint, created_at timestamptz,
      updated_at timestamptz, paused_at timestamptz, archived_at timestamptz, deleted_at timestamptz,
      last_activity_at timestamptz, anomalies text[], evidence_at timestamptz, import_rank text)
   order by r.id, r.updated_at desc nulls last, r.evidence_at desc nulls last, r.import_rank desc;
  get diagnostics v_total = row_count;
  -- over the schema's limit of 64 tags the batch is refused (the importer isolates and quarantines
  -- the record); the API's 64-character limit per tag is not applied to history
  select b.id, cardinality(b.tags) as n into v_bad from pg_temp.import_agent_batch b
   where cardinality(b.tags) > 64 order by b.id limit 1;
  if found then
    raise exception using errcode = 'GV400', detail = 'INVALID_TAGS',
      message = format('agent %s has %s distinct tags: at most 64 allowed', v_bad.id, v_bad.n);
  end if;

  -- the stored agents of the batch are locked first (the lock process_agent_update takes, in id order),
  -- so the upsert below reads their live updates after any concurrent update committed and none runs
  -- until this import commits (counted in the upsert's own snapshot, a concurrent one was lost)
  perform 1 from core.agents a where a.id in (select b.id from pg_temp.import_agent_batch b)
    order by a.id for no key update of a;

  -- the legacy update_count and last_activity_at go to core.agent_activity (the agent row's columns of
  -- those names are superseded): set as they happened for every agent row this batch inserted or
  -- replaced; a replaced agent that was updated natively since its import (live core.agent_state rows,
  -- one per accepted update) keeps those updates on top of the newer legacy count, and its latest time
  return query
  with upserted as (
    insert into core.agents as a (id, label, status, purpose, notes, tags, spawn_reason, api_key_hash, metadata,
                                  created_at, updated_at, paused_at, archived_at, deleted_at,
                                  origin, anomalies)
    select b.id, b.label, b.status, b.purpose, coalesce(b.notes, ''), coalesce(b.tags, '{}'), b.spawn_reason, b.api_key_hash,
           coalesce(b.metadata, '{}') || jsonb_build_object('import_evidence_at', b.evidence_at, 'import_rank', b.import_rank),
           b.created_at, b.updated_at, b.paused_at, b.archived_at,
           b.deleted_at, 'legacy', coalesce(b.anomalies, '{}')
      from pg_temp.import_agent_batch b
    on conflict (id) do update set
      label = excluded.label, status = excluded.status, purpose = excluded.purpose, notes = excluded.notes,
      tags = excluded.tags, spawn_reason = excluded.spawn_reason,
      api_key_hash = coalesce(excluded.api_key_hash, a.api_key_hash), metadata = excluded.metadata,
      created_at = excluded.created_at, updated_at = excluded.updated_at,
      paused_at = excluded.paused_at, archived_at = excluded.archived_at, deleted_at = excluded.deleted_at,
      origin = 'legacy', anomalies = excluded.anomalies
    -- a placeholder always yields to a real record; otherwise only a version with more evidence
    -- replaces (same order as within the batch); a live agent is never overwritten by history
    where a.metadata @> '{"placeholder": true}'
       or (a.origin = 'legacy'
           and (excluded.updated_at, (excluded.metadata ->> 'import_evidence_at')::timestamptz, excluded.metadata ->> 'import_rank')
             > (a.updated_at, coalesce((a.metadata ->> 'import_evidence_at')::timestamptz, '-infinity'), coalesce(a.metadata ->> 'import_rank', '')))
    returning a.id, (xmax = 0) as was_inserted
  ),
  activity as (
    insert into core.agent_activity as x (agent_id, update_count, last_activity_at)
    select b.id, coalesce(b.update_count, 0) + coalesce(n.updates, 0), greatest(b.last_activity_at, n.latest)
      from upserted u join pg_temp.import_agent_batch b on b.id = u.id
      left join lateral (select count(*) as updates, max(s.recorded_at) as latest from core.agent_state s
                          where not u.was_inserted and s.agent_id = b.id and s.origin <> 'legacy') n on true
    on conflict (agent_id) do update set update_count = excluded.update_count, last_activity_at = excluded.last_activity_at
  )
  select count(*) filter (where was_inserted), count(*) filter (where not was_inserted),
         v_total - count(*)
    from upserted;
end;
$$;

comment on function core.import_agents(jsonb) is
'Upserts a batch of normalised legacy agents (p_records: jsonb array of core.agents-shaped records plus evidence_at and import_rank); returns one row of counts.
Within the batch and against stored legacy rows the version with the most evidence wins (docs/import.md "Merge rule"): the newest updated_at, then the latest lifecycle evidence, then the content rank. The winner''s update_count and last_activity_at go to core.agent_activity; a replaced agent keeps its native updates since the import on top (count of its live core.agent_state rows, latest time). A placeholder always yields to a real record; a live (non-legacy) agent is never overwritten. inserted / updated / already_present count distinct ids.
Tags are normalised with core.normalize_tags (sorted, as onboard stores them); when that changed the list, the legacy list is kept whole in metadata.legacy_tags.
Errors: GV400 IMPORT_BATCH_NOT_ARRAY when p_records is not a jsonb array; GV400 INVALID_TAGS naming the first agent (by id) with more than 64 distinct tags (the whole batch is refused).
@nonnull *';

create or replace function core.import_agent_parents(p_links jsonb)
returns table (child_id text, parent_id text, outcome text)
language plpgsql as $$
begin
  return query
  with input as (
    select distinct on (l.child_id) l.child_id, l.parent_id, l.spawn_reason
      from jsonb_to_recordset(p_links) as l(child_id text, parent_id text, spawn_reason text)
     order by l.child_id
  ),
  classified as (
    select i.child_id, i.parent_id, i.spawn_reason,
           c.id is not null as child_exists, p.id is not null as parent_exists,
           c.parent_agent_id is not distinct from i.parent_id as same
      from input i
      left join core.agents c on c.id = i.child_id
      left join core.agents p on p.id = i.parent_id
  ),
  linked as (
    update core.agents a
       set parent_agent_id = k.parent_id, spawn_reason = coalesce(k.spawn_reason, a.spawn_reason)
      from classified k
     where a.id = k.child_id and k.child_exists and k.parent_exists and not k.same
    returning a.id
  )
  select k.child_id, k.parent_id,
         case when not k.child_exists then 'missing_child'
              when not k.parent_exists then 'dangling_parent'
              when k.same then 'already_linked'
              else 'linked' end
    from classified k;
end;
$$;

comment on function core.import_agent_parents(jsonb) is
'Sets parent_agent_id (and spawn_reason) from a batch of links {child_id, parent_id, spawn_reason}, applied after every agent of the run exists.
One row per distinct child: outcome is linked, already_linked, dangling_parent (the parent is no agent: the child keeps no parent) or missing_child (the child is no agent).
@nonnull outcome';

create or replace function core.import_agent_lifecycle_events(p_records jsonb)
returns table (inserted bigint, already_present bigint)
language plpgsql as $$
declare
  v_total bigint;
  v_inserted bigint;
begin
  with input as (
    select distinct on (r.details ->> 'import_key') r.*
      from jsonb_to_recordset(p_records) as r(agent_id text, event core.lifecycle_event_type, reason text, actor text,
                                              occurred_at timestamptz, details jsonb)
     order by r.details ->> 'import_key'
  ),
  counted as (select count(*) as n from input),
  ins as (
    insert into core.agent_lifecycle_events (agent_id, event, reason, actor, occurred_at, details)
    select i.agent_id, i.event, i.reason, i.actor, i.occurred_at, i.details
      from input i
     where not exists (select 1 from core.agent_lifecycle_events e
                        where e.agent_id = i.agent_id and e.occurred_at = i.occurred_at
                          and e.details ->> 'import_key' = i.details ->> 'import_key')
    returning 1
  )
  select (select n from counted), (select count(*) from ins) into v_total, v_inserted;
  -- an event seen in several snapshots keeps the details of the first source file in name order
  update core.agent_lifecycle_events e
     set details = r.details
    from jsonb_to_recordset(p_records) as r(agent_id text, occurred_at timestamptz, details jsonb)
   where e.agent_id = r.agent_id and e.occurred_at = r.occurred_at
     and e.details ->> 'import_key' = r.details ->> 'import_key'
     and r.details ->> 'legacy_source' < e.details ->> 'legacy_source';
  return query select v_inserted, v_total - v_inserted;
end;
$$;

comment on function core.import_agent_lifecycle_events(jsonb) is
'Inserts a batch of legacy lifecycle events {agent_id, event, reason, actor, occurred_at, details}, deduplicated by details.import_key (sha256 of agent, legacy event, time, reason); one row of counts.
An event seen in several snapshots keeps the details of the first source file in name order.
@nonnull *';

-- ---------------------------------------------------------------- sessions

create or replace function core.import_sessions(p_records jsonb, p_source text)
returns table (inserted bigint, updated bigint, already_present bigint, placeholders bigint)
language plpgsql as $$
declare
  v_placeholders bigint;
  v_total bigint;
begin
  select core.import_placeholder_agents(array_agg(r.agent_id), array_agg(r.created_at), p_source)
    into v_placeholders
    from jsonb_to_recordset(p_records) as r(agent_id text, created_at timestamptz);
  return query
  with input as (
    select distinct on (r.session_id) r.*
      from jsonb_to_recordset(p_records) as r(session_id text, agent_id text, client_type text, metadata jsonb,
                                              created_at timestamptz, last_active_at timestamptz, expires_at timestamptz)
     order by r.session_id, r.last_active_at desc
  ),
  upserted as (
    insert into core.sessions as s (session_id, agent_id, client_type, metadata, created_at, last_active_at, expires_at)
    select i.session_id, i.agent_id, i.client_type, coalesce(i.metadata, '{}'), i.created_at, i.last_active_at, i.expires_at
      from input i
    on conflict (session_id) do update set
      agent_id = excluded.agent_id, client_type = excluded.client_type, metadata = excluded.metadata,
      created_at = excluded.created_at, last_active_at = excluded.last_active_at, expires_at = excluded.expires_at
    where excluded.last_active_at > s.last_active_at
    returning (xmax = 0) as was_inserted
  )
  select count(*) filter (where was_inserted), count(*) filter (where not was_inserted),
         (select count(*) from input) - count(*), v_placeholders
    from upserted;
end;
$$;

comment on function core.import_sessions(jsonb, text) is
'Upserts a batch of legacy sessions {session_id, agent_id, client_type, metadata, created_at, last_active_at, expires_at}; one row of counts.
A stored session is replaced only by a later last_active_at. Unknown agents become placeholders attributed to p_source (the source file), counted in placeholders.
@nonnull *';

-- ---------------------------------------------------------------- EISV state history

-- Identity is content, never a file time: re-importing a touched or copied file adds nothing.

create or replace function core.import_agent_states(p_records jsonb, p_source text)
returns table (inserted bigint, already_present bigint, placeholders bigint)
language plpgsql as $$
declare
  v_placeholders bigint;
  v_total bigint;
  v_inserted bigint;
begin
  select core.import_placeholder_agents(array_agg(r.agent_id), array_agg(r.recorded_at), p_source)
    into v_placeholders
    from jsonb_to_recordset(p_records) as r(agent_id text, recorded_at timestamptz);
  create temp table if not exists pg_temp.import_state_batch (
    agent_id text, recorded_at timestamptz, energy double precision, information double precision,
    entropy double precision, void double precision, coherence double precision, risk double precision,
    phi double precision, regime text, verdict core.verdict, decision core.decision,
    health_status core.health_status, state jsonb, anomalies text[], import_key text,
    primary key (agent_id, import_key)) on commit drop;
  truncate pg_temp.import_state_batch;
  insert into pg_temp.import_state_batch
  select distinct on (r.agent_id, r.state ->> 'import_key')
         r.agent_id,
         -- an agent whose own time is unknown (a placeholder no dated row referred to) gives none
         coalesce(r.recorded_at, case when not 'created_at_unknown' = any(a.anomalies) then a.updated_at end)
           - make_interval(secs => coalesce(r.derive_steps, 0) / 1e6),
         r.energy, r.information, r.entropy, r.void, r.coherence, r.risk, r.phi, r.regime, r.verdict, r.decision,
         r.health_status, coalesce(r.state, '{}'),
         coalesce(r.anomalies, '{}') || case when r.recorded_at is null and not ('recorded_at_derived' = any(coalesce(r.anomalies, '{}')))
                                            then array['recorded_at_derived'] else '{}'::text[] end,
         r.state ->> 'import_key'
    from jsonb_to_recordset(p_records) as r(
        agent_id text, recorded_at timestamptz, energy double precision, information double precision,
        entropy double precision, void double precision, coherence double precision, risk double precision,
        phi double precision, regime text, verdict core.verdict, decision core.decision,
        health_status core.health_status, state jsonb, anomalies text[], derive_steps bigint)
    left join core.agents a on a.id = r.agent_id
   order by r.agent_id, r.state ->> 'import_key', r.state ->> 'legacy_source';
  get diagnostics v_total = row_count;
  if exists (select 1 from pg_temp.import_state_batch where recorded_at is null or import_key is null) then
    raise exception using errcode = 'GV422', message = 'a state record has neither a time of its own nor an agent to derive one from, or no import_key',
      hint = 'The normaliser sets state.import_key; recorded_at may be null only when the agent exists.', detail = 'IMPORT_STATE_NO_TIME';
  end if;

  -- the copy of the first source in name order wins for rows seen before
  update core.agent_state s
     set state = b.state, recorded_at = b.recorded_at, anomalies = b.anomalies
    from pg_temp.import_state_batch b
   where s.origin = 'legacy' and s.agent_id = b.agent_id and s.state ->> 'import_key' = b.import_key
     and b.state ->> 'legacy_source' < s.state ->> 'legacy_source';

  with fresh as (
    select b.* from pg_temp.import_state_batch b
     where not exists (select 1 from core.agent_state s
                        where s.origin = 'legacy' and s.agent_id = b.agent_id and s.state ->> 'import_key' = b.import_key)
  ),
  numbered as (
    select f.*, coalesce((select max(s.seq) from core.agent_state s where s.agent_id = f.agent_id), 0)
                + row_number() over (partition by f.agent_id order by f.recorded_at, f.import_key) as seq
      from fresh f
  ),
  ins as (
    insert into core.agent_state (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime,
                                  verdict, decision, health_status, state, recorded_at, origin, anomalies)
    select n.agent_id, n.seq, n.energy, n.information, n.entropy, n.void, n.coherence, n.risk, n.phi, n.regime,
           n.verdict, n.decision, n.health_status, n.state, n.recorded_at, 'legacy', n.anomalies
      from numbered n
    returning 1
  )
  select count(*) into v_inserted from ins;
  return query select v_inserted, v_total - v_inserted, v_placeholders;
end;
$$;

comment on function core.import_agent_states(jsonb, text) is
'Inserts a batch of legacy EISV state rows (core.agent_state-shaped, state.import_key required), deduplicated per agent by state.import_key (agent, raw timestamp or position, values); one row of counts.
A record without a time of its own (recorded_at null) is placed derive_steps microseconds before its agent''s last update and flagged recorded_at_derived. New rows get seq = max(seq) + rank by time; core.import_settle() renumbers agents whose whole history is legacy. A row seen in several snapshots keeps the copy of the first source file in name order. Unknown agents become placeholders attributed to p_source.
Errors: GV422 IMPORT_STATE_NO_TIME when a record has neither a time nor an agent to derive one from, or no import_key.
@nonnull *';

-- Legacy import (issue 7): set-based bulk upserts, one call per batch of normalised records.
--
-- Every function takes a jsonb array of records already normalised by src/import (timestamps as
-- ISO-8601 strings with an explicit offset, enums spelled as in the schema, API keys already hashed)
-- and returns outcome counts: inserted / updated / already present. A record is "already present"
-- when the stored row is the same version or a newer one (the version is the record's updated_at).
-- Unknown agents referenced by a record become placeholder agents (metadata.placeholder = true),
-- counted in `placeholders`. A batch either commits whole or fails whole (one statement); the caller
-- bisects a failing batch to find and quarantine the offending record.

-- ---------------------------------------------------------------- helpers

-- Creates a placeholder agent (origin legacy) for each referenced id that is not an agent yet;
-- returns how many were created. p_times[i] is when p_ids[i] was referenced (null: unknown): a
-- placeholder's created_at is its earliest reference and its updated_at its latest, so the result
-- does not depend on which file referenced it first (its `source` is the first in name order).
-- An id that breaks today's id format is kept, with the anomaly agent_id_format.
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
           case when r.id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}$' then '{}'::text[] else array['agent_id_format'] end
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

-- Takes the session-level advisory lock that keeps two imports from interleaving (false if held).
create or replace function core.import_try_lock()
returns boolean
language sql as $$
  select pg_try_advisory_lock(hashtext('govdb.legacy_import')::bigint)
$$;

create or replace function core.import_unlock()
returns boolean
language sql as $$
  select pg_advisory_unlock(hashtext('govdb.legacy_import')::bigint)
$$;

-- ---------------------------------------------------------------- agents

drop function if exists core.import_agents(jsonb);
create or replace function core.import_agents(p_records jsonb)
returns table (inserted bigint, updated bigint, already_present bigint)
language plpgsql as $$
declare
  v_total bigint;
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
  insert into pg_temp.import_agent_batch
  select distinct on (r.id) r.*
    from jsonb_to_recordset(p_records) as r(
      id text, label text, status core.agent_status, purpose text, notes text, tags text[],
      spawn_reason text, api_key_hash text, metadata jsonb, update_count bigint, created_at timestamptz,
      updated_at timestamptz, paused_at timestamptz, archived_at timestamptz, deleted_at timestamptz,
      last_activity_at timestamptz, anomalies text[], evidence_at timestamptz, import_rank text)
   order by r.id, r.updated_at desc nulls last, r.evidence_at desc nulls last, r.import_rank desc;
  get diagnostics v_total = row_count;

  return query
  with upserted as (
    insert into core.agents as a (id, label, status, purpose, notes, tags, spawn_reason, api_key_hash, metadata,
                                  update_count, created_at, updated_at, paused_at, archived_at, deleted_at, last_activity_at,
                                  origin, anomalies)
    select b.id, b.label, b.status, b.purpose, coalesce(b.notes, ''), coalesce(b.tags, '{}'), b.spawn_reason, b.api_key_hash,
           coalesce(b.metadata, '{}') || jsonb_build_object('import_evidence_at', b.evidence_at, 'import_rank', b.import_rank),
           coalesce(b.update_count, 0), b.created_at, b.updated_at, b.paused_at, b.archived_at,
           b.deleted_at, b.last_activity_at, 'legacy', coalesce(b.anomalies, '{}')
      from pg_temp.import_agent_batch b
    on conflict (id) do update set
      label = excluded.label, status = excluded.status, purpose = excluded.purpose, notes = excluded.notes,
      tags = excluded.tags, spawn_reason = excluded.spawn_reason,
      api_key_hash = coalesce(excluded.api_key_hash, a.api_key_hash), metadata = excluded.metadata,
      update_count = excluded.update_count, created_at = excluded.created_at, updated_at = excluded.updated_at,
      paused_at = excluded.paused_at, archived_at = excluded.archived_at, deleted_at = excluded.deleted_at,
      last_activity_at = excluded.last_activity_at, origin = 'legacy', anomalies = excluded.anomalies
    -- a placeholder always yields to a real record; otherwise only a version with more evidence
    -- replaces (same order as within the batch); a live agent is never overwritten by history
    where a.metadata @> '{"placeholder": true}'
       or (a.origin = 'legacy'
           and (excluded.updated_at, (excluded.metadata ->> 'import_evidence_at')::timestamptz, excluded.metadata ->> 'import_rank')
             > (a.updated_at, coalesce((a.metadata ->> 'import_evidence_at')::timestamptz, '-infinity'), coalesce(a.metadata ->> 'import_rank', '')))
    returning (xmax = 0) as was_inserted
  )
  select count(*) filter (where was_inserted), count(*) filter (where not was_inserted),
         v_total - count(*)
    from upserted;
end;
$$;

-- Parent/child links, applied after every agent of the run exists. One row per input link:
-- outcome 'linked' | 'already_linked' | 'dangling_parent' | 'missing_child'.
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

-- Lifecycle events: deduplicated by details->>'import_key' (sha256 of agent, legacy event, time, reason).
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

-- ---------------------------------------------------------------- EISV state history

-- A state row is identified by its content (state.import_key: agent, raw timestamp or position,
-- values), never by a file time, so re-importing a touched or copied file adds nothing. A record
-- without any time of its own (recorded_at null) is placed `derive_steps` microseconds before its
-- agent's last update (flagged recorded_at_derived). New rows get seq = max(seq) + rank by time;
-- core.import_settle() renumbers agents whose whole history is legacy, so seq does not depend on
-- the order of the files. A row seen in several snapshots keeps the copy of the first source file
-- in name order.
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

-- ---------------------------------------------------------------- dialectic

-- Sessions with their messages (records carry `messages`: [{seq, message_type, agent_id, ...}]).
-- Returns counts for sessions and messages, and the ids of sessions whose discovery_id names no
-- discovery (kept, with discovery_id null).
create or replace function core.import_dialectic_sessions(p_records jsonb, p_source text)
returns table (inserted bigint, updated bigint, already_present bigint, placeholders bigint,
               messages_inserted bigint, messages_already_present bigint, dangling_discovery_sessions text[])
language plpgsql as $$
declare
  v_placeholders bigint;
  v_inserted bigint;
  v_updated bigint;
  v_total bigint;
  v_msg_total bigint;
  v_msg_inserted bigint;
  v_dangling text[];
begin
  select core.import_placeholder_agents(array_agg(a), array_agg(t), p_source)
    into v_placeholders
    from (
      select r.paused_agent_id as a, r.created_at as t from jsonb_to_recordset(p_records) as r(paused_agent_id text, created_at timestamptz)
      union all select r.reviewer_agent_id, r.created_at from jsonb_to_recordset(p_records) as r(reviewer_agent_id text, created_at timestamptz)
      union all select m ->> 'agent_id', (m ->> 'created_at')::timestamptz
                  from jsonb_array_elements(p_records) s, jsonb_array_elements(coalesce(s -> 'messages', '[]')) m
    ) ids;

  create temp table if not exists pg_temp.import_dialectic_batch (
    id text primary key, paused_agent_id text, reviewer_agent_id text, session_type core.dialectic_type,
    phase core.dialectic_phase, status core.dialectic_status, topic text, reason text, synthesis_round integer,
    max_synthesis_rounds integer, resolution jsonb, discovery_id text, created_at timestamptz, updated_at timestamptz,
    phase_deadline timestamptz, resolved_at timestamptz, messages jsonb, anomalies text[], legacy_original jsonb,
    import_rank text, won boolean not null default false) on commit drop;
  truncate pg_temp.import_dialectic_batch;
  insert into pg_temp.import_dialectic_batch
  select distinct on (r.id) r.*
    from jsonb_to_recordset(p_records) as r(
      id text, paused_agent_id text, reviewer_agent_id text, session_type core.dialectic_type,
      phase core.dialectic_phase, status core.dialectic_status, topic text, reason text, synthesis_round integer,
      max_synthesis_rounds integer, resolution jsonb, discovery_id text, created_at timestamptz, updated_at timestamptz,
      phase_deadline timestamptz, resolved_at timestamptz, messages jsonb, anomalies text[], legacy_original jsonb, import_rank text)
   order by r.id, r.updated_at desc, r.import_rank desc;
  get diagnostics v_total = row_count;

  select coalesce(array_agg(b.id order by b.id), '{}') into v_dangling
    from pg_temp.import_dialectic_batch b
   where b.discovery_id is not null and not exists (select 1 from knowledge.discoveries d where d.id = b.discovery_id);

  with upserted as (
    insert into core.dialectic_sessions as s (id, paused_agent_id, reviewer_agent_id, session_type, phase, status, topic,
      reason, synthesis_round, max_synthesis_rounds, resolution, discovery_id, created_at, updated_at, phase_deadline, resolved_at,
      origin, anomalies, legacy_original)
    select b.id, b.paused_agent_id, b.reviewer_agent_id, b.session_type, b.phase, b.status, b.topic, b.reason,
           b.synthesis_round, b.max_synthesis_rounds, b.resolution,
           case when b.id = any(v_dangling) then null else b.discovery_id end,
           b.created_at, b.updated_at, b.phase_deadline, b.resolved_at,
           'legacy', coalesce(b.anomalies, '{}'), coalesce(b.legacy_original, '{}') || jsonb_build_object('import_rank', b.import_rank)
      from pg_temp.import_dialectic_batch b
    on conflict (id) do update set
      paused_agent_id = excluded.paused_agent_id, reviewer_agent_id = excluded.reviewer_agent_id,
      session_type = excluded.session_type, phase = excluded.phase, status = excluded.status, topic = excluded.topic,
      reason = excluded.reason, synthesis_round = excluded.synthesis_round,
      max_synthesis_rounds = excluded.max_synthesis_rounds, resolution = excluded.resolution,
      discovery_id = excluded.discovery_id, created_at = excluded.created_at, updated_at = excluded.updated_at,
      phase_deadline = excluded.phase_deadline, resolved_at = excluded.resolved_at,
      anomalies = excluded.anomalies, legacy_original = excluded.legacy_original
    where s.origin = 'legacy'
      and (excluded.updated_at, excluded.legacy_original ->> 'import_rank') > (s.updated_at, coalesce(s.legacy_original ->> 'import_rank', ''))
    returning s.id, (xmax = 0) as was_inserted
  ),
  marked as (
    update pg_temp.import_dialectic_batch b set won = true from upserted u where u.id = b.id returning u.was_inserted
  )
  select count(*) filter (where was_inserted), count(*) filter (where not was_inserted)
    into v_inserted, v_updated from marked;

  -- messages follow the version of the session that won: same seq, that version's content
  with msgs as (
    select b.id as session_id, b.won, m.*
      from pg_temp.import_dialectic_batch b,
           jsonb_to_recordset(coalesce(b.messages, '[]')) as m(
             seq integer, message_type core.dialectic_message_type, agent_id text, root_cause text,
             proposed_conditions jsonb, reasoning text, observed_metrics jsonb, concerns jsonb, agrees boolean,
             signature text, created_at timestamptz, anomalies text[], legacy_original jsonb)
  ),
  counted as (select count(*) as n from msgs),
  ins as (
    insert into core.dialectic_messages as d (session_id, seq, message_type, agent_id, root_cause, proposed_conditions,
      reasoning, observed_metrics, concerns, agrees, signature, created_at, origin, anomalies, legacy_original)
    select m.session_id, m.seq, m.message_type, m.agent_id, m.root_cause, coalesce(m.proposed_conditions, '[]'),
           m.reasoning, coalesce(m.observed_metrics, '{}'), coalesce(m.concerns, '[]'), m.agrees, m.signature, m.created_at,
           'legacy', coalesce(m.anomalies, '{}'), m.legacy_original
      from msgs m
    on conflict (session_id, seq) do update set
      message_type = excluded.message_type, agent_id = excluded.agent_id, root_cause = excluded.root_cause,
      proposed_conditions = excluded.proposed_conditions, reasoning = excluded.reasoning,
      observed_metrics = excluded.observed_metrics, concerns = excluded.concerns, agrees = excluded.agrees,
      signature = excluded.signature, created_at = excluded.created_at, anomalies = excluded.anomalies,
      legacy_original = excluded.legacy_original
    where d.origin = 'legacy' and exists (select 1 from pg_temp.import_dialectic_batch w where w.id = d.session_id and w.won)
      and (d.message_type, d.agent_id, d.root_cause, d.proposed_conditions, d.reasoning, d.observed_metrics, d.concerns,
           d.agrees, d.signature, d.created_at, d.anomalies, d.legacy_original)
          is distinct from (excluded.message_type, excluded.agent_id, excluded.root_cause, excluded.proposed_conditions,
           excluded.reasoning, excluded.observed_metrics, excluded.concerns, excluded.agrees, excluded.signature,
           excluded.created_at, excluded.anomalies, excluded.legacy_original)
    returning (xmax = 0) as was_inserted
  )
  select (select n from counted), (select count(*) filter (where was_inserted) from ins) into v_msg_total, v_msg_inserted;

  return query select v_inserted, v_updated, v_total - v_inserted - v_updated, v_placeholders,
                      v_msg_inserted, v_msg_total - v_msg_inserted, v_dangling;
end;
$$;

-- ---------------------------------------------------------------- calibration

-- Bins of one calibration version. A bin that already holds different values is a conflict
-- (returned, not overwritten): two legacy sources disagree and a person must choose.
create or replace function core.import_calibration_bins(p_records jsonb)
returns table (inserted bigint, already_present bigint, conflicts jsonb)
language plpgsql as $$
declare
  v_total bigint;
  v_inserted bigint;
  v_conflicts jsonb;
begin
  create temp table if not exists pg_temp.import_calibration_batch (
    version integer, bin_lower numeric(3, 2), bin_upper numeric(3, 2), count bigint, predicted_correct double precision,
    actual_correct double precision, confidence_sum double precision, updated_at timestamptz,
    primary key (version, bin_lower)) on commit drop;
  truncate pg_temp.import_calibration_batch;
  insert into pg_temp.import_calibration_batch
  select distinct on (r.version, r.bin_lower) r.*
    from jsonb_to_recordset(p_records) as r(version integer, bin_lower numeric(3, 2), bin_upper numeric(3, 2), count bigint,
      predicted_correct double precision, actual_correct double precision, confidence_sum double precision, updated_at timestamptz)
   order by r.version, r.bin_lower;
  get diagnostics v_total = row_count;

  select coalesce(jsonb_agg(jsonb_build_object('version', b.version, 'bin_lower', b.bin_lower)), '[]') into v_conflicts
    from pg_temp.import_calibration_batch b
    join core.calibration c on c.version = b.version and c.bin_lower = b.bin_lower
   where (c.bin_upper, c.count, c.predicted_correct, c.actual_correct, c.confidence_sum)
         is distinct from (b.bin_upper, b.count, b.predicted_correct, b.actual_correct, b.confidence_sum);

  insert into core.calibration (version, bin_lower, bin_upper, count, predicted_correct, actual_correct, confidence_sum, updated_at)
  select b.version, b.bin_lower, b.bin_upper, b.count, b.predicted_correct, b.actual_correct, b.confidence_sum,
         coalesce(b.updated_at, now())
    from pg_temp.import_calibration_batch b
  on conflict (version, bin_lower) do nothing;
  get diagnostics v_inserted = row_count;

  return query select v_inserted, v_total - v_inserted - jsonb_array_length(v_conflicts), v_conflicts;
end;
$$;

-- ---------------------------------------------------------------- knowledge

-- Discoveries and their normalised tags. response_to / superseded_by are set by import_discovery_links
-- once every discovery of the run exists.
drop function if exists knowledge.import_discoveries(jsonb, text);
create or replace function knowledge.import_discoveries(p_records jsonb, p_source text)
returns table (inserted bigint, updated bigint, already_present bigint, placeholders bigint,
               tags_inserted bigint, tags_already_present bigint, tags_removed bigint)
language plpgsql as $$
declare
  v_placeholders bigint;
  v_total bigint;
  v_inserted bigint;
  v_updated bigint;
  v_tags_total bigint;
  v_tags_inserted bigint;
  v_tags_removed bigint;
begin
  select core.import_placeholder_agents(array_agg(r.agent_id), array_agg(r.created_at), p_source)
    into v_placeholders
    from jsonb_to_recordset(p_records) as r(agent_id text, created_at timestamptz);

  create temp table if not exists pg_temp.import_discovery_batch (
    id text primary key, agent_id text, discovery_type text, severity knowledge.severity,
    status knowledge.discovery_status, summary text, details text, tags text[], references_files text[],
    confidence double precision, provenance jsonb, created_at timestamptz, updated_at timestamptz,
    resolved_at timestamptz) on commit drop;
  truncate pg_temp.import_discovery_batch;
  insert into pg_temp.import_discovery_batch
  select distinct on (r.id) r.*
    from jsonb_to_recordset(p_records) as r(
      id text, agent_id text, discovery_type text, severity knowledge.severity, status knowledge.discovery_status,
      summary text, details text, tags text[], references_files text[], confidence double precision, provenance jsonb,
      created_at timestamptz, updated_at timestamptz, resolved_at timestamptz)
   order by r.id, r.updated_at desc, r.provenance ->> 'import_rank' desc;
  get diagnostics v_total = row_count;

  create temp table if not exists pg_temp.import_discovery_changed (id text primary key, was_inserted boolean) on commit drop;
  truncate pg_temp.import_discovery_changed;
  with upserted as (
    insert into knowledge.discoveries as d (id, agent_id, discovery_type, severity, status, summary, details, tags,
      references_files, confidence, provenance, created_at, updated_at, resolved_at)
    select b.id, b.agent_id, b.discovery_type, b.severity, b.status, b.summary, coalesce(b.details, ''),
           coalesce(b.tags, '{}'), coalesce(b.references_files, '{}'), b.confidence, coalesce(b.provenance, '{}'),
           b.created_at, b.updated_at, b.resolved_at
      from pg_temp.import_discovery_batch b
    on conflict (id) do update set
      agent_id = excluded.agent_id, discovery_type = excluded.discovery_type, severity = excluded.severity,
      status = excluded.status, summary = excluded.summary, details = excluded.details, tags = excluded.tags,
      references_files = excluded.references_files, confidence = excluded.confidence,
      provenance = excluded.provenance, created_at = excluded.created_at, updated_at = excluded.updated_at,
      resolved_at = excluded.resolved_at
    -- a strictly newer version replaces; at the same updated_at the content rank decides between
    -- two imported versions, so the file order never matters (docs/import.md "Merge rule")
    where excluded.updated_at > d.updated_at
       or (excluded.updated_at = d.updated_at and d.provenance ? 'import_rank'
           and excluded.provenance ->> 'import_rank' > d.provenance ->> 'import_rank')
    returning d.id, (xmax = 0) as was_inserted
  )
  insert into pg_temp.import_discovery_changed select * from upserted;
  select count(*) filter (where was_inserted), count(*) filter (where not was_inserted)
    into v_inserted, v_updated from pg_temp.import_discovery_changed;

  -- tags of changed discoveries follow the new version exactly
  delete from knowledge.discovery_tags t
   using pg_temp.import_discovery_changed c, pg_temp.import_discovery_batch b
   where t.discovery_id = c.id and b.id = c.id and not c.was_inserted and not (t.tag = any(b.tags));
  get diagnostics v_tags_removed = row_count;
  with tags as (
    select distinct b.id, t as tag from pg_temp.import_discovery_batch b, unnest(b.tags) t
  ),
  counted as (select count(*) as n from tags),
  ins as (
    insert into knowledge.discovery_tags (discovery_id, tag)
    select tags.id, tags.tag from tags
      join knowledge.discoveries d on d.id = tags.id and d.tags @> array[tags.tag]
    on conflict do nothing
    returning 1
  )
  select (select n from counted), (select count(*) from ins) into v_tags_total, v_tags_inserted;

  return query select v_inserted, v_updated, v_total - v_inserted - v_updated, v_placeholders,
                      v_tags_inserted, v_tags_total - v_tags_inserted, v_tags_removed;
end;
$$;

-- Edges between discoveries (and the response_to / superseded_by columns they imply). One row per
-- input edge: outcome 'inserted' | 'already_present' | 'dangling_src' | 'dangling_dst'.
create or replace function knowledge.import_discovery_links(p_records jsonb, p_source text)
returns table (src_id text, dst_id text, edge_type text, outcome text, placeholders bigint)
language plpgsql as $$
declare
  v_placeholders bigint;
begin
  select core.import_placeholder_agents(array_agg(r.created_by), array_agg(r.created_at), p_source)
    into v_placeholders
    from jsonb_to_recordset(p_records) as r(created_by text, created_at timestamptz);

  create temp table if not exists pg_temp.import_link_batch (
    src_id text, dst_id text, edge_type knowledge.edge_type, response_type knowledge.response_type,
    weight double precision, created_by text, created_at timestamptz, metadata jsonb,
    src_ok boolean, dst_ok boolean, was_new boolean, primary key (src_id, dst_id, edge_type)) on commit drop;
  truncate pg_temp.import_link_batch;
  insert into pg_temp.import_link_batch
  select distinct on (r.src_id, r.dst_id, r.edge_type) r.src_id, r.dst_id, r.edge_type, r.response_type,
         coalesce(r.weight, 1.0), r.created_by, r.created_at, coalesce(r.metadata, '{}'),
         exists (select 1 from knowledge.discoveries d where d.id = r.src_id),
         exists (select 1 from knowledge.discoveries d where d.id = r.dst_id), false
    from jsonb_to_recordset(p_records) as r(src_id text, dst_id text, edge_type knowledge.edge_type,
      response_type knowledge.response_type, weight double precision, created_by text, created_at timestamptz, metadata jsonb)
   order by r.src_id, r.dst_id, r.edge_type;

  with ins as (
    insert into knowledge.discovery_edges as e (src_id, dst_id, edge_type, response_type, weight, created_by, created_at, metadata)
    select b.src_id, b.dst_id, b.edge_type, b.response_type, b.weight, b.created_by, coalesce(b.created_at, now()), b.metadata
      from pg_temp.import_link_batch b
     where b.src_ok and b.dst_ok
    on conflict on constraint discovery_edges_pkey do nothing
    returning e.src_id, e.dst_id, e.edge_type
  )
  update pg_temp.import_link_batch b set was_new = true
    from ins where ins.src_id = b.src_id and ins.dst_id = b.dst_id and ins.edge_type = b.edge_type;

  -- the columns that mirror the edges
  update knowledge.discoveries d
     set response_to = b.dst_id, response_type = b.response_type
    from pg_temp.import_link_batch b
   where b.edge_type = 'responds_to' and b.src_ok and b.dst_ok and d.id = b.src_id
     and (d.response_to is distinct from b.dst_id or d.response_type is distinct from b.response_type);
  update knowledge.discoveries d
     set superseded_by = b.src_id
    from pg_temp.import_link_batch b
   where b.edge_type = 'supersedes' and b.src_ok and b.dst_ok and d.id = b.dst_id
     and d.superseded_by is distinct from b.src_id;

  return query
  select b.src_id, b.dst_id, b.edge_type::text,
         case when not b.src_ok then 'dangling_src' when not b.dst_ok then 'dangling_dst'
              when b.was_new then 'inserted' else 'already_present' end,
         v_placeholders
    from pg_temp.import_link_batch b;
end;
$$;

-- ---------------------------------------------------------------- audit trail

-- Audit events deduplicated by content_hash through audit.event_hashes: hash rows are inserted with
-- ON CONFLICT DO NOTHING and only the events whose hash is new reach the partitioned table.
create or replace function audit.import_events(p_records jsonb)
returns table (inserted bigint, already_present bigint)
language plpgsql as $$
begin
  -- monthly partitions for the months of this batch (legacy months are in the past)
  perform audit.ensure_partitions(m.month, 0)
     from (select distinct date_trunc('month', r.occurred_at at time zone 'UTC') at time zone 'UTC' as month
             from jsonb_to_recordset(p_records) as r(occurred_at timestamptz)) m;
  return query
  with input as (
    select distinct on (r.content_hash) r.content_hash, r.occurred_at, r.agent_id, r.session_id, r.event_type,
           r.confidence, coalesce(r.details, '{}') as details
      from jsonb_to_recordset(p_records) as r(content_hash text, occurred_at timestamptz, agent_id text, session_id text,
                                              event_type text, confidence double precision, details jsonb)
     order by r.content_hash
  ),
  new_hashes as (
    insert into audit.event_hashes (content_hash, occurred_at)
    select i.content_hash, i.occurred_at from input i
    on conflict (content_hash) do nothing
    returning content_hash
  ),
  ins as (
    insert into audit.events (occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, source)
    select i.occurred_at, i.agent_id, i.session_id, i.event_type, i.confidence, i.details, i.content_hash, 'legacy-import'
      from input i join new_hashes h using (content_hash)
    returning 1
  )
  select (select count(*) from ins), (select count(*) from input) - (select count(*) from ins);
end;
$$;

create or replace function audit.import_tool_usage(p_records jsonb)
returns table (inserted bigint, already_present bigint)
language plpgsql as $$
begin
  perform audit.ensure_partitions(m.month, 0)
     from (select distinct date_trunc('month', r.occurred_at at time zone 'UTC') at time zone 'UTC' as month
             from jsonb_to_recordset(p_records) as r(occurred_at timestamptz)) m;
  return query
  with input as (
    select distinct on (r.content_hash) r.content_hash, r.occurred_at, r.tool_name, r.agent_id, r.session_id,
           r.latency_ms, r.success, r.error_code
      from jsonb_to_recordset(p_records) as r(content_hash text, occurred_at timestamptz, tool_name text, agent_id text,
                                              session_id text, latency_ms double precision, success boolean, error_code text)
     order by r.content_hash
  ),
  new_hashes as (
    insert into audit.tool_usage_hashes (content_hash, occurred_at)
    select i.content_hash, i.occurred_at from input i
    on conflict (content_hash) do nothing
    returning content_hash
  ),
  ins as (
    insert into audit.tool_usage (occurred_at, tool_name, agent_id, session_id, latency_ms, success, error_code, content_hash, source)
    select i.occurred_at, i.tool_name, i.agent_id, i.session_id, i.latency_ms, i.success, i.error_code, i.content_hash, 'legacy-import'
      from input i join new_hashes h using (content_hash)
    returning 1
  )
  select (select count(*) from ins), (select count(*) from input) - (select count(*) from ins);
end;
$$;

-- ---------------------------------------------------------------- merge by evidence, consistency

-- The status event that speaks last for an agent: the latest archived / resumed / deleted lifecycle
-- event (at equal times deleted, then archived, win).
create or replace function core.import_last_status_event(p_agent_id text)
returns table (event core.lifecycle_event_type, occurred_at timestamptz)
language sql stable rows 1 as $$
  select e.event, e.occurred_at
    from core.agent_lifecycle_events e
   where e.agent_id = p_agent_id and e.event in ('archived', 'resumed', 'deleted')
   order by e.occurred_at desc, case e.event when 'deleted' then 0 when 'archived' then 1 else 2 end
   limit 1
$$;

-- After the agents of every snapshot and their lifecycle events are in: each legacy agent ends with
-- the status its lifecycle evidence supports (docs/import.md "Merge rule"), flagged
-- status_from_lifecycle_evidence with the snapshot's status kept in metadata.legacy_status; and
-- agents whose whole state history is legacy get seq renumbered by (recorded_at, import_key), so
-- the database does not depend on the order the files were read in.
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

-- Contradictions among imported (origin legacy) rows; an import fails when any is found.
--   agent_status_vs_events      the last archived/resumed/deleted event disagrees with the status
--   agent_archived_at_vs_status archived_at set, no later resumed event, status neither archived nor deleted
--   dialectic_phase_vs_status   phase and status disagree, or a resolution that no phase or anomaly explains
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

-- ---------------------------------------------------------------- reconciliation and graph

-- Row counts of every destination of the import (audit rows: only those the import wrote).
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

-- Vertex and edge counts per label in the AGE graph governance_graph.
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

-- Runs knowledge.graph_rebuild() (or graph_verify()) when that function exists, as jsonb; null
-- when it is not installed. The projection itself belongs to sql/functions/graph.sql.
create or replace function knowledge.import_call_graph_function(p_name text)
returns jsonb
language plpgsql as $$
declare
  v_oid regprocedure;
  v_result jsonb;
begin
  if p_name not in ('graph_rebuild', 'graph_verify') then
    raise exception using errcode = 'GV400', message = format('Unknown graph function %L', p_name),
      hint = 'Use govdb graph rebuild or govdb graph verify.', detail = 'IMPORT_UNKNOWN_GRAPH_FUNCTION';
  end if;
  v_oid := to_regprocedure(format('knowledge.%I()', p_name));
  if v_oid is null then
    return null;
  end if;
  if (select prorettype from pg_proc where oid = v_oid) = 'void'::regtype then
    execute format('select knowledge.%I()', p_name);
    return jsonb_build_object('ok', true);
  end if;
  execute format('select coalesce(jsonb_agg(to_jsonb(x)), ''[]'') from knowledge.%I() as x', p_name) into v_result;
  return v_result;
end;
$$;

-- Legacy import (docs/import.md), part 2: dialectic sessions with their messages, calibration bins,
-- discoveries with tags and the edges between them. Helpers and the conventions of every loader:
-- import.sql.

-- ---------------------------------------------------------------- dialectic

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

comment on function core.import_dialectic_sessions(jsonb, text) is
'Upserts a batch of legacy dialectic sessions, each with its messages (records carry messages: [{seq, message_type, agent_id, ...}]); one row of counts for sessions and messages.
A stored legacy session is replaced only by a newer updated_at (then the higher import_rank); messages follow the version that won. dangling_discovery_sessions lists the ids of sessions whose discovery_id names no discovery: they are kept with discovery_id null. Unknown agents become placeholders attributed to p_source.
@nonnull *';

-- ---------------------------------------------------------------- calibration

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

comment on function core.import_calibration_bins(jsonb) is
'Inserts a batch of calibration bins {version, bin_lower, bin_upper, count, predicted_correct, actual_correct, confidence_sum, updated_at}; one row of counts.
A bin that already holds different values is not overwritten but returned in conflicts ([{version, bin_lower}]): two legacy sources disagree and a person must choose.
@nonnull *';

-- ---------------------------------------------------------------- knowledge

drop function if exists knowledge.import_discoveries(jsonb, text);
create or replace function knowledge.import_discoveries(p_records jsonb, p_source text)
returns table (inserted bigint, updated bigint, already_present bigint, placeholders bigint,
               tags_read bigint, tags_inserted bigint, tags_already_present bigint, tags_removed bigint)
language plpgsql as $$
declare
  v_placeholders bigint;
  v_total bigint;
  v_inserted bigint;
  v_updated bigint;
  v_tags_read bigint;
  v_tags_total bigint;
  v_tags_inserted bigint;
  v_tags_removed bigint;
  v_bad record;
begin
  select core.import_placeholder_agents(array_agg(r.agent_id), array_agg(r.created_at), p_source)
    into v_placeholders
    from jsonb_to_recordset(p_records) as r(agent_id text, created_at timestamptz);

  -- records carry the legacy tag list as it was; it is normalised here, by the normaliser every
  -- other writer uses, and kept in provenance.legacy_tags when normalising changed it
  create temp table if not exists pg_temp.import_discovery_batch (
    id text primary key, agent_id text, discovery_type text, severity knowledge.severity,
    status knowledge.discovery_status, summary text, details text, tags text[], references_files text[],
    confidence double precision, provenance jsonb, created_at timestamptz, updated_at timestamptz,
    resolved_at timestamptz) on commit drop;
  truncate pg_temp.import_discovery_batch;
  insert into pg_temp.import_discovery_batch
  select distinct on (r.id) r.id, r.agent_id, r.discovery_type, r.severity, r.status, r.summary, r.details,
         core.normalize_tags(r.tags), r.references_files, r.confidence,
         case when coalesce(r.tags, '{}') = core.normalize_tags(r.tags) then r.provenance
              else coalesce(r.provenance, '{}') || jsonb_build_object('legacy_tags', to_jsonb(r.tags)) end,
         r.created_at, r.updated_at, r.resolved_at
    from jsonb_to_recordset(p_records) as r(
      id text, agent_id text, discovery_type text, severity knowledge.severity, status knowledge.discovery_status,
      summary text, details text, tags text[], references_files text[], confidence double precision, provenance jsonb,
      created_at timestamptz, updated_at timestamptz, resolved_at timestamptz)
   order by r.id, r.updated_at desc, r.provenance ->> 'import_rank' desc;
  get diagnostics v_total = row_count;

  -- a record over the tag limits refuses the batch (the importer splits it until the record is
  -- alone, and quarantines it with this message)
  select b.id, p.problems into v_bad
    from pg_temp.import_discovery_batch b, knowledge.discovery_tag_problems(b.tags) as p(problems)
   where cardinality(p.problems) > 0
   order by b.id limit 1;
  if found then
    raise exception using errcode = 'GV400', detail = 'INVALID_TAGS',
      message = format('discovery %s: %s', v_bad.id, array_to_string(v_bad.problems, '; '));
  end if;

  -- tags read: every record of the batch, repeated versions included, after normalisation
  select coalesce(sum(cardinality(core.normalize_tags(r.tags))), 0) into v_tags_read
    from jsonb_to_recordset(p_records) as r(tags text[]);

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
    -- (a version equal in content apart from its rank is not a replacement: ranks of one content
    -- computed by two importer versions differ)
    where excluded.updated_at > d.updated_at
       or (excluded.updated_at = d.updated_at and d.provenance ? 'import_rank'
           and excluded.provenance ->> 'import_rank' > d.provenance ->> 'import_rank'
           and (excluded.agent_id, excluded.discovery_type, excluded.severity, excluded.status, excluded.summary,
                excluded.details, excluded.tags, excluded.references_files, excluded.confidence,
                excluded.provenance - 'import_rank', excluded.created_at, excluded.resolved_at)
               is distinct from (d.agent_id, d.discovery_type, d.severity, d.status, d.summary, d.details, d.tags,
                d.references_files, d.confidence, d.provenance - 'import_rank', d.created_at, d.resolved_at))
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
                      v_tags_read, v_tags_inserted, v_tags_total - v_tags_inserted, v_tags_removed;
end;
$$;

comment on function knowledge.import_discoveries(jsonb, text) is
'Upserts a batch of legacy discoveries with their tags; one row of counts for discoveries and tags.
Records carry the legacy tag list as it was: it is normalised with core.normalize_tags (first-seen order) and, when that changed it, kept whole in provenance.legacy_tags. tags_read counts the normalised tags of every record of the batch (repeated versions included).
A stored discovery is replaced by a strictly newer updated_at, or at the same updated_at by a higher import_rank between two imported versions whose content differs; the tags of a replaced discovery follow the new version exactly (tags_removed). response_to / superseded_by are set by knowledge.import_discovery_links once every discovery of the run exists. Unknown agents become placeholders attributed to p_source.
Errors: GV400 INVALID_TAGS naming the first record (by id) whose normalised tags break the limits of knowledge.discovery_tag_problems; the whole batch is refused.
@nonnull *';

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

comment on function knowledge.import_discovery_links(jsonb, text) is
'Inserts a batch of edges between discoveries {src_id, dst_id, edge_type, response_type, weight, created_by, created_at, metadata} and sets the response_to / superseded_by columns they imply.
One row per distinct (src_id, dst_id, edge_type): outcome inserted, already_present, dangling_src or dangling_dst (an end is no discovery: not stored). placeholders (the same on every row) counts agents created for unknown created_by ids.
@nonnull *';

-- Audit trail: batch loading of audit.events / audit.tool_usage deduplicated by content hash, and
-- partition maintenance. audit_log.jsonl is the compliance record; these tables are its mirror.
-- insert_events / insert_tool_usage are the one loader per table: the server's mirror and tool
-- usage writer, `govdb audit backfill` and the legacy import (source 'legacy-import') all use them.
--
-- Dedup: a partitioned unique index must include the partition key, so uniqueness of content_hash
-- across monthly partitions lives in audit.event_hashes / audit.tool_usage_hashes. One statement
-- inserts the batch's hashes there (on conflict do nothing) and inserts the event rows for exactly
-- the hashes that were new. A concurrent loader of the same hash waits on the unique index and then
-- skips it, so a hash becomes one row however many loaders race.

-- Speed (this is the audit mirror's hot path, docs/audit.md): the batch is decoded once with
-- jsonb_to_recordset; no separate validation pass runs on the happy path, because the table's own
-- constraints (event_type and content_hash format, occurred_at not null) refuse the same things. Only
-- when the insert fails is the batch inspected, to name the first offending element.
--
-- Two statements, the cheap one first (docs/performance.md, "Audit mirror insert"). The mirror's
-- steady state is a batch of hashes none of which is stored: the first statement inserts every hash
-- with a plain INSERT (one descent of event_hashes_pkey per row, which checks uniqueness in passing)
-- and the events beside it, with no DISTINCT, no join and no ON CONFLICT (whose pre-check is a second
-- descent of the index per row plus a speculative-insertion lock: ~20% of the backend's CPU in the
-- profile). When any hash is stored already or repeated inside the batch (re-mirroring after a crash,
-- a backfill over mirrored lines, a concurrent loader), event_hashes_pkey refuses that statement, which
-- is undone, and the second statement loads the batch deduplicated: it inserts the batch's distinct
-- hashes with ON CONFLICT DO NOTHING and the event rows for exactly the hashes that were new (a row a
-- CHECK refuses takes the second statement too, where a duplicate one is skipped as before). Nested
-- loops are disabled for this function: the planner estimates a decoded batch at a handful of rows
-- and would otherwise join the batch with its new hashes by a nested loop, quadratic in the batch
-- size (2000 lines: 4 million comparisons, ~0.4 s of a ~0.5 s call).
create or replace function audit.insert_events(p_events jsonb, p_source text default 'server')
returns table (inserted integer, duplicates integer)
language plpgsql
set enable_nestloop = off
as $$
declare
  v_total integer;
  v_inserted integer;
  v_constraint text;
  v_bad record;
begin
  if p_events is null or jsonb_typeof(p_events) <> 'array' then
    raise exception using errcode = 'GV400',
      message = format('audit.insert_events expects a jsonb array of event objects, got %s', coalesce(jsonb_typeof(p_events), 'null')),
      hint = 'Pass [{"occurred_at": ..., "event_type": ..., "content_hash": ...}, ...].',
      detail = 'AUDIT_BATCH_NOT_ARRAY';
  end if;
  v_total := jsonb_array_length(p_events);

  begin
    begin
      -- every hash new: each event and its hash, in batch order
      with input as (
        select e.ord, e.occurred_at, e.agent_id, e.session_id, e.event_type, e.confidence,
          coalesce(e.details, '{}'::jsonb) as details, e.content_hash, e.prev_hash,
          coalesce(e.source, p_source, 'server') as source
        from rows from (jsonb_to_recordset(p_events) as (
          occurred_at timestamptz, agent_id text, session_id text, event_type text,
          confidence double precision, details jsonb, content_hash text, prev_hash text, source text))
          with ordinality as e(occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, prev_hash, source, ord)
      ), new_hashes as (
        -- in hash order, as the deduplicated load does, so that two loaders of overlapping batches
        -- wait on each other's hashes in one order (no deadlock)
        insert into audit.event_hashes (content_hash, occurred_at)
        select content_hash, occurred_at from input order by content_hash
        returning 1
      ), inserted as (
        insert into audit.events (occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, prev_hash, source)
        select i.occurred_at, i.agent_id, i.session_id, i.event_type, i.confidence, i.details, i.content_hash, i.prev_hash, i.source
        from input i
        -- a one-time filter that reads new_hashes to its end: every hash is inserted before the first
        -- row, so a stored hash stops the statement before it wrote any row (left unread, the hashes
        -- would be inserted after the rows: a batch of duplicates cost 2.4x the deduplicated load)
        where (select count(*) from new_hashes) >= 0
        order by i.ord -- ids follow the order of the batch (the file order)
        returning 1
      )
      select count(*)::integer into v_inserted from inserted;
    exception when unique_violation or check_violation or not_null_violation then
      -- a hash stored already or repeated in the batch: the deduplicated load. A refused row is
      -- loaded that way too, so that an invalid element whose hash is stored is skipped as a
      -- duplicate, as before (that statement raises for the others, named below).
      get stacked diagnostics v_constraint = constraint_name;
      if sqlstate = '23505' and v_constraint is distinct from 'event_hashes_pkey' then
        raise;
      end if;
      with input as (
        select distinct on (e.content_hash)
          e.ord, e.occurred_at, e.agent_id, e.session_id, e.event_type, e.confidence,
          coalesce(e.details, '{}'::jsonb) as details, e.content_hash, e.prev_hash,
          coalesce(e.source, p_source, 'server') as source
        from rows from (jsonb_to_recordset(p_events) as (
          occurred_at timestamptz, agent_id text, session_id text, event_type text,
          confidence double precision, details jsonb, content_hash text, prev_hash text, source text))
          with ordinality as e(occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, prev_hash, source, ord)
        order by e.content_hash, e.ord
      ), new_hashes as (
        insert into audit.event_hashes (content_hash, occurred_at)
        select content_hash, occurred_at from input
        on conflict (content_hash) do nothing
        returning content_hash
      ), inserted as (
        insert into audit.events (occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, prev_hash, source)
        select i.occurred_at, i.agent_id, i.session_id, i.event_type, i.confidence, i.details, i.content_hash, i.prev_hash, i.source
        from input i join new_hashes n using (content_hash)
        order by i.ord
        returning 1
      )
      select count(*)::integer into v_inserted from inserted;
    end;
  exception when others then
    -- Name the first offending element instead of letting a constraint on the partition speak.
    select p.ord, p.problems into v_bad
    from (
      select e.ord, concat_ws('; ',
        case when jsonb_typeof(e.value) <> 'object' then format('expected an object, got %s', jsonb_typeof(e.value)) end,
        case when jsonb_typeof(e.value) = 'object' and coalesce(e.value->>'content_hash', '') !~ '^[0-9a-f]{64}$'
          then format('content_hash %L is not 64 lowercase hex', e.value->>'content_hash') end,
        case when jsonb_typeof(e.value) = 'object' and coalesce(e.value->>'event_type', '') !~ '^[a-z][a-z0-9_.:-]{0,63}$'
          then format('event_type %L does not match ^[a-z][a-z0-9_.:-]{0,63}$', e.value->>'event_type') end,
        case when jsonb_typeof(e.value) = 'object' and e.value->>'occurred_at' is null then 'occurred_at is missing' end
      ) as problems
      from jsonb_array_elements(p_events) with ordinality as e(value, ord)
    ) p
    where p.problems <> ''
    order by p.ord
    limit 1;
    if found then
      raise exception using errcode = 'GV400',
        message = format('Audit event #%s of the batch is invalid: %s', v_bad.ord, v_bad.problems),
        hint = 'Fix or skip that line of the JSONL file; nothing of this batch was inserted.',
        detail = 'AUDIT_EVENT_INVALID';
    end if;
    raise;
  end;

  return query select v_inserted, v_total - v_inserted;
end;
$$;

comment on function audit.insert_events(jsonb, text) is
'Loads a batch of audit events into audit.events, deduplicated by content_hash across all partitions (through audit.event_hashes); one row: inserted, and duplicates (elements already stored or repeated inside the batch; inserted + duplicates = array length).
p_events: jsonb array of {occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, prev_hash, source}; agent_id, session_id, confidence, details, prev_hash and source are optional, source defaults to p_source (server, backfill, legacy-import, ...). Rows get ids in batch order; a row whose month has no partition lands in the default partition (audit.maintain_partitions moves it).
Errors (nothing of the batch is inserted): GV400 AUDIT_BATCH_NOT_ARRAY when p_events is not an array; GV400 AUDIT_EVENT_INVALID naming the first element (1-based) whose content_hash, event_type or occurred_at is invalid.
@nonnull *';

-- Decoded like insert_events (once, with jsonb_to_recordset; nested loops off): jsonb_array_elements
-- and a separate validation pass over the batch made a 2000-row call take ~3 s instead of ~0.5 s.
-- Unlike insert_events, a batch with an invalid element is refused even when that element's hash
-- is already stored (tool rows come from callers that build them, so a bad one is a bug to surface):
-- the decode flags it, nothing is inserted, and only then are the elements inspected one by one to
-- name it. `success` is decoded as jsonb so that only a JSON boolean passes (a string or a number
-- would otherwise be cast).
create or replace function audit.insert_tool_usage(p_rows jsonb, p_source text default 'server')
returns table (inserted integer, duplicates integer)
language plpgsql
set enable_nestloop = off
as $$
declare
  v_total integer;
  v_inserted integer;
  v_refused boolean;
  v_bad record;
begin
  if p_rows is null or jsonb_typeof(p_rows) <> 'array' then
    raise exception using errcode = 'GV400',
      message = format('audit.insert_tool_usage expects a jsonb array of tool usage objects, got %s', coalesce(jsonb_typeof(p_rows), 'null')),
      hint = 'Pass [{"occurred_at": ..., "tool_name": ..., "success": ..., "content_hash": ...}, ...].',
      detail = 'AUDIT_BATCH_NOT_ARRAY';
  end if;
  v_total := jsonb_array_length(p_rows);

  begin
    with decoded as (
      select r.ord, r.occurred_at, r.tool_name, r.agent_id, r.session_id, r.latency_ms,
        case when jsonb_typeof(r.success) = 'boolean' then r.success::boolean end as success,
        r.error_code, r.content_hash, coalesce(r.source, p_source, 'server') as source,
        -- the table's formats, spelled without bounded repetition ({64}, {0,127}), which PostgreSQL's
        -- regex engine expands into that many states: ~0.1 ms a row instead of microseconds
        (r.occurred_at is null or jsonb_typeof(r.success) is distinct from 'boolean'
          or length(r.content_hash) is distinct from 64 or r.content_hash !~ '^[0-9a-f]*$'
          or coalesce(length(r.tool_name), 0) not between 1 and 128 or r.tool_name !~ '^[A-Za-z][A-Za-z0-9_.:-]*$') as bad
      from rows from (jsonb_to_recordset(p_rows) as (
        occurred_at timestamptz, tool_name text, agent_id text, session_id text,
        latency_ms double precision, success jsonb, error_code text, content_hash text, source text))
        with ordinality as r(occurred_at, tool_name, agent_id, session_id, latency_ms, success, error_code, content_hash, source, ord)
    ), refused as (
      select coalesce(bool_or(bad), false) as any_bad from decoded
    ), input as (
      select distinct on (d.content_hash) d.*
      from decoded d
      where not (select any_bad from refused) -- an invalid element refuses the batch, even a duplicate one
      order by d.content_hash, d.ord
    ), new_hashes as (
      insert into audit.tool_usage_hashes (content_hash, occurred_at)
      select content_hash, occurred_at from input
      on conflict (content_hash) do nothing
      returning content_hash
    ), inserted as (
      insert into audit.tool_usage (occurred_at, tool_name, agent_id, session_id, latency_ms, success, error_code, content_hash, source)
      select i.occurred_at, i.tool_name, i.agent_id, i.session_id, i.latency_ms, i.success, i.error_code, i.content_hash, i.source
      from input i join new_hashes n using (content_hash)
      order by i.ord
      returning 1
    )
    select (select count(*)::integer from inserted), (select any_bad from refused) into v_inserted, v_refused;
    if v_refused then
      raise exception 'invalid tool usage element' using errcode = '22023'; -- named by the handler below
    end if;
  exception when others then
    -- Name the first offending element instead of letting a constraint on the partition speak.
    select p.ord, p.problems into v_bad
    from (
      select e.ord, concat_ws('; ',
        case when jsonb_typeof(e.value) <> 'object' then format('expected an object, got %s', jsonb_typeof(e.value)) end,
        case when jsonb_typeof(e.value) = 'object' and coalesce(e.value->>'content_hash', '') !~ '^[0-9a-f]{64}$'
          then format('content_hash %L is not 64 lowercase hex', e.value->>'content_hash') end,
        case when jsonb_typeof(e.value) = 'object' and coalesce(e.value->>'tool_name', '') !~ '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$'
          then format('tool_name %L does not match ^[A-Za-z][A-Za-z0-9_.:-]{0,127}$', e.value->>'tool_name') end,
        case when jsonb_typeof(e.value) = 'object' and e.value->>'occurred_at' is null then 'occurred_at is missing' end,
        case when jsonb_typeof(e.value) = 'object' and coalesce(jsonb_typeof(e.value->'success'), 'missing') <> 'boolean'
          then format('success is %s, expected true or false', coalesce(e.value->>'success', 'missing')) end
      ) as problems
      from jsonb_array_elements(p_rows) with ordinality as e(value, ord)
    ) p
    where p.problems <> ''
    order by p.ord
    limit 1;
    if found then
      raise exception using errcode = 'GV400',
        message = format('Tool usage row #%s of the batch is invalid: %s', v_bad.ord, v_bad.problems),
        hint = 'Fix or skip that row; nothing of this batch was inserted.',
        detail = 'AUDIT_TOOL_USAGE_INVALID';
    end if;
    raise;
  end;

  return query select v_inserted, v_total - v_inserted;
end;
$$;

comment on function audit.insert_tool_usage(jsonb, text) is
'Loads a batch of tool calls into audit.tool_usage, deduplicated by content_hash across all partitions (through audit.tool_usage_hashes); one row: inserted, and duplicates (elements already stored or repeated inside the batch; inserted + duplicates = array length).
p_rows: jsonb array of {occurred_at, tool_name, agent_id, session_id, latency_ms (milliseconds), success, error_code, content_hash, source}; source defaults to p_source. Rows get ids in batch order.
Errors (nothing of the batch is inserted): GV400 AUDIT_BATCH_NOT_ARRAY when p_rows is not an array; GV400 AUDIT_TOOL_USAGE_INVALID naming the first element (1-based) whose content_hash, tool_name, occurred_at or success is invalid.
@nonnull *';

create or replace function audit.maintain_partitions(p_keep interval, p_months_ahead integer default 3)
returns table (action text, partition_name text)
language plpgsql as $$
declare
  v_month timestamptz;
begin
  if p_keep is null or p_keep <= interval '0' then
    raise exception using errcode = 'GV400',
      message = format('Retention must be a positive interval, got %L', p_keep),
      hint = 'Pass e.g. --keep ''13 months''; everything older than it is dropped from audit.events and audit.tool_usage.',
      detail = 'AUDIT_RETENTION_INVALID';
  end if;
  if p_months_ahead is null or p_months_ahead < 0 or p_months_ahead > 120 then
    raise exception using errcode = 'GV400',
      message = format('Months ahead must be between 0 and 120, got %s', coalesce(p_months_ahead::text, 'null')),
      hint = 'The default, 3, keeps the next three months partitioned in advance.',
      detail = 'AUDIT_MONTHS_AHEAD_INVALID';
  end if;

  for v_month in
    select distinct date_trunc('month', d.occurred_at at time zone 'UTC') at time zone 'UTC'
    from (select occurred_at from audit.events_default union all select occurred_at from audit.tool_usage_default) d
  loop
    return query select 'created'::text, p.name from audit.ensure_partitions(v_month, 0) as p(name);
  end loop;

  return query select 'created'::text, p.name from audit.ensure_partitions(now(), p_months_ahead) as p(name);
  return query select 'dropped'::text, p.name from audit.drop_partitions_older_than(p_keep) as p(name);
end;
$$;

comment on function audit.maintain_partitions(interval, integer) is
'The retention job: moves rows parked in the default partitions into monthly partitions (so old rows there age out too), creates the partitions of the next p_months_ahead months, then detaches and drops monthly partitions that ended more than p_keep ago. One row per partition touched: action created or dropped, partition_name.
The JSONL archive stays the long-term record; a dropped month can be reloaded with govdb audit backfill.
Errors: GV400 AUDIT_RETENTION_INVALID when p_keep is not a positive interval; GV400 AUDIT_MONTHS_AHEAD_INVALID when p_months_ahead is not between 0 and 120.
@nonnull *';

comment on function audit.ensure_partitions(timestamptz, integer) is
'Creates the monthly partitions of audit.events and audit.tool_usage from p_from''s month (UTC) through p_months months ahead that do not exist yet, moving rows of those months out of the default partitions; returns the names created.
@nonnull *';

comment on function audit.drop_partitions_older_than(interval) is
'Detaches and drops the monthly partitions of audit.events and audit.tool_usage that ended before now() - p_keep, with the dedup hashes of their rows (so the months could be backfilled again); returns the names dropped.
@nonnull *';

create or replace function audit.record_mirror_rejects(p_rejects jsonb)
returns integer
language plpgsql
as $$
declare
  v_inserted integer;
begin
  if p_rejects is null or jsonb_typeof(p_rejects) <> 'array' then
    raise exception using errcode = 'GV400',
      message = format('audit.record_mirror_rejects expects a jsonb array, got %s', coalesce(jsonb_typeof(p_rejects), 'null'));
  end if;
  with ins as (
    insert into audit.mirror_rejects (file_name, line_no, byte_offset, line_sha256, reason, excerpt)
    select r.file_name, r.line_no, r.byte_offset, r.line_sha256, r.reason, coalesce(r.excerpt, '')
    from jsonb_to_recordset(p_rejects) as r(file_name text, line_no integer, byte_offset bigint, line_sha256 text, reason text, excerpt text)
    on conflict on constraint mirror_rejects_unique_line do nothing
    returning 1
  )
  select count(*)::integer into v_inserted from ins;
  return v_inserted;
end;
$$;

comment on function audit.record_mirror_rejects(jsonb) is
'Records bad lines of audit_log.jsonl the mirror could not load (docs/audit.md, "Bad lines"); returns how many rows were new.
p_rejects: jsonb array of {file_name, line_no (1-based), byte_offset, line_sha256, reason, excerpt}. Idempotent per (file_name, line_no, line_sha256).
Errors: GV400 when p_rejects is not a jsonb array.
@nonnull *';

create or replace function audit.list_mirror_rejects(p_limit integer default 100)
returns table (file_name text, line_no integer, byte_offset bigint, line_sha256 text, reason text, excerpt text, recorded_at timestamptz)
language sql stable
as $$
  select r.file_name, r.line_no, r.byte_offset, r.line_sha256, r.reason, r.excerpt, r.recorded_at
  from audit.mirror_rejects r
  order by r.id desc
  limit greatest(coalesce(p_limit, 100), 0);
$$;

comment on function audit.list_mirror_rejects(integer) is
'The bad lines the mirror recorded (audit.mirror_rejects), newest first, at most p_limit (default 100) rows; for govdb audit verify and health.
@nonnull *';

create or replace function audit.events_by_hashes(p_hashes text[])
returns table (id bigint, occurred_at timestamptz, agent_id text, session_id text, event_type text,
               confidence double precision, details jsonb, content_hash text, prev_hash text, source text)
language sql stable
as $$
  select e.id, e.occurred_at, e.agent_id, e.session_id, e.event_type, e.confidence, e.details, e.content_hash, e.prev_hash, e.source
  from audit.events e
  join audit.event_hashes h on h.content_hash = e.content_hash and h.occurred_at = e.occurred_at
  where h.content_hash = any (p_hashes);
$$;

comment on function audit.events_by_hashes(text[]) is
'The rows of audit.events whose content_hash is in p_hashes (at most one per hash); govdb audit verify compares the log with them.
@nonnull id, occurred_at, event_type, details, content_hash, source';

create or replace function audit.server_event_hashes(p_after_id bigint default 0, p_limit integer default 10000)
returns table (id bigint, content_hash text, occurred_at timestamptz)
language sql stable
as $$
  select e.id, e.content_hash, e.occurred_at
  from audit.events e
  where e.source = 'server' and e.id > coalesce(p_after_id, 0)
  order by e.id
  limit greatest(coalesce(p_limit, 10000), 1);
$$;

comment on function audit.server_event_hashes(bigint, integer) is
'Mirrored rows (source server) with an id above p_after_id, in id order, at most p_limit (default 10000, at least 1): govdb audit verify pages through them to find rows that are not in the log files.
@nonnull *';

-- Audit reads: events and tool usage filtered by agent, type and time range, newest first
-- (occurred_at desc, id desc), at most 1000 rows a page. Time range: p_since inclusive, p_until
-- exclusive. Keyset pagination: every row carries an opaque `cursor` (its exact occurred_at to the
-- microsecond and its id); pass the last row's cursor as p_cursor for the next page. The cursor is
-- text because a JavaScript Date would cut the microseconds and skip rows.
-- The writers live in audit.sql. Each query is built from only the filters given (dynamic SQL with
-- bound values, never interpolated), so the planner can use the (agent_id, occurred_at) and
-- (type, occurred_at) indexes and prune monthly partitions.

create or replace function audit.page_cursor(p_occurred_at timestamptz, p_id bigint)
returns text
language sql immutable
as $$ select to_char(p_occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' || p_id $$;
comment on function audit.page_cursor(timestamp with time zone,bigint) is
'The opaque page cursor of an audit row: <occurred_at in UTC to the microsecond>|<id>.
Text, because a JavaScript Date would cut the microseconds and skip rows. Null when either argument is null.';

create or replace function audit.parse_query_page(
  p_limit integer, p_since timestamptz, p_until timestamptz, p_cursor text,
  out before_occurred_at timestamptz, out before_id bigint)
returns record
language plpgsql stable
as $$
declare
  v_problems text[] := '{}';
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    v_problems := v_problems || format('limit is %s, expected 1 to 1000', coalesce(p_limit::text, 'null'));
  end if;
  if p_since >= p_until then
    v_problems := v_problems || format('since (%s) is not before until (%s)', p_since, p_until);
  end if;
  if p_cursor is not null then
    if p_cursor !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\|\d{1,19}$' then
      v_problems := v_problems || format('cursor "%s" is not a cursor returned by this query', left(p_cursor, 60));
    else
      before_occurred_at := split_part(p_cursor, '|', 1)::timestamptz;
      before_id := split_part(p_cursor, '|', 2)::bigint;
    end if;
  end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_AUDIT_QUERY',
      message = 'Invalid audit query: ' || array_to_string(v_problems, '; '),
      hint = 'Pass the cursor of the last row of the previous page unchanged.';
  end if;
end;
$$;
comment on function audit.parse_query_page(integer,timestamp with time zone,timestamp with time zone,text) is
'Validates the paging arguments shared by the audit reads and decodes the cursor into (before_occurred_at, before_id).
Both are null without a cursor. limit must be 1..1000 and since before until.
Errors: GV400 INVALID_AUDIT_QUERY listing every problem.';

-- Built from only the filters given (dynamic SQL with bound values), so the planner can use the
-- (agent_id, occurred_at) and (type, occurred_at) indexes and prune monthly partitions.
create or replace function audit.query_events(
  p_agent_id text default null,
  p_event_type text default null,
  p_since timestamptz default null,
  p_until timestamptz default null,
  p_limit integer default 100,
  p_cursor text default null)
returns table (id bigint, occurred_at timestamptz, agent_id text, session_id text, event_type text,
               confidence double precision, details jsonb, content_hash text, prev_hash text, source text,
               ingested_at timestamptz, cursor text)
language plpgsql stable
rows 100
as $$
declare
  v_page record;
  v_where text[] := array['true'];
begin
  select * into v_page from audit.parse_query_page(p_limit, p_since, p_until, p_cursor);
  if p_agent_id is not null then v_where := v_where || 'e.agent_id = $1'::text; end if;
  if p_event_type is not null then v_where := v_where || 'e.event_type = $2'::text; end if;
  if p_since is not null then v_where := v_where || 'e.occurred_at >= $3'::text; end if;
  if p_until is not null then v_where := v_where || 'e.occurred_at < $4'::text; end if;
  if p_cursor is not null then v_where := v_where || '(e.occurred_at, e.id) < ($6, $7)'::text; end if;
  return query execute
    'select e.id, e.occurred_at, e.agent_id, e.session_id, e.event_type, e.confidence, e.details, e.content_hash,'
    || ' e.prev_hash, e.source, e.ingested_at, audit.page_cursor(e.occurred_at, e.id)'
    || ' from audit.events e where ' || array_to_string(v_where, ' and ')
    || ' order by e.occurred_at desc, e.id desc limit $5'
    using p_agent_id, p_event_type, p_since, p_until, p_limit, v_page.before_occurred_at, v_page.before_id;
end;
$$;
comment on function audit.query_events(text,text,timestamp with time zone,timestamp with time zone,integer,text) is
'Audit events newest first (occurred_at desc, id desc), filtered by agent, event type and time range, at most p_limit (1..1000) rows.
Time range: p_since inclusive, p_until exclusive. Keyset pages: pass the last row''s cursor as p_cursor for the next page.
Errors: GV400 INVALID_AUDIT_QUERY.
@nonnull id, occurred_at, event_type, details, content_hash, source, ingested_at, cursor';

create or replace function audit.query_tool_usage(
  p_agent_id text default null,
  p_tool_name text default null,
  p_success boolean default null,
  p_since timestamptz default null,
  p_until timestamptz default null,
  p_limit integer default 100,
  p_cursor text default null)
returns table (id bigint, occurred_at timestamptz, tool_name text, agent_id text, session_id text,
               latency_ms double precision, success boolean, error_code text, content_hash text, source text,
               cursor text)
language plpgsql stable
rows 100
as $$
declare
  v_page record;
  v_where text[] := array['true'];
begin
  select * into v_page from audit.parse_query_page(p_limit, p_since, p_until, p_cursor);
  if p_agent_id is not null then v_where := v_where || 't.agent_id = $1'::text; end if;
  if p_tool_name is not null then v_where := v_where || 't.tool_name = $2'::text; end if;
  if p_success is not null then v_where := v_where || 't.success = $3'::text; end if;
  if p_since is not null then v_where := v_where || 't.occurred_at >= $4'::text; end if;
  if p_until is not null then v_where := v_where || 't.occurred_at < $5'::text; end if;
  if p_cursor is not null then v_where := v_where || '(t.occurred_at, t.id) < ($7, $8)'::text; end if;
  return query execute
    'select t.id, t.occurred_at, t.tool_name, t.agent_id, t.session_id, t.latency_ms, t.success, t.error_code,'
    || ' t.content_hash, t.source, audit.page_cursor(t.occurred_at, t.id)'
    || ' from audit.tool_usage t where ' || array_to_string(v_where, ' and ')
    || ' order by t.occurred_at desc, t.id desc limit $6'
    using p_agent_id, p_tool_name, p_success, p_since, p_until, p_limit, v_page.before_occurred_at, v_page.before_id;
end;
$$;
comment on function audit.query_tool_usage(text,text,boolean,timestamp with time zone,timestamp with time zone,integer,text) is
'Tool usage rows newest first (occurred_at desc, id desc), filtered by agent, tool, success and time range, at most p_limit (1..1000) rows.
latency_ms in milliseconds (null when unknown). Time range: p_since inclusive, p_until exclusive. Keyset pages: pass the last row''s cursor as p_cursor.
Errors: GV400 INVALID_AUDIT_QUERY.
@nonnull id, occurred_at, tool_name, success, content_hash, source, cursor';

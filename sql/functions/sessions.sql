-- Durable session bindings (core.sessions): the source of truth behind the Redis cache in
-- src/cache/sessionStore.ts. Redis holds `session:{id}` with the exact sliding TTL; this table holds
-- every binding with an expiry that is never earlier than the cache's (callers pass a durable TTL a
-- little longer than the session TTL and refresh it lazily), so a flushed or restarted Redis loses
-- nothing. A row whose expires_at has passed counts as gone even before the cleanup deletes it.

-- core.sessions is the source of truth behind the Redis session cache; its expiry is never earlier
-- than the cache's, so a flushed Redis loses nothing.
create or replace function core.bind_session(
  p_session_id text,
  p_agent_id text,
  p_ttl_ms bigint,
  p_client_type text default null,
  p_metadata jsonb default '{}'
) returns core.sessions
language plpgsql volatile
as $$
declare
  v_status core.agent_status;
  v_row core.sessions;
  v_holder text;
begin
  if p_session_id is null or char_length(p_session_id) not between 8 and 256 then
    raise exception using errcode = 'GV400', detail = 'SESSION_ID_INVALID',
      message = format('Session id %s has %s characters; expected 8 to 256', coalesce(quote_literal(left(p_session_id, 40)), 'null'), coalesce(char_length(p_session_id)::text, 'no')),
      hint = 'Use a random id of at least 8 characters (e.g. a UUID).';
  end if;
  if p_ttl_ms is null or p_ttl_ms <= 0 then
    raise exception using errcode = 'GV400', detail = 'SESSION_TTL_INVALID',
      message = format('Session TTL %s ms is not positive', coalesce(p_ttl_ms::text, 'null')),
      hint = 'Pass the TTL in milliseconds, e.g. 86400000 for 24 hours.';
  end if;
  if p_metadata is not null and jsonb_typeof(p_metadata) <> 'object' then
    raise exception using errcode = 'GV400', detail = 'SESSION_METADATA_INVALID',
      message = format('Session metadata is a JSON %s; expected an object', jsonb_typeof(p_metadata)),
      hint = 'Pass an object such as {"transport": "http"}.';
  end if;

  select a.status into v_status from core.agents a where a.id = p_agent_id;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id %s', coalesce(quote_literal(p_agent_id), 'null')),
      hint = 'Onboard the agent before binding a session to it.';
  end if;
  if v_status = 'deleted' then
    raise exception using errcode = 'GV422', detail = 'AGENT_DELETED',
      message = format('Agent %s is deleted; a session cannot be bound to it', quote_literal(p_agent_id)),
      hint = 'Bind the session to a live agent.';
  end if;

  -- one statement, so two concurrent binds of a new id cannot both win: the update only applies to
  -- a row of the same agent or an expired one
  insert into core.sessions as s (session_id, agent_id, client_type, metadata, created_at, last_active_at, expires_at)
  values (p_session_id, p_agent_id, p_client_type, coalesce(p_metadata, '{}'), now(), now(), now() + p_ttl_ms * interval '1 millisecond')
  on conflict (session_id) do update
    set agent_id = excluded.agent_id,
        client_type = coalesce(excluded.client_type, case when s.agent_id = excluded.agent_id then s.client_type end),
        metadata = case when s.agent_id = excluded.agent_id and s.expires_at > now() then s.metadata || excluded.metadata else excluded.metadata end,
        created_at = case when s.agent_id = excluded.agent_id and s.expires_at > now() then s.created_at else now() end,
        last_active_at = now(),
        expires_at = greatest(case when s.expires_at > now() then s.expires_at end, excluded.expires_at)
    where s.agent_id = excluded.agent_id or s.expires_at <= now()
  returning s.* into v_row;

  if v_row.session_id is null then
    select s.agent_id into v_holder from core.sessions s where s.session_id = p_session_id;
    raise exception using errcode = 'GV409', detail = 'SESSION_BOUND_TO_OTHER_AGENT',
      message = format('Session %s is bound to another agent (%s), not to %s', quote_literal(p_session_id), coalesce(quote_literal(v_holder), 'unknown'), quote_literal(p_agent_id)),
      hint = 'Start a new session id; a live binding is never moved to another agent.';
  end if;
  return v_row;
end;
$$;
comment on function core.bind_session(text,text,bigint,text,jsonb) is
'Binds (or re-binds) a session id (8-256 characters) to an agent for p_ttl_ms milliseconds and returns the binding.
Re-binding to the same agent refreshes it and merges metadata; a live binding of another agent is never taken over; an expired one is replaced.
Errors: GV400 SESSION_ID_INVALID / SESSION_TTL_INVALID / SESSION_METADATA_INVALID; GV404 AGENT_NOT_FOUND; GV409 SESSION_BOUND_TO_OTHER_AGENT; GV422 AGENT_DELETED.
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';

create or replace function core.lookup_session(p_session_id text, p_ttl_ms bigint)
returns setof core.sessions
language plpgsql volatile
rows 1
as $$
begin
  if p_ttl_ms is null or p_ttl_ms <= 0 then
    raise exception using errcode = 'GV400', detail = 'SESSION_TTL_INVALID',
      message = format('Session TTL %s ms is not positive', coalesce(p_ttl_ms::text, 'null')),
      hint = 'Pass the TTL in milliseconds, e.g. 86400000 for 24 hours.';
  end if;
  return query
    update core.sessions s
       set last_active_at = now(),
           expires_at = greatest(s.expires_at, now() + p_ttl_ms * interval '1 millisecond')
     where s.session_id = p_session_id and s.expires_at > now()
    returning s.*;
end;
$$;
comment on function core.lookup_session(text,bigint) is
'Resolves a live session binding and slides its durable expiry to at least now() + p_ttl_ms milliseconds.
No row when the session is unknown or expired. Errors: GV400 SESSION_TTL_INVALID.
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';

create or replace function core.list_agent_sessions(p_agent_id text)
returns setof core.sessions
language sql stable
rows 5
as $$
  select s.* from core.sessions s
   where s.agent_id = p_agent_id and s.expires_at > now()
   order by s.last_active_at desc, s.session_id
$$;
comment on function core.list_agent_sessions(text) is
'Live session bindings of one agent, most recently active first.
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';

create or replace function core.unbind_session(p_session_id text)
returns setof core.sessions
language sql volatile
rows 1
as $$
  delete from core.sessions s where s.session_id = p_session_id returning s.*
$$;
comment on function core.unbind_session(text) is
'Removes a session binding and returns the removed row (no row when there was nothing to remove).
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';

create or replace function core.delete_expired_sessions(p_limit integer default 1000)
returns table (session_id text, agent_id text, expires_at timestamptz)
language plpgsql volatile
as $$
begin
  if p_limit is null or p_limit <= 0 then
    raise exception using errcode = 'GV400', detail = 'LIMIT_INVALID',
      message = format('Limit %s is not positive', coalesce(p_limit::text, 'null')),
      hint = 'Pass a batch size such as 1000.';
  end if;
  return query
    delete from core.sessions s
     where s.session_id in (
       select e.session_id from core.sessions e
        where e.expires_at <= now()
        order by e.expires_at
        limit p_limit
        for update skip locked)
       and s.expires_at <= now()
    returning s.session_id, s.agent_id, s.expires_at;
end;
$$;
comment on function core.delete_expired_sessions(integer) is
'Deletes up to p_limit expired session bindings (oldest expiry first) and returns them, so the caller can drop them from the cache''s per-agent index too.
Concurrent runs skip each other''s rows. Errors: GV400 LIMIT_INVALID.
@nonnull *';

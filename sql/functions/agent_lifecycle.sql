-- Agent lifecycle: who may write, and the one state machine of agent status.
-- * Lifecycle: the table core.agent_status_transitions (migration 000004, docs/lifecycle.md) lists
--   from, to, and who may make the change (self, reviewer through a resolved dialectic review, admin,
--   system). core.transition_agent is the only writer of status (the trigger core.guard_agent_status
--   refuses any other). A pause is sticky: pause_hold_since survives archive and delete and blocks
--   spawning and re-onboarding with the same label; only a reviewer or an admin ends it.
-- * Actors: every write on behalf of an agent re-checks the agent's status in its own transaction
--   (core.require_active_actor / core.check_actor_status): paused, archived and deleted agents get
--   GV423 with detail AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED. Reads stay allowed.

create or replace function core.check_actor_status(p_agent_id text, p_status core.agent_status, p_role text default 'actor')
returns void
language plpgsql immutable
as $$
begin
  if p_status in ('active', 'waiting_input') then return; end if;
  raise exception using errcode = 'GV423', detail = 'AGENT_' || upper(p_status::text),
    message = format('Agent "%s" (the %s) is %s and cannot write', p_agent_id, p_role, p_status),
    hint = case p_status
      when 'paused' then 'A paused agent recovers through a dialectic review (request_dialectic_review) or an admin; reads stay allowed.'
      when 'archived' then 'An archived agent writes nothing; resume it first (resume_agent; an admin if it was paused).'
      else 'A deleted agent is final; onboard a new agent.' end;
end;
$$;
comment on function core.check_actor_status(text,core.agent_status,text) is
'Raises GV423 unless an agent in status p_status may write (active or waiting_input).
p_role names the agent in the message (actor, parent, agent). Errors: GV423 with detail AGENT_PAUSED, AGENT_ARCHIVED or AGENT_DELETED and a hint on how to recover.';

create or replace function core.require_active_actor(p_agent_id text, p_role text default 'actor')
returns core.agents
language plpgsql volatile
as $$
declare
  a core.agents;
begin
  select * into a from core.agents where id = p_agent_id for share;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s" (the %s)', p_agent_id, p_role),
      hint = 'Onboard the agent first, or check the id (agent ids are case sensitive).';
  end if;
  perform core.check_actor_status(a.id, a.status, p_role);
  return a;
end;
$$;
comment on function core.require_active_actor(text,text) is
'The acting agent row, locked FOR SHARE, after core.check_actor_status.
The lock orders a concurrent status change with the caller''s transaction. Errors: GV404 AGENT_NOT_FOUND for an unknown id; GV423 AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED when the agent cannot write.
@nonnull id, status, notes, tags, metadata, update_count, created_at, updated_at, origin, anomalies';

drop function if exists core.transition_agent(text, text, text, text);
create or replace function core.transition_agent(
  p_agent_id text,
  p_to_status text,
  p_authority text,
  p_actor_agent_id text default null,
  p_reason text default null,
  p_actor text default null,
  p_review_id text default null,
  out agent_id text,
  out from_status core.agent_status,
  out to_status core.agent_status,
  out event_id bigint,
  out changed_at timestamptz)
language plpgsql volatile
set search_path = ag_catalog, core, knowledge, public
as $$
declare
  cur core.agents;
  v_to core.agent_status;
  v_rule core.agent_status_transitions;
  v_held boolean;
  v_others text[];
  v_event bigint;
begin
  if p_to_status is null or p_to_status not in ('active', 'paused', 'waiting_input', 'archived', 'deleted') then
    raise exception using errcode = 'GV400', detail = 'INVALID_STATUS',
      message = format('Unknown target status "%s"; expected one of active, paused, waiting_input, archived, deleted', p_to_status);
  end if;
  if p_authority is null or p_authority not in ('self', 'reviewer', 'admin', 'system') then
    raise exception using errcode = 'GV400', detail = 'INVALID_AUTHORITY',
      message = format('Unknown authority "%s"; expected self, reviewer, admin or system', p_authority);
  end if;
  if char_length(p_reason) > 4000 or char_length(p_actor) > 256 then
    raise exception using errcode = 'GV400', detail = 'INVALID_TRANSITION',
      message = format('reason is at most 4000 characters (got %s) and actor at most 256 (got %s)',
                       coalesce(char_length(p_reason), 0), coalesce(char_length(p_actor), 0));
  end if;
  v_to := p_to_status::core.agent_status;
  if p_authority = 'self' and p_actor_agent_id is distinct from p_agent_id then
    raise exception using errcode = 'GV403', detail = 'NOT_SELF',
      message = format('Agent "%s" cannot change the status of agent "%s": an agent changes only its own status', p_actor_agent_id, p_agent_id),
      hint = 'An admin (admin_token) may change any agent''s status.';
  end if;
  select * into cur from core.agents a where a.id = p_agent_id for no key update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
  if p_authority = 'reviewer' then
    perform 1 from core.dialectic_sessions d
     where d.id = p_review_id and d.paused_agent_id = p_agent_id and d.status = 'resolved'
       and not exists (select 1 from core.agent_lifecycle_events e
                        where e.agent_id = p_agent_id and e.details->>'dialectic_session_id' = p_review_id);
    if not found then
      raise exception using errcode = 'GV403', detail = 'REVIEW_NOT_RESOLVED',
        message = format('Dialectic session "%s" is not a resolved review of agent "%s" that is still unused', p_review_id, p_agent_id),
        hint = 'Only a resolved dialectic review resumes a paused agent, once.';
    end if;
  end if;
  v_held := cur.status = 'paused' or cur.pause_hold_since is not null;

  select * into v_rule from core.agent_status_transitions t
   where t.from_status = cur.status and t.to_status = v_to and t.authority = p_authority;
  if not found or (v_held and not v_rule.when_held) then
    if v_held and v_to = 'active' or (found and v_held) then
      raise exception using errcode = 'GV423', detail = 'AGENT_PAUSED',
        message = format('Agent "%s" is %s under a pause hold (since %s); %s cannot make it %s',
                         p_agent_id, cur.status, to_char(coalesce(cur.pause_hold_since, cur.paused_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), p_authority, v_to),
        hint = 'Only a resolved dialectic review (request_dialectic_review) or an admin ends a pause.';
    end if;
    select array_agg(t.authority order by t.authority) into v_others from core.agent_status_transitions t
     where t.from_status = cur.status and t.to_status = v_to and (t.when_held or not v_held);
    if v_others is not null then
      raise exception using errcode = 'GV403', detail = 'TRANSITION_NOT_PERMITTED',
        message = format('Agent "%s" cannot go from %s to %s on the authority of %s', p_agent_id, cur.status, v_to, p_authority),
        hint = format('This change needs: %s', array_to_string(v_others, ', '));
    end if;
    select array_agg(distinct t.to_status::text) into v_others from core.agent_status_transitions t where t.from_status = cur.status;
    raise exception using errcode = 'GV422', detail = 'INVALID_TRANSITION',
      message = format('Agent "%s" cannot go from %s to %s', p_agent_id, cur.status, v_to),
      hint = case when v_others is null then 'A deleted agent is final.'
                  else format('From %s the agent can go to: %s', cur.status, array_to_string(v_others, ', ')) end;
  end if;

  perform set_config('govdb.status_change', p_agent_id, true);
  update core.agents as a set
    status = v_to,
    updated_at = now(),
    paused_at = case when v_to = 'paused' then now() when v_to = 'active' then null else a.paused_at end,
    archived_at = case when v_to = 'archived' then now() when v_to = 'active' then null else a.archived_at end,
    deleted_at = case when v_to = 'deleted' then now() else a.deleted_at end,
    pause_hold_since = case when v_to = 'active' then null
                            when v_held then coalesce(a.pause_hold_since, a.paused_at, now())
                            when v_to = 'paused' then now()
                            else null end
  where a.id = p_agent_id;
  perform set_config('govdb.status_change', '', true);

  insert into core.agent_lifecycle_events as e (agent_id, event, from_status, to_status, reason, actor, details)
  values (p_agent_id,
          case v_to when 'active' then 'resumed' else v_to::text end::core.lifecycle_event_type,
          cur.status, v_to, nullif(btrim(p_reason), ''), coalesce(p_actor, p_actor_agent_id, p_authority),
          jsonb_strip_nulls(jsonb_build_object('authority', p_authority, 'dialectic_session_id', p_review_id,
                                               'pause_hold_ended', case when v_held and v_to = 'active' then true end)))
  returning e.id into v_event;

  if v_to = 'deleted' then
    delete from core.sessions s where s.agent_id = p_agent_id;
  end if;
  perform core.project_agent(p_agent_id);

  agent_id := p_agent_id; from_status := cur.status; to_status := v_to; event_id := v_event; changed_at := now();
end;
$$;
comment on function core.transition_agent(text,text,text,text,text,text,text) is
'The one function that changes an agent''s status (resume = to active), in the caller''s transaction.
The change must be a row of core.agent_status_transitions for p_authority: self (p_actor_agent_id is the agent), reviewer (p_review_id is a resolved dialectic review of this agent not yet used for a resume), admin (the caller checked the admin token) or system (governance decisions in other stored functions). Records one lifecycle event and updates the AGE vertex; deleting also ends the agent''s durable sessions. changed_at is the transaction time.
Errors: GV400 INVALID_STATUS / INVALID_AUTHORITY / INVALID_TRANSITION (reason over 4000 or actor over 256 characters); GV403 NOT_SELF, REVIEW_NOT_RESOLVED, TRANSITION_NOT_PERMITTED (another authority could make it; the hint names which); GV404 AGENT_NOT_FOUND; GV422 INVALID_TRANSITION when nobody can; GV423 AGENT_PAUSED when a pause hold blocks it.
@nonnull *';

-- guard_agent_status is defined by a migration; its description lives here with the functions it serves.
comment on function core.guard_agent_status() is
'Trigger on core.agents (migration 000008): refuses a change of status or pause_hold_since not made through core.transition_agent.
core.transition_agent marks its update with the transaction setting govdb.status_change; the legacy importer holds the govdb.legacy_import advisory lock. Errors: GV422 STATUS_CHANGE_OUTSIDE_STATE_MACHINE.';

create or replace function core.resume_agent_after_review(
  p_agent_id text,
  p_actor text,
  p_reason text default null,
  out agent_id text,
  out from_status core.agent_status,
  out to_status core.agent_status,
  out event_id bigint,
  out changed_at timestamptz,
  out review_id text)
language plpgsql volatile
set search_path = core, public
as $$
declare
  v_status core.agent_status;
  v_review core.dialectic_sessions;
begin
  -- the agent row is locked before the review is read, so the check and the resume see one state
  select a.status into v_status from core.agents a where a.id = p_agent_id for no key update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
  if v_status <> 'paused' then
    raise exception using errcode = 'GV422', detail = 'NOT_PAUSED',
      message = format('Agent "%s" is %s, not paused: there is nothing to resume after a review.', p_agent_id, v_status);
  end if;
  select * into v_review from core.dialectic_sessions d
   where d.paused_agent_id = p_agent_id
   order by d.created_at desc, d.id desc limit 1;
  if not found or v_review.status <> 'resolved' or v_review.resolution ->> 'action' is distinct from 'resume' then
    raise exception using errcode = 'GV422', detail = 'NO_RESUMING_REVIEW',
      message = format('Agent "%s" has no resolved dialectic review that allows resuming (latest review: %s).', p_agent_id,
                       case when v_review.id is null then 'none' else format('%s, %s', v_review.id, v_review.status) end),
      hint = 'Wait for the review to resolve, or resume the agent with the admin resume_agent tool after checking it yourself.';
  end if;
  select t.agent_id, t.from_status, t.to_status, t.event_id, t.changed_at
    into agent_id, from_status, to_status, event_id, changed_at
    from core.transition_agent(p_agent_id, 'active', 'admin', p_reason => coalesce(p_reason, format('resumed from the dashboard after review %s', v_review.id)),
                               p_actor => p_actor) t;
  review_id := v_review.id;
end;
$$;
comment on function core.resume_agent_after_review(text,text,text) is
'The dashboard operator''s "resume after review", in one transaction: the agent must be paused and its latest dialectic review (as the paused agent; newest created_at) resolved with resolution.action = resume; then core.transition_agent makes it active on the admin''s authority. review_id is that review. p_reason defaults to "resumed from the dashboard after review <id>".
Errors: GV404 AGENT_NOT_FOUND; GV422 NOT_PAUSED, NO_RESUMING_REVIEW (naming the latest review and its status, or none); the errors of core.transition_agent.
@nonnull *';

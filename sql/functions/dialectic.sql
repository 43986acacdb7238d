-- Dialectic sessions: a paused agent and a reviewer agree on the conditions of its recovery through
-- thesis (paused agent) -> antithesis (reviewer) -> synthesis rounds (both) -> resolved, or escalate
-- when the round limit is reached, or fail when a phase deadline passes. docs/dialectic.md has the
-- state machine. Every write locks the session row (SELECT ... FOR UPDATE), so concurrent
-- submissions to one session are applied one after the other; phase and status always change in
-- the same UPDATE (the table's CHECK dialectic_phase_matches_status enforces it).

create or replace function core.dialectic_phase_timeout(p_phase core.dialectic_phase)
returns interval
language sql immutable
as $$
  select case p_phase
    when 'thesis' then interval '2 hours'
    when 'antithesis' then interval '2 hours'
    when 'synthesis' then interval '1 hour'
  end
$$;
comment on function core.dialectic_phase_timeout(core.dialectic_phase) is
'How long an active dialectic phase waits for its submission; null for terminal phases.
The only place these values live: thesis and antithesis 2 hours, synthesis 1 hour.';

create or replace function core.dialectic_message_signature(p_session_id text, p_agent_id text, p_content jsonb)
returns text
language sql immutable
as $$
  select encode(sha256(convert_to(p_session_id || E'\n' || coalesce(p_agent_id, '') || E'\n' || p_content::text, 'UTF8')), 'hex')
$$;
comment on function core.dialectic_message_signature(text,text,jsonb) is
'The fingerprint of a dialectic message: sha256 (hex) of <session id>, newline, <agent id>, newline, <content as jsonb text>.
jsonb prints keys in a fixed order with fixed spacing, so any client can recompute it. It proves integrity, not identity: no key is involved.';

create or replace function core.dialectic_message_content(
  p_message_type core.dialectic_message_type, p_root_cause text, p_proposed_conditions jsonb, p_reasoning text,
  p_observed_metrics jsonb, p_concerns jsonb, p_agrees boolean)
returns jsonb
language sql immutable
as $$
  select jsonb_build_object(
    'message_type', p_message_type, 'root_cause', p_root_cause, 'proposed_conditions', p_proposed_conditions,
    'reasoning', p_reasoning, 'observed_metrics', p_observed_metrics, 'concerns', p_concerns, 'agrees', p_agrees)
$$;
comment on function core.dialectic_message_content(core.dialectic_message_type,text,jsonb,text,jsonb,jsonb,boolean) is
'The content a dialectic message signature covers, built from the message''s fields, as a JSON object.';

create or replace function core.dialectic_reviewer_candidates(p_paused_agent_id text)
returns table (agent_id text, status core.agent_status, last_activity_at timestamptz,
               active_session_id text, reviewed_recently boolean, eligible boolean)
language sql stable
rows 500
as $$
  select c.id, c.status, c.last_activity_at, c.active_session_id, c.reviewed_recently,
         c.status = 'active' and c.active_session_id is null and not c.reviewed_recently
  from (
    select a.id, a.status, x.last_activity_at,
           (select s.id from core.dialectic_sessions s
             where s.status = 'active' and (s.paused_agent_id = a.id or s.reviewer_agent_id = a.id)
             limit 1) as active_session_id,
           exists (select 1 from core.dialectic_sessions s
                    where s.paused_agent_id = p_paused_agent_id and s.reviewer_agent_id = a.id
                      and s.updated_at > now() - interval '24 hours') as reviewed_recently
    from core.agents a left join core.agent_activity x on x.agent_id = a.id
    where a.id <> p_paused_agent_id
  ) c
$$;
comment on function core.dialectic_reviewer_candidates(text) is
'Every agent other than p_paused_agent_id with the facts the reviewer rule looks at, and whether it is eligible to review that agent.
Eligible: status active, in no active session (either role), and not the reviewer of a session with this paused agent created or changed in the last 24 hours. active_session_id is one active session of the agent, or null.
@nonnull agent_id, status, reviewed_recently, eligible';

create or replace function core.dialectic_fail_expired()
returns setof core.dialectic_sessions
language plpgsql
as $$
declare
  v core.dialectic_sessions;
  v_waiting_for text;
begin
  for v in
    select * from core.dialectic_sessions
    where status = 'active' and phase_deadline < now()
    order by phase_deadline
    for update skip locked
  loop
    v_waiting_for := case v.phase
      when 'thesis' then format('a thesis from paused agent "%s"', v.paused_agent_id)
      when 'antithesis' then format('an antithesis from reviewer "%s"', v.reviewer_agent_id)
      else format('agreement in synthesis (round %s of %s)', v.synthesis_round, v.max_synthesis_rounds)
    end;
    insert into core.dialectic_messages (session_id, seq, message_type, agent_id, reasoning, observed_metrics)
    values (v.id,
            (select coalesce(max(m.seq), 0) + 1 from core.dialectic_messages m where m.session_id = v.id),
            'system', null,
            format('Phase %s timed out at %s waiting for %s; session failed.', v.phase,
                   to_char(v.phase_deadline at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), v_waiting_for),
            jsonb_build_object('event', 'timeout', 'timed_out_phase', v.phase, 'phase_deadline', v.phase_deadline));
    update core.dialectic_sessions
       set phase = 'failed', status = 'failed', phase_deadline = null, updated_at = now()
     where id = v.id
    returning * into v;
    return next v;
  end loop;
end;
$$;
comment on function core.dialectic_fail_expired() is
'Fails every active dialectic session whose phase deadline has passed and returns them.
Each gets a system message naming the missed phase; phase and status become failed together. Sessions locked by an in-flight submission are skipped (the next sweep takes them). Run it periodically; request_review runs it too.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';

-- The most recently active eligible agent is the likeliest to answer before the antithesis deadline.
-- One assignment runs at a time (transaction advisory lock), so two requests never pick the same
-- free reviewer.
drop function if exists core.dialectic_request_review(text, text, core.dialectic_type, text, text, integer, text);
create or replace function core.dialectic_request_review(
  p_paused_agent_id text,
  p_reviewer_agent_id text default null,
  p_session_type core.dialectic_type default 'recovery',
  p_topic text default null,
  p_reason text default null,
  p_max_synthesis_rounds integer default 5,
  p_discovery_id text default null,
  p_actor_agent_id text default null,
  p_admin boolean default false)
returns core.dialectic_sessions
language plpgsql
as $$
declare
  v_agent core.agents;
  v_session core.dialectic_sessions;
  v_candidate record;
  v_why text[];
  v_counts record;
begin
  if p_max_synthesis_rounds is null or p_max_synthesis_rounds not between 1 and 50 then
    raise exception using errcode = 'GV400', detail = 'INVALID_MAX_SYNTHESIS_ROUNDS',
      message = format('max_synthesis_rounds is %s, expected an integer from 1 to 50', coalesce(p_max_synthesis_rounds::text, 'null')),
      hint = 'Omit it to use the default of 5.';
  end if;
  if char_length(p_topic) > 2000 or char_length(p_reason) > 4000 then
    raise exception using errcode = 'GV400', detail = 'TEXT_TOO_LONG',
      message = format('topic has %s characters and reason %s, expected at most 2000 and 4000',
                       coalesce(char_length(p_topic), 0), coalesce(char_length(p_reason), 0)),
      hint = 'Shorten the text; details belong in the thesis.';
  end if;
  if p_session_type is null then
    raise exception using errcode = 'GV400', detail = 'INVALID_SESSION_TYPE',
      message = 'session_type is null, expected recovery, review or dispute';
  end if;

  if not coalesce(p_admin, false) and p_actor_agent_id is distinct from p_paused_agent_id then
    raise exception using errcode = 'GV403', detail = 'NOT_SELF',
      message = format('Agent "%s" cannot request a review of agent "%s": a paused agent requests its own review', coalesce(p_actor_agent_id, '(none)'), p_paused_agent_id),
      hint = 'Omit paused_agent_id to request a review of yourself, or pass admin_token.';
  end if;
  perform pg_advisory_xact_lock(hashtext('govdb.dialectic.assign_reviewer'));
  perform core.dialectic_fail_expired();

  select * into v_agent from core.agents where id = p_paused_agent_id for share;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_paused_agent_id),
      hint = 'Check the paused agent id (list agents to see the known ids).';
  end if;
  if v_agent.status <> 'paused' then
    raise exception using errcode = 'GV422', detail = 'AGENT_NOT_PAUSED',
      message = format('Agent "%s" is %s, expected paused: only a paused agent can request a review', v_agent.id, v_agent.status),
      hint = 'A review is how a paused agent recovers; an agent that is not paused needs none.';
  end if;
  select s.* into v_session from core.dialectic_sessions s
   where s.status = 'active' and (s.paused_agent_id = v_agent.id or s.reviewer_agent_id = v_agent.id)
   limit 1;
  if found then
    raise exception using errcode = 'GV409', detail = 'DIALECTIC_SESSION_EXISTS',
      message = format('Agent "%s" already takes part in active dialectic session "%s" (phase %s)', v_agent.id, v_session.id, v_session.phase),
      hint = 'Continue that session, or wait until it resolves, escalates or times out.';
  end if;

  if p_reviewer_agent_id is not null then
    if p_reviewer_agent_id = v_agent.id then
      raise exception using errcode = 'GV422', detail = 'REVIEWER_IS_PAUSED_AGENT',
        message = format('Reviewer "%s" is the paused agent itself, expected another agent', p_reviewer_agent_id),
        hint = 'Name a different reviewer, or omit it to have one picked.';
    end if;
    select * into v_candidate from core.dialectic_reviewer_candidates(v_agent.id) c where c.agent_id = p_reviewer_agent_id;
    if not found then
      raise exception using errcode = 'GV404', detail = 'REVIEWER_NOT_FOUND',
        message = format('No agent with id "%s" to act as reviewer', p_reviewer_agent_id),
        hint = 'Check the reviewer id, or omit it to have one picked.';
    end if;
    if not v_candidate.eligible then
      v_why := array_remove(array[
        case when v_candidate.status <> 'active' then format('its status is %s, expected active', v_candidate.status) end,
        case when v_candidate.active_session_id is not null then format('it takes part in active session "%s"', v_candidate.active_session_id) end,
        case when v_candidate.reviewed_recently then format('it reviewed agent "%s" within the last 24 hours', v_agent.id) end], null);
      raise exception using errcode = 'GV422', detail = 'REVIEWER_NOT_ELIGIBLE',
        message = format('Agent "%s" cannot review agent "%s": %s', p_reviewer_agent_id, v_agent.id, array_to_string(v_why, '; ')),
        hint = 'Omit the reviewer to have an eligible one picked.';
    end if;
  else
    select * into v_candidate from core.dialectic_reviewer_candidates(v_agent.id) c
     where c.eligible
     order by c.last_activity_at desc nulls last, c.agent_id
     limit 1;
    if not found then
      select count(*) as total,
             count(*) filter (where c.status = 'active') as active,
             count(*) filter (where c.status = 'active' and c.active_session_id is not null) as busy,
             count(*) filter (where c.status = 'active' and c.reviewed_recently) as recent
        into v_counts
        from core.dialectic_reviewer_candidates(v_agent.id) c;
      raise exception using errcode = 'GV422', detail = 'NO_ELIGIBLE_REVIEWER',
        message = format('No eligible reviewer for agent "%s": of %s other agents %s are active, %s of those are in another active session and %s reviewed "%s" within the last 24 hours',
                         v_agent.id, v_counts.total, v_counts.active, v_counts.busy, v_counts.recent, v_agent.id),
        hint = 'A reviewer must be active, free of other active sessions and not have reviewed this agent in the last 24 hours: retry when a session ends, or resume or onboard another agent.';
    end if;
  end if;

  insert into core.dialectic_sessions (paused_agent_id, reviewer_agent_id, session_type, topic, reason,
                                       max_synthesis_rounds, discovery_id, phase_deadline)
  values (v_agent.id, v_candidate.agent_id, p_session_type, p_topic, p_reason,
          p_max_synthesis_rounds, p_discovery_id, now() + core.dialectic_phase_timeout('thesis'))
  returning * into v_session;
  return v_session;
end;
$$;
comment on function core.dialectic_request_review(text,text,core.dialectic_type,text,text,integer,text,text,boolean) is
'Opens a dialectic review for a paused agent and returns the new session (phase thesis).
The reviewer is p_reviewer_agent_id when given (it must be eligible, core.dialectic_reviewer_candidates), otherwise the eligible agent with the most recent activity (ties: smallest id). Who: the paused agent itself (p_actor_agent_id) or an admin (p_admin).
Errors: GV400 INVALID_SESSION_TYPE / INVALID_MAX_SYNTHESIS_ROUNDS / TEXT_TOO_LONG; GV403 NOT_SELF; GV404 AGENT_NOT_FOUND / REVIEWER_NOT_FOUND; GV409 DIALECTIC_SESSION_EXISTS; GV422 AGENT_NOT_PAUSED / REVIEWER_IS_PAUSED_AGENT / REVIEWER_NOT_ELIGIBLE / NO_ELIGIBLE_REVIEWER.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';

create or replace function core.dialectic_submit_message(
  p_session_id text,
  p_agent_id text,
  p_message_type core.dialectic_message_type,
  p_root_cause text,
  p_proposed_conditions jsonb,
  p_reasoning text,
  p_observed_metrics jsonb,
  p_concerns jsonb,
  p_agrees boolean)
returns core.dialectic_sessions
language plpgsql
as $$
declare
  v core.dialectic_sessions;
  v_role text;
  v_seq integer;
  v_content jsonb;
  v_a core.dialectic_messages;
  v_b core.dialectic_messages;
  v_conditions jsonb;
  v_problems text[] := '{}';
  v_status core.agent_status;
  v_paused_status core.agent_status;
begin
  -- input: collect every problem before raising
  if p_message_type is null or p_message_type = 'system' then
    v_problems := v_problems || format('message_type is %s, expected thesis, antithesis or synthesis', coalesce(p_message_type::text, 'null'));
  end if;
  if p_message_type = 'thesis' and coalesce(btrim(p_root_cause), '') = '' then
    v_problems := v_problems || 'root_cause is empty, a thesis must state the root cause'::text;
  end if;
  if p_message_type in ('antithesis', 'synthesis') and coalesce(btrim(p_reasoning), '') = '' then
    v_problems := v_problems || format('reasoning is empty, expected the reasoning of the %s', p_message_type);
  end if;
  if p_message_type = 'synthesis' and p_agrees is null then
    v_problems := v_problems || 'agrees is null, a synthesis must say whether it agrees (true or false)'::text;
  end if;
  if char_length(p_root_cause) > 20000 or char_length(p_reasoning) > 20000 then
    v_problems := v_problems || format('root_cause has %s and reasoning %s characters, expected at most 20000 each',
                                       coalesce(char_length(p_root_cause), 0), coalesce(char_length(p_reasoning), 0));
  end if;
  if jsonb_typeof(p_proposed_conditions) is distinct from 'array'
     or jsonb_path_exists(p_proposed_conditions, '$[*] ? (@.type() != "string")') then
    v_problems := v_problems || format('proposed_conditions is %s, expected an array of strings', coalesce(p_proposed_conditions::text, 'null'));
  end if;
  if jsonb_typeof(p_concerns) is distinct from 'array' then
    v_problems := v_problems || format('concerns is %s, expected an array', coalesce(p_concerns::text, 'null'));
  end if;
  if jsonb_typeof(p_observed_metrics) is distinct from 'object' then
    v_problems := v_problems || format('observed_metrics is %s, expected an object', coalesce(p_observed_metrics::text, 'null'));
  end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_DIALECTIC_MESSAGE',
      message = 'Invalid dialectic message: ' || array_to_string(v_problems, '; ');
  end if;

  select * into v from core.dialectic_sessions where id = p_session_id for update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'DIALECTIC_SESSION_NOT_FOUND',
      message = format('No dialectic session with id "%s"', p_session_id),
      hint = 'List the sessions of the agent to find its session id.';
  end if;
  select a.status into v_status from core.agents a where a.id = p_agent_id for share;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id);
  end if;

  v_role := case p_agent_id when v.paused_agent_id then 'paused agent' when v.reviewer_agent_id then 'reviewer' end;
  if v_role is null
     or (p_message_type = 'thesis' and v_role <> 'paused agent')
     or (p_message_type = 'antithesis' and v_role <> 'reviewer') then
    raise exception using errcode = 'GV403', detail = 'DIALECTIC_WRONG_ROLE',
      message = format('Agent "%s" is %s of dialectic session "%s"; %s',
        p_agent_id, coalesce('the ' || v_role, 'not a participant'), v.id,
        case p_message_type
          when 'thesis' then format('a thesis can only come from the paused agent "%s"', v.paused_agent_id)
          when 'antithesis' then format('an antithesis can only come from the reviewer "%s"', v.reviewer_agent_id)
          else format('a synthesis can only come from its participants "%s" and "%s"', v.paused_agent_id, v.reviewer_agent_id)
        end);
  end if;
  -- the actor now: a reviewer must be able to write; the paused agent takes part while paused (its
  -- recovery) but not once archived or deleted. The paused agent is locked for the resume below.
  if v_role = 'reviewer' then
    perform core.check_actor_status(p_agent_id, v_status, 'reviewer');
  end if;
  select a.status into v_paused_status from core.agents a where a.id = v.paused_agent_id for no key update;
  if v_paused_status in ('archived', 'deleted') then
    perform core.check_actor_status(v.paused_agent_id, v_paused_status, 'paused agent');
  end if;
  if v.status <> 'active' then
    raise exception using errcode = 'GV422', detail = 'DIALECTIC_SESSION_CLOSED',
      message = format('Dialectic session "%s" is in phase %s (closed), expected an active session in phase %s', v.id, v.phase, p_message_type),
      hint = 'A closed session takes no more messages; request a new review if one is still needed.';
  end if;
  if v.phase::text <> p_message_type::text then
    raise exception using errcode = 'GV422', detail = 'DIALECTIC_WRONG_PHASE',
      message = format('Dialectic session "%s" is in phase %s, expected phase %s to accept this %s', v.id, v.phase, p_message_type, p_message_type),
      hint = case v.phase
        when 'thesis' then format('The session waits for a thesis from paused agent "%s".', v.paused_agent_id)
        when 'antithesis' then format('The session waits for an antithesis from reviewer "%s".', v.reviewer_agent_id)
        else 'The session waits for synthesis messages from both participants.'
      end;
  end if;
  if v.phase_deadline < now() then
    raise exception using errcode = 'GV422', detail = 'DIALECTIC_DEADLINE_PASSED',
      message = format('Dialectic session "%s": the %s deadline passed at %s', v.id, v.phase, v.phase_deadline),
      hint = 'The session is failed by the next timeout sweep; request a new review (request_dialectic_review).';
  end if;

  v_content := core.dialectic_message_content(p_message_type, p_root_cause, p_proposed_conditions, p_reasoning,
                                              p_observed_metrics, p_concerns, p_agrees);
  select coalesce(max(seq), 0) + 1 into v_seq from core.dialectic_messages where session_id = v.id;
  insert into core.dialectic_messages (session_id, seq, message_type, agent_id, root_cause, proposed_conditions,
                                       reasoning, observed_metrics, concerns, agrees, signature)
  values (v.id, v_seq, p_message_type, p_agent_id, p_root_cause, p_proposed_conditions, p_reasoning,
          p_observed_metrics, p_concerns, p_agrees, core.dialectic_message_signature(v.id, p_agent_id, v_content));

  if p_message_type = 'thesis' then
    update core.dialectic_sessions set phase = 'antithesis', updated_at = now(),
           phase_deadline = now() + core.dialectic_phase_timeout('antithesis')
     where id = v.id returning * into v;
    return v;
  elsif p_message_type = 'antithesis' then
    update core.dialectic_sessions set phase = 'synthesis', updated_at = now(),
           phase_deadline = now() + core.dialectic_phase_timeout('synthesis')
     where id = v.id returning * into v;
    return v;
  end if;

  -- synthesis: every message is a round; the latest message of each participant decides agreement
  select * into v_a from core.dialectic_messages
   where session_id = v.id and message_type = 'synthesis' and agent_id = v.paused_agent_id order by seq desc limit 1;
  select * into v_b from core.dialectic_messages
   where session_id = v.id and message_type = 'synthesis' and agent_id = v.reviewer_agent_id order by seq desc limit 1;

  if v_a.agrees and v_b.agrees then
    -- agreed conditions: both proposals, paused agent's first, duplicates removed, first mention kept
    select coalesce(jsonb_agg(c.value order by c.first_pos), '[]') into v_conditions
      from (select e.value, min(e.pos) as first_pos
              from (select x.value, array[1, x.ord] as pos from jsonb_array_elements(v_a.proposed_conditions) with ordinality x(value, ord)
                    union all
                    select y.value, array[2, y.ord] from jsonb_array_elements(v_b.proposed_conditions) with ordinality y(value, ord)) e
             group by e.value) c;
    update core.dialectic_sessions
       set phase = 'resolved', status = 'resolved', synthesis_round = synthesis_round + 1,
           phase_deadline = null, resolved_at = now(), updated_at = now(),
           resolution = jsonb_build_object(
             'action', 'resume',
             'conditions', v_conditions,
             'root_cause', coalesce(v_a.root_cause, v_b.root_cause,
                                    (select m.root_cause from core.dialectic_messages m
                                      where m.session_id = v.id and m.message_type = 'thesis' order by m.seq desc limit 1)),
             'reasoning', format(E'Agent A (%s): %s\nAgent B (%s): %s', v.paused_agent_id, v_a.reasoning, v.reviewer_agent_id, v_b.reasoning),
             'agent_a', v.paused_agent_id,
             'agent_b', v.reviewer_agent_id,
             'signature_a', v_a.signature,
             'signature_b', v_b.signature,
             'message_seq_a', v_a.seq,
             'message_seq_b', v_b.seq,
             'synthesis_round', v.synthesis_round + 1,
             'resolved_at', now())
     where id = v.id returning * into v;
    -- the resume is part of the resolution: same transaction, through the state machine
    if v_paused_status = 'paused' then
      perform core.transition_agent(v.paused_agent_id, 'active', 'reviewer', p_actor_agent_id => p_agent_id,
        p_reason => format('dialectic resolution %s', v.id), p_actor => p_agent_id, p_review_id => v.id);
    end if;
  elsif v.synthesis_round + 1 >= v.max_synthesis_rounds then
    insert into core.dialectic_messages (session_id, seq, message_type, agent_id, reasoning, observed_metrics)
    values (v.id, v_seq + 1, 'system', null,
            format('Synthesis round limit (%s) reached without agreement; session escalated.', v.max_synthesis_rounds),
            jsonb_build_object('event', 'escalation', 'synthesis_round', v.synthesis_round + 1,
                               'max_synthesis_rounds', v.max_synthesis_rounds));
    update core.dialectic_sessions
       set phase = 'escalated', status = 'escalated', synthesis_round = synthesis_round + 1,
           phase_deadline = null, updated_at = now()
     where id = v.id returning * into v;
  else
    update core.dialectic_sessions
       set synthesis_round = synthesis_round + 1, updated_at = now(),
           phase_deadline = now() + core.dialectic_phase_timeout('synthesis')
     where id = v.id returning * into v;
  end if;
  return v;
end;
$$;
comment on function core.dialectic_submit_message(text,text,core.dialectic_message_type,text,jsonb,text,jsonb,jsonb,boolean) is
'Records one message of a dialectic participant and advances the session; returns the session after the change.
The role is checked before the phase. Called by the submit_thesis, submit_antithesis and submit_synthesis functions.
Errors: GV400 INVALID_DIALECTIC_MESSAGE; GV403 DIALECTIC_WRONG_ROLE when the agent may never submit this message type; GV404 DIALECTIC_SESSION_NOT_FOUND / AGENT_NOT_FOUND; GV422 DIALECTIC_WRONG_PHASE (the right agent at the wrong time; names the current phase), DIALECTIC_DEADLINE_PASSED, DIALECTIC_SESSION_CLOSED.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';

create or replace function core.dialectic_submit_thesis(
  p_session_id text,
  p_agent_id text,
  p_root_cause text,
  p_proposed_conditions jsonb default '[]',
  p_reasoning text default null,
  p_observed_metrics jsonb default '{}')
returns core.dialectic_sessions
language sql
as $$
  select * from core.dialectic_submit_message(p_session_id, p_agent_id, 'thesis', p_root_cause, p_proposed_conditions,
                                              p_reasoning, p_observed_metrics, '[]'::jsonb, null)
$$;
comment on function core.dialectic_submit_thesis(text,text,text,jsonb,text,jsonb) is
'The paused agent states what went wrong and proposes conditions; phase thesis -> antithesis. Returns the session.
p_proposed_conditions: JSON array; p_observed_metrics: JSON object. Errors: those of core.dialectic_submit_message.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';

create or replace function core.dialectic_submit_antithesis(
  p_session_id text,
  p_agent_id text,
  p_reasoning text,
  p_concerns jsonb default '[]',
  p_observed_metrics jsonb default '{}',
  p_proposed_conditions jsonb default '[]')
returns core.dialectic_sessions
language sql
as $$
  select * from core.dialectic_submit_message(p_session_id, p_agent_id, 'antithesis', null, p_proposed_conditions,
                                              p_reasoning, p_observed_metrics, p_concerns, null)
$$;
comment on function core.dialectic_submit_antithesis(text,text,text,jsonb,jsonb,jsonb) is
'The reviewer answers with its reasoning and concerns; phase antithesis -> synthesis. Returns the session.
p_concerns, p_proposed_conditions: JSON arrays; p_observed_metrics: JSON object. Errors: those of core.dialectic_submit_message.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';

create or replace function core.dialectic_submit_synthesis(
  p_session_id text,
  p_agent_id text,
  p_agrees boolean,
  p_reasoning text,
  p_proposed_conditions jsonb default '[]',
  p_root_cause text default null,
  p_concerns jsonb default '[]')
returns core.dialectic_sessions
language sql
as $$
  select * from core.dialectic_submit_message(p_session_id, p_agent_id, 'synthesis', p_root_cause, p_proposed_conditions,
                                              p_reasoning, '{}'::jsonb, p_concerns, p_agrees)
$$;
comment on function core.dialectic_submit_synthesis(text,text,boolean,text,jsonb,text,jsonb) is
'Either participant proposes conditions and says whether it agrees; returns the session.
When the latest synthesis of both participants agrees the session resolves; when the round limit is reached without agreement it escalates. Errors: those of core.dialectic_submit_message.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';

drop function if exists core.dialectic_get_session(text);
create or replace function core.dialectic_get_session(p_session_id text, p_actor_agent_id text default null, p_admin boolean default false)
returns jsonb
language plpgsql stable
as $$
declare
  v_result jsonb;
begin
  select to_jsonb(s) || jsonb_build_object('messages', coalesce(
           (select jsonb_agg(to_jsonb(m) - 'session_id' order by m.seq) from core.dialectic_messages m where m.session_id = s.id),
           '[]'::jsonb))
    into v_result
    from core.dialectic_sessions s where s.id = p_session_id;
  if v_result is null then
    raise exception using errcode = 'GV404', detail = 'DIALECTIC_SESSION_NOT_FOUND',
      message = format('No dialectic session with id "%s"', p_session_id),
      hint = 'List the sessions of the agent to find its session id.';
  end if;
  if not coalesce(p_admin, false) and p_actor_agent_id is distinct from v_result->>'paused_agent_id'
     and p_actor_agent_id is distinct from v_result->>'reviewer_agent_id' then
    raise exception using errcode = 'GV403', detail = 'NOT_PARTICIPANT',
      message = format('Agent "%s" takes no part in dialectic session "%s"; only its paused agent, its reviewer or an admin may read it',
                       coalesce(p_actor_agent_id, '(none)'), p_session_id),
      hint = 'Pass admin_token, or read your own sessions (list_dialectic_sessions).';
  end if;
  return v_result;
end;
$$;
comment on function core.dialectic_get_session(text,text,boolean) is
'A dialectic session with its messages in order, as one JSON object: the session''s columns plus messages (an array of message rows).
Who: its paused agent, its reviewer (p_actor_agent_id) or an admin (p_admin).
Errors: GV404 DIALECTIC_SESSION_NOT_FOUND, then GV403 NOT_PARTICIPANT.
@nonnull *';

create or replace function core.dialectic_list_sessions(
  p_agent_id text default null,
  p_status core.dialectic_status default null,
  p_session_type core.dialectic_type default null,
  p_limit integer default 50,
  p_cursor text default null)
returns table (id text, paused_agent_id text, reviewer_agent_id text, session_type core.dialectic_type,
               phase core.dialectic_phase, status core.dialectic_status, topic text, reason text,
               synthesis_round integer, max_synthesis_rounds integer, resolution jsonb, discovery_id text,
               created_at timestamptz, updated_at timestamptz, phase_deadline timestamptz, resolved_at timestamptz,
               cursor text)
language plpgsql stable
rows 50
as $$
declare
  v_before_created_at timestamptz;
  v_before_id text;
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    raise exception using errcode = 'GV400', detail = 'INVALID_LIMIT',
      message = format('limit is %s, expected 1 to 1000', coalesce(p_limit::text, 'null'));
  end if;
  if p_cursor is not null then
    if p_cursor !~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\|.+$' then
      raise exception using errcode = 'GV400', detail = 'INVALID_CURSOR',
        message = format('cursor "%s" is not a cursor returned by dialectic_list_sessions', left(p_cursor, 60)),
        hint = 'Pass the cursor of the last row of the previous page unchanged.';
    end if;
    v_before_created_at := split_part(p_cursor, '|', 1)::timestamptz;
    v_before_id := substr(p_cursor, strpos(p_cursor, '|') + 1);
  end if;
  return query
    select s.id, s.paused_agent_id, s.reviewer_agent_id, s.session_type, s.phase, s.status, s.topic, s.reason,
           s.synthesis_round, s.max_synthesis_rounds, s.resolution, s.discovery_id, s.created_at, s.updated_at,
           s.phase_deadline, s.resolved_at,
           to_char(s.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' || s.id
      from core.dialectic_sessions s
     where (p_agent_id is null or s.paused_agent_id = p_agent_id or s.reviewer_agent_id = p_agent_id)
       and (p_status is null or s.status = p_status)
       and (p_session_type is null or s.session_type = p_session_type)
       and (v_before_created_at is null or (s.created_at, s.id) < (v_before_created_at, v_before_id))
     order by s.created_at desc, s.id desc
     limit p_limit;
end;
$$;
comment on function core.dialectic_list_sessions(text,core.dialectic_status,core.dialectic_type,integer,text) is
'Dialectic sessions newest first (created_at desc, id desc), filtered by participant (either role), status and type, at most p_limit (1..1000) a page.
Each row carries an opaque cursor (<created_at UTC to the microsecond>|<id>); pass the last row''s cursor as p_cursor for the next page.
Errors: GV400 INVALID_LIMIT / INVALID_CURSOR.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, cursor';

-- Variant of core.process_agent_update for bench/experiments/update-cpu-ab.js --sql (experiment, not product code).
-- B1 + B2.
create or replace function core.process_agent_update(
  p_agent_id text,
  p_complexity double precision,
  p_confidence double precision,
  p_response_length integer default null,
  p_response_text text default null,
  p_task_type text default null,
  p_ethical_drift double precision[] default null,
  p_apply_pause boolean default false,
  out seq bigint,
  out energy double precision,
  out information double precision,
  out entropy double precision,
  out void double precision,
  out coherence double precision,
  out risk double precision,
  out phi double precision,
  out regime text,
  out verdict core.verdict,
  out health_status core.health_status,
  out decision core.decision,
  out drift_norm double precision,
  out update_count bigint,
  out agent_status core.agent_status,
  out recorded_at timestamptz)
language plpgsql volatile
as $$
declare
  k record;
  v_max_len integer;
  v_max_drift integer;
  v_problems text[] := '{}';
  v_length integer;
  v_task_type text := nullif(lower(btrim(p_task_type)), '');
  v_status core.agent_status;
  v_prev record;
  v_bad text;
begin
  -- the constants, typed, once per call (a cached plan of folded constants)
  select c.max_response_length, c.max_drift_components, c.max_task_type_length, c.model, c.e0, c.i0, c.s0, c.v0
    into k from core.eisv_constants() c;
  v_max_len := k.max_response_length;
  v_max_drift := k.max_drift_components;
  -- validation: collect every problem, then fail once
  if p_agent_id is null then v_problems := v_problems || 'agent_id is required'::text; end if;
  if p_complexity is null or not (p_complexity between 0 and 1) then
    v_problems := v_problems || format('complexity must be a number in [0, 1], got %s', coalesce(p_complexity::text, 'null'));
  end if;
  if p_confidence is null or not (p_confidence between 0 and 1) then
    v_problems := v_problems || format('confidence must be a number in [0, 1], got %s', coalesce(p_confidence::text, 'null'));
  end if;
  if p_response_text is not null and char_length(p_response_text) > v_max_len then
    v_problems := v_problems || format('response_text is %s characters, more than the limit of %s (send response_length instead of the text)',
      char_length(p_response_text), v_max_len);
  elsif p_response_length is not null and not (p_response_length between 0 and v_max_len) then
    v_problems := v_problems || format('response_length must be in [0, %s], got %s', v_max_len, p_response_length);
  elsif p_response_text is not null and p_response_length is not null and p_response_length <> char_length(p_response_text) then
    v_problems := v_problems || format('response_length %s does not match the %s characters of response_text (send one of them)',
      p_response_length, char_length(p_response_text));
  elsif p_response_text is null and p_response_length is null then
    v_problems := v_problems || 'response_length (or response_text) is required'::text;
  end if;
  v_length := coalesce(p_response_length, char_length(p_response_text));
  if v_task_type is not null and (char_length(v_task_type) > k.max_task_type_length or v_task_type !~ '^[a-z][a-z0-9_.:-]*$') then
    v_problems := v_problems || format('task_type must be 1-%s characters of a-z, 0-9, _ . : - starting with a letter, got "%s"',
      k.max_task_type_length, left(p_task_type, 80));
  end if;
  if p_ethical_drift is not null then
    if cardinality(p_ethical_drift) not between 1 and v_max_drift then
      v_problems := v_problems || format('ethical_drift must have 1-%s components, got %s', v_max_drift, cardinality(p_ethical_drift));
    else
      select string_agg(format('[%s] = %s', u.i, coalesce(u.x::text, 'null')), ', ') into v_bad
      from unnest(p_ethical_drift) with ordinality as u(x, i)
      where u.x is null or not (u.x between -1 and 1);
      if v_bad is not null then
        v_problems := v_problems || format('ethical_drift components must be numbers in [-1, 1], got %s', v_bad);
      end if;
    end if;
  end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_UPDATE',
      message = format('Invalid agent update: %s', array_to_string(v_problems, '; ')),
      hint = 'complexity and confidence are numbers in [0, 1]; report the response length in characters.';
  end if;

  -- Serialise updates of this agent. Lock order: the agent row of core.agents first (FOR NO KEY
  -- UPDATE, the lock core.transition_agent takes, so a status change and an update of one agent run
  -- one after the other and the status read here is the committed one after any wait), then the
  -- agent's core.agent_activity row (the counters; only written under the agent row's lock), then
  -- the history insert (its foreign-key check takes FOR KEY SHARE of the agent row, already held).
  -- The agent row is not rewritten: its counters live in core.agent_activity (migration agent_activity).
  select a.status into v_status from core.agents a where a.id = p_agent_id for no key update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Onboard the agent first (the onboard tool).';
  end if;
  if v_status not in ('active', 'waiting_input') then
    -- paused, archived, deleted: AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED (docs/lifecycle.md)
    perform core.check_actor_status(p_agent_id, v_status, 'agent');
  end if;
  agent_status := v_status;
  update core.agent_activity as x set update_count = x.update_count + 1, last_activity_at = now()
  where x.agent_id = p_agent_id
  returning x.update_count into update_count;
  if not found then
    -- every agent gets its row at insert (trigger agent_activity_insert); this only repairs a
    -- missing one, from the superseded columns it was backfilled from
    insert into core.agent_activity as x (agent_id, update_count, last_activity_at)
    select a.id, a.update_count + 1, now() from core.agents a where a.id = p_agent_id
    on conflict (agent_id) do update set update_count = x.update_count + 1, last_activity_at = now()
    returning x.update_count into update_count;
  end if;

  -- B1: the latest state, the drift and the step in one SELECT INTO; then a plain INSERT ... VALUES
  select coalesce(p.seq, 0) as seq, coalesce(p.energy, k.e0) as energy, coalesce(p.information, k.i0) as information,
         coalesce(p.entropy, k.s0) as entropy, coalesce(p.void, k.v0) as void,
         d.drift_norm, d.drift_components, d.drift_source, d.baseline,
         n.energy as n_energy, n.information as n_information, n.entropy as n_entropy, n.void as n_void,
         n.coherence, n.risk, n.phi, n.regime, n.verdict, n.decision, n.health_status
    into v_prev
  from (select 1) as one
  left join lateral (select s.seq, s.energy, s.information, s.entropy, s.void, s.state->'baseline' as baseline
                     from core.agent_state s where s.agent_id = p_agent_id order by s.seq desc limit 1) p on true
  cross join lateral core.eisv_drift_rows(p.baseline, p_confidence, p_complexity, v_length, p_ethical_drift) d
  cross join lateral core.eisv_step_rows(coalesce(p.energy, k.e0), coalesce(p.information, k.i0), coalesce(p.entropy, k.s0),
                                         coalesce(p.void, k.v0), p_complexity, d.drift_norm) n;
  drift_norm := v_prev.drift_norm;
  seq := v_prev.seq + 1;
  energy := v_prev.n_energy; information := v_prev.n_information; entropy := v_prev.n_entropy; void := v_prev.n_void;
  coherence := v_prev.coherence; risk := v_prev.risk; phi := v_prev.phi; regime := v_prev.regime;
  verdict := v_prev.verdict; health_status := v_prev.health_status; decision := v_prev.decision;

  insert into core.agent_state as s (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict,
                                     decision, health_status, state)
  values (p_agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, decision, health_status,
         (select jsonb_build_object('model', k.model, 'inputs', to_jsonb(i), 'drift', to_jsonb(dr), 'baseline', v_prev.baseline,
                                    'previous', to_jsonb(pr), 'delta', to_jsonb(dl))
          from (select p_complexity as complexity, p_confidence as confidence, v_length as response_length,
                       v_task_type as task_type, p_ethical_drift as ethical_drift) i,
               (select v_prev.drift_norm as norm, v_prev.drift_components as components, v_prev.drift_source as source) dr,
               (select v_prev.seq as seq, v_prev.energy as "E", v_prev.information as "I", v_prev.entropy as "S", v_prev.void as "V") pr,
               (select energy - v_prev.energy as "E", information - v_prev.information as "I",
                       entropy - v_prev.entropy as "S", void - v_prev.void as "V") dl))
  returning s.recorded_at into recorded_at;

  if p_apply_pause and decision = 'pause' then
    perform core.transition_agent(p_agent_id, 'paused', 'system',
      p_reason => format('governance decision pause at seq %s (risk %s, verdict %s)', seq, round(risk::numeric, 3), verdict),
      p_actor => 'governance');
    agent_status := 'paused';
  end if;
end;
$$;

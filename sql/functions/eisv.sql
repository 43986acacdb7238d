-- EISV: the governance state of an agent (Energy, Information integrity, entropy S, Void V) and the
-- storage side of process_agent_update. The model, every constant and a worked example are in
-- docs/eisv.md; the constants live only in core.eisv_params().
--
--   core.eisv_params()          every constant of the model (immutable jsonb)
--   core.eisv_coherence(v)      C(V) = Cmax·½(1 + tanh(C1·V))
--   core.eisv_drift(...)        ‖Δη‖ from the reported signals and the agent's running baseline
--   core.eisv_assess(...)       coherence, risk, phi, verdict, health, decision of a state
--   core.eisv_step(...)         one Euler step + assessment + regime (pure; what the tests check)
--   core.process_agent_update   lock, read latest, step, append history, bump counters (one txn)
--   core.get_agent_state        latest state (the initial state, seq 0, when there is none)
--   core.agent_state_history    state rows, newest first

-- Every constant of the model, in one place. Changing a value here changes the dynamics for every
-- caller; record the change in docs/eisv.md.
create or replace function core.eisv_params()
returns jsonb
language sql immutable parallel safe
as $$
  select jsonb_build_object(
    'model', 'eisv-euler-v1',
    -- integration
    'dt', 0.1,
    -- dE = alpha(I - E) - beta_e·E·S + gamma_e·‖Δη‖²
    'alpha', 0.42, 'beta_e', 0.1, 'gamma_e', 0.05,
    -- dI = beta_i·C(V) - k·S - gamma_i·I
    'beta_i', 0.3, 'k', 0.1, 'gamma_i', 0.25,
    -- dS = -mu·S + lambda1·‖Δη‖² - lambda2·C(V) + beta_cx·complexity
    'mu', 0.8, 'lambda1', 0.3, 'lambda2', 0.05, 'beta_cx', 0.15,
    -- dV = kappa(E - I) - delta·V
    'kappa', 0.3, 'delta', 0.4,
    -- C(V) = c_max·½(1 + tanh(c1·V)); c1 = 1: C moves from 0.12 to 0.88 as V goes from -1 to 1
    'c_max', 1.0, 'c1', 1.0,
    -- bounds (clipping after each step) and the initial state
    'e_min', 0.0, 'e_max', 1.0, 'i_min', 0.0, 'i_max', 1.0,
    's_min', 0.001, 's_max', 2.0, 'v_min', -2.0, 'v_max', 2.0,
    'e0', 0.7, 'i0', 0.8, 's0', 0.2, 'v0', 0.0,
    -- phi = w_e·E - w_i·(1 - I) - w_s·S - w_v·|V| - w_eta·‖Δη‖²; verdict thresholds
    'w_e', 0.5, 'w_i', 0.5, 'w_s', 0.5, 'w_v', 0.5, 'w_eta', 0.5,
    'phi_safe', 0.15, 'phi_caution', 0.0,
    -- risk = r_coherence·(1 - C) + r_entropy·S/s_max + r_void·|V|/v_max + r_drift·‖Δη‖²  (weights sum to 1)
    'r_coherence', 0.4, 'r_entropy', 0.3, 'r_void', 0.15, 'r_drift', 0.15,
    -- health by risk: < moderate healthy, < critical moderate, else critical
    'health_moderate', 0.35, 'health_critical', 0.60,
    -- regime: a step whose every |Δ| is below this is STABLE
    'regime_epsilon', 0.005,
    -- ‖Δη‖ from reported signals: baseline = exponential moving average with this weight;
    -- response length enters as len / (len + length_half)
    'baseline_weight', 0.2, 'length_half', 2000,
    -- input limits
    'max_response_length', 200000, 'max_drift_components', 16, 'max_task_type_length', 64)
$$;
comment on function core.eisv_params() is 'Every constant of the EISV model (docs/eisv.md).';

-- C(V) = Cmax·½(1 + tanh(C1·V)).
create or replace function core.eisv_coherence(p_void double precision)
returns double precision
language sql immutable strict parallel safe
as $$
  select (p->>'c_max')::float8 * 0.5 * (1 + tanh((p->>'c1')::float8 * p_void))
  from core.eisv_params() p
$$;

-- ‖Δη‖, the drift of the reported signals. Δη is either the vector the caller reports (each
-- component in [-1, 1]) or, when none is reported, the deviation of (confidence, complexity,
-- length signal) from the agent's running baseline. ‖Δη‖ is the root-mean-square of the components
-- (Euclidean norm / √n), so it lies in [0, 1] whatever n is. The baseline (an exponential moving
-- average, first set by the first report, which therefore has no drift) is returned updated.
create or replace function core.eisv_drift(
  p_baseline jsonb,
  p_confidence double precision,
  p_complexity double precision,
  p_response_length integer,
  p_reported_drift double precision[] default null,
  out drift_norm double precision,
  out drift_components double precision[],
  out drift_source text,
  out baseline jsonb)
language plpgsql immutable parallel safe
as $$
declare
  p constant jsonb := core.eisv_params();
  v_w constant float8 := (p->>'baseline_weight')::float8;
  v_length_signal constant float8 := p_response_length::float8 / (p_response_length + (p->>'length_half')::float8);
  v_signals float8[] := array[p_confidence, p_complexity, v_length_signal];
  v_base float8[];
begin
  if p_baseline is not null and p_baseline ? 'confidence' then
    v_base := array[(p_baseline->>'confidence')::float8, (p_baseline->>'complexity')::float8, (p_baseline->>'length_signal')::float8];
  else
    v_base := v_signals;
  end if;

  if p_reported_drift is not null and cardinality(p_reported_drift) > 0 then
    drift_components := p_reported_drift;
    drift_source := 'reported';
  else
    drift_components := array[v_signals[1] - v_base[1], v_signals[2] - v_base[2], v_signals[3] - v_base[3]];
    drift_source := 'baseline';
  end if;
  drift_norm := sqrt((select sum(u.x * u.x) from unnest(drift_components) as u(x)) / cardinality(drift_components));

  baseline := jsonb_build_object(
    'confidence', v_base[1] + v_w * (v_signals[1] - v_base[1]),
    'complexity', v_base[2] + v_w * (v_signals[2] - v_base[2]),
    'length_signal', v_base[3] + v_w * (v_signals[3] - v_base[3]),
    'reports', coalesce((p_baseline->>'reports')::bigint, 0) + 1);
end;
$$;

-- The derived quantities of a state. Decision rule: health gives the base decision (healthy →
-- proceed, moderate → guide, critical → pause); a high-risk verdict escalates it one level.
create or replace function core.eisv_assess(
  p_energy double precision,
  p_information double precision,
  p_entropy double precision,
  p_void double precision,
  p_drift_norm double precision default 0,
  out coherence double precision,
  out risk double precision,
  out phi double precision,
  out verdict core.verdict,
  out health_status core.health_status,
  out decision core.decision)
language plpgsql immutable parallel safe
as $$
declare
  p constant jsonb := core.eisv_params();
  v_d2 constant float8 := coalesce(p_drift_norm, 0) ^ 2;
begin
  coherence := core.eisv_coherence(p_void);
  risk := least(1, greatest(0,
      (p->>'r_coherence')::float8 * (1 - coherence)
    + (p->>'r_entropy')::float8 * p_entropy / (p->>'s_max')::float8
    + (p->>'r_void')::float8 * abs(p_void) / (p->>'v_max')::float8
    + (p->>'r_drift')::float8 * v_d2));
  phi := (p->>'w_e')::float8 * p_energy
       - (p->>'w_i')::float8 * (1 - p_information)
       - (p->>'w_s')::float8 * p_entropy
       - (p->>'w_v')::float8 * abs(p_void)
       - (p->>'w_eta')::float8 * v_d2;
  verdict := case when phi >= (p->>'phi_safe')::float8 then 'safe'
                  when phi >= (p->>'phi_caution')::float8 then 'caution'
                  else 'high-risk' end;
  health_status := case when risk < (p->>'health_moderate')::float8 then 'healthy'
                        when risk < (p->>'health_critical')::float8 then 'moderate'
                        else 'critical' end;
  decision := case
    when health_status = 'critical' then 'pause'
    when health_status = 'moderate' then case when verdict = 'high-risk' then 'pause' else 'guide' end
    else case when verdict = 'high-risk' then 'guide' else 'proceed' end
  end;
end;
$$;

-- One Euler step of the EISV dynamics (derivatives from the old state, then clipping), the
-- assessment of the new state, and the regime of the step:
--   STABLE       every |Δ| of E, I, S, V below regime_epsilon
--   DIVERGENCE   S rises while I falls (uncertainty grows as integrity erodes)
--   CONVERGENCE  S falls or holds (the agent settles)
--   EXPLORATION  S rises while I holds or rises (taking on harder work without losing integrity)
create or replace function core.eisv_step(
  p_energy double precision,
  p_information double precision,
  p_entropy double precision,
  p_void double precision,
  p_complexity double precision,
  p_drift_norm double precision default 0,
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
  out decision core.decision)
language plpgsql immutable parallel safe
as $$
declare
  p constant jsonb := core.eisv_params();
  v_dt constant float8 := (p->>'dt')::float8;
  v_d2 constant float8 := coalesce(p_drift_norm, 0) ^ 2;
  v_c constant float8 := core.eisv_coherence(p_void);
  v_eps constant float8 := (p->>'regime_epsilon')::float8;
  d_e float8;
  d_i float8;
  d_s float8;
  d_v float8;
  a record;
begin
  d_e := (p->>'alpha')::float8 * (p_information - p_energy)
       - (p->>'beta_e')::float8 * p_energy * p_entropy
       + (p->>'gamma_e')::float8 * v_d2;
  d_i := (p->>'beta_i')::float8 * v_c
       - (p->>'k')::float8 * p_entropy
       - (p->>'gamma_i')::float8 * p_information;
  d_s := -(p->>'mu')::float8 * p_entropy
       + (p->>'lambda1')::float8 * v_d2
       - (p->>'lambda2')::float8 * v_c
       + (p->>'beta_cx')::float8 * p_complexity;
  d_v := (p->>'kappa')::float8 * (p_energy - p_information)
       - (p->>'delta')::float8 * p_void;

  energy := least((p->>'e_max')::float8, greatest((p->>'e_min')::float8, p_energy + v_dt * d_e));
  information := least((p->>'i_max')::float8, greatest((p->>'i_min')::float8, p_information + v_dt * d_i));
  entropy := least((p->>'s_max')::float8, greatest((p->>'s_min')::float8, p_entropy + v_dt * d_s));
  void := least((p->>'v_max')::float8, greatest((p->>'v_min')::float8, p_void + v_dt * d_v));

  regime := case
    when greatest(abs(energy - p_energy), abs(information - p_information), abs(entropy - p_entropy), abs(void - p_void)) < v_eps
      then 'STABLE'
    when entropy > p_entropy and information < p_information then 'DIVERGENCE'
    when entropy <= p_entropy then 'CONVERGENCE'
    else 'EXPLORATION'
  end;

  select * into a from core.eisv_assess(energy, information, entropy, void, p_drift_norm);
  coherence := a.coherence;
  risk := a.risk;
  phi := a.phi;
  verdict := a.verdict;
  health_status := a.health_status;
  decision := a.decision;
end;
$$;
comment on function core.eisv_step(double precision, double precision, double precision, double precision, double precision, double precision) is
  'One Euler step of the EISV dynamics with clipping, plus coherence, risk, phi, regime, verdict, health and decision of the new state (pure).';

-- The storage side of process_agent_update, one call = one transaction: validate the report, lock
-- the agent row, read its latest state, advance one step, append one core.agent_state row (seq =
-- previous + 1), bump update_count and last_activity_at. The row lock is FOR NO KEY UPDATE: it
-- serializes every updater of one agent (they all take it) without blocking inserts elsewhere whose
-- foreign keys only need a KEY SHARE lock on the agent (discoveries, dialectic messages).
-- Updates are accepted from active and waiting_input agents. With p_apply_pause a 'pause' decision
-- also pauses the agent (core.transition_agent, actor 'governance') in the same transaction.
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
  p constant jsonb := core.eisv_params();
  v_max_len constant integer := (p->>'max_response_length')::integer;
  v_max_drift constant integer := (p->>'max_drift_components')::integer;
  v_problems text[] := '{}';
  v_length integer;
  v_task_type text := nullif(lower(btrim(p_task_type)), '');
  v_status core.agent_status;
  v_prev record;
  v_has_prev boolean;
  v_drift record;
  n record;
  v_seq bigint;
  v_state jsonb;
  v_bad text;
begin
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
  if v_task_type is not null and (char_length(v_task_type) > (p->>'max_task_type_length')::integer or v_task_type !~ '^[a-z][a-z0-9_.:-]*$') then
    v_problems := v_problems || format('task_type must be 1-%s characters of a-z, 0-9, _ . : - starting with a letter, got "%s"',
      p->>'max_task_type_length', left(p_task_type, 80));
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

  -- serialize updates of this agent
  select a.status into v_status from core.agents a where a.id = p_agent_id for no key update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Onboard the agent first (the onboard tool).';
  end if;
  perform core.check_actor_status(p_agent_id, v_status, 'agent');

  select s.seq, s.energy, s.information, s.entropy, s.void, s.state->'baseline' as baseline into v_prev
  from core.agent_state s where s.agent_id = p_agent_id order by s.seq desc limit 1;
  v_has_prev := found;
  if not v_has_prev then
    select 0::bigint as seq, (p->>'e0')::float8 as energy, (p->>'i0')::float8 as information,
           (p->>'s0')::float8 as entropy, (p->>'v0')::float8 as void, null::jsonb as baseline into v_prev;
  end if;

  select * into v_drift from core.eisv_drift(v_prev.baseline, p_confidence, p_complexity, v_length, p_ethical_drift);
  select * into n from core.eisv_step(v_prev.energy, v_prev.information, v_prev.entropy, v_prev.void, p_complexity, v_drift.drift_norm);
  v_seq := v_prev.seq + 1;
  v_state := jsonb_build_object(
    'model', p->>'model',
    'inputs', jsonb_build_object('complexity', p_complexity, 'confidence', p_confidence, 'response_length', v_length,
                                 'task_type', v_task_type, 'ethical_drift', to_jsonb(p_ethical_drift)),
    'drift', jsonb_build_object('norm', v_drift.drift_norm, 'components', to_jsonb(v_drift.drift_components), 'source', v_drift.drift_source),
    'baseline', v_drift.baseline,
    'previous', jsonb_build_object('seq', v_prev.seq, 'E', v_prev.energy, 'I', v_prev.information, 'S', v_prev.entropy, 'V', v_prev.void),
    'delta', jsonb_build_object('E', n.energy - v_prev.energy, 'I', n.information - v_prev.information,
                                'S', n.entropy - v_prev.entropy, 'V', n.void - v_prev.void));

  insert into core.agent_state as s (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict,
                                     decision, health_status, state)
  values (p_agent_id, v_seq, n.energy, n.information, n.entropy, n.void, n.coherence, n.risk, n.phi, n.regime, n.verdict,
          n.decision, n.health_status, v_state)
  returning s.recorded_at into recorded_at;

  update core.agents as a set update_count = a.update_count + 1, last_activity_at = now()
  where a.id = p_agent_id
  returning a.update_count, a.status into update_count, agent_status;

  if p_apply_pause and n.decision = 'pause' then
    perform core.transition_agent(p_agent_id, 'paused', 'system',
      p_reason => format('governance decision pause at seq %s (risk %s, verdict %s)', v_seq, round(n.risk::numeric, 3), n.verdict),
      p_actor => 'governance');
    agent_status := 'paused';
  end if;

  seq := v_seq;
  energy := n.energy; information := n.information; entropy := n.entropy; void := n.void;
  coherence := n.coherence; risk := n.risk; phi := n.phi; regime := n.regime; verdict := n.verdict;
  health_status := n.health_status; decision := n.decision; drift_norm := v_drift.drift_norm;
end;
$$;

-- The latest state of an agent; an agent without reports gets the initial state as seq 0, regime
-- INITIAL and health 'unknown' (nothing reported yet), with no decision.
create or replace function core.get_agent_state(
  p_agent_id text,
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
  out state jsonb,
  out recorded_at timestamptz)
language plpgsql stable
as $$
declare
  p constant jsonb := core.eisv_params();
  r record;
begin
  perform 1 from core.agents a where a.id = p_agent_id;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
  select s.seq, s.energy, s.information, s.entropy, s.void, s.coherence, s.risk, s.phi, s.regime, s.verdict,
         s.health_status, s.decision, s.state, s.recorded_at into r
  from core.agent_state s where s.agent_id = p_agent_id order by s.seq desc limit 1;
  if found then
    seq := r.seq; energy := r.energy; information := r.information; entropy := r.entropy; void := r.void;
    coherence := r.coherence; risk := r.risk; phi := r.phi; regime := r.regime; verdict := r.verdict;
    health_status := r.health_status; decision := r.decision; state := r.state; recorded_at := r.recorded_at;
    return;
  end if;
  seq := 0;
  energy := (p->>'e0')::float8; information := (p->>'i0')::float8; entropy := (p->>'s0')::float8; void := (p->>'v0')::float8;
  select a.coherence, a.risk, a.phi, a.verdict into coherence, risk, phi, verdict
  from core.eisv_assess(energy, information, entropy, void, 0) a;
  regime := 'INITIAL';
  health_status := 'unknown';
  state := jsonb_build_object('model', p->>'model');
end;
$$;

-- State history of an agent, newest first; p_before_seq pages backwards.
create or replace function core.agent_state_history(
  p_agent_id text,
  p_limit integer default 100,
  p_before_seq bigint default null)
returns table (
  seq bigint,
  energy double precision,
  information double precision,
  entropy double precision,
  void double precision,
  coherence double precision,
  risk double precision,
  phi double precision,
  regime text,
  verdict core.verdict,
  health_status core.health_status,
  decision core.decision,
  state jsonb,
  recorded_at timestamptz)
language plpgsql stable
as $$
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    raise exception using errcode = 'GV400', detail = 'INVALID_LIMIT',
      message = format('limit must be in [1, 1000], got %s', coalesce(p_limit::text, 'null'));
  end if;
  perform 1 from core.agents a where a.id = p_agent_id;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
  return query
    select s.seq, s.energy, s.information, s.entropy, s.void, s.coherence, s.risk, s.phi, s.regime, s.verdict,
           s.health_status, s.decision, s.state, s.recorded_at
    from core.agent_state s
    where s.agent_id = p_agent_id and (p_before_seq is null or s.seq < p_before_seq)
    order by s.seq desc
    limit p_limit;
end;
$$;

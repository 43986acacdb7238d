-- EISV: the governance state of an agent (Energy, Information integrity, entropy S, Void V) and the
-- storage side of process_agent_update. The model, every constant and a worked example are in
-- docs/eisv.md; the constants live only in core.eisv_constants().
--
--   core.eisv_constants()       every constant of the model (one typed row, inlined where it is read)
--   core.eisv_params()          the same as jsonb
--   core.eisv_coherence(v)      C(V) = Cmax·½(1 + tanh(C1·V))
--   core.eisv_drift(...)        ‖Δη‖ from the reported signals and the agent's running baseline
--   core.eisv_assess(...)       coherence, risk, phi, verdict, health, decision of a state
--   core.eisv_step(...)         one Euler step + assessment + regime (pure; what the tests check)
--   core.process_agent_update   lock, read latest, step, append history, bump counters (one txn)
--   core.get_agent_state        latest state (the initial state, seq 0, when there is none)
--   core.agent_state_history    state rows, newest first

-- A set-returning SQL function of one SELECT of constants: inlined into every query that reads it
-- (core.eisv_*_rows), where the planner folds the constants into the expressions, so the hot path
-- reads them once at plan time, not from a jsonb per call.
create or replace function core.eisv_constants()
returns table (
  model text, dt float8,
  alpha float8, beta_e float8, gamma_e float8,
  beta_i float8, k float8, gamma_i float8,
  mu float8, lambda1 float8, lambda2 float8, beta_cx float8,
  kappa float8, delta float8,
  c_max float8, c1 float8,
  e_min float8, e_max float8, i_min float8, i_max float8, s_min float8, s_max float8, v_min float8, v_max float8,
  e0 float8, i0 float8, s0 float8, v0 float8,
  w_e float8, w_i float8, w_s float8, w_v float8, w_eta float8, phi_safe float8, phi_caution float8,
  r_coherence float8, r_entropy float8, r_void float8, r_drift float8,
  health_moderate float8, health_critical float8,
  regime_epsilon float8,
  baseline_weight float8, length_half float8,
  max_response_length integer, max_drift_components integer, max_task_type_length integer)
language sql immutable parallel safe
rows 1
as $$
  select
    'eisv-euler-v1'::text as model,
    -- integration
    0.1::float8 as dt,
    -- dE = alpha(I - E) - beta_e·E·S + gamma_e·‖Δη‖²
    0.42::float8 as alpha, 0.1::float8 as beta_e, 0.05::float8 as gamma_e,
    -- dI = beta_i·C(V) - k·S - gamma_i·I
    0.3::float8 as beta_i, 0.1::float8 as k, 0.25::float8 as gamma_i,
    -- dS = -mu·S + lambda1·‖Δη‖² - lambda2·C(V) + beta_cx·complexity
    0.8::float8 as mu, 0.3::float8 as lambda1, 0.05::float8 as lambda2, 0.15::float8 as beta_cx,
    -- dV = kappa(E - I) - delta·V
    0.3::float8 as kappa, 0.4::float8 as delta,
    -- C(V) = c_max·½(1 + tanh(c1·V)); c1 = 1: C moves from 0.12 to 0.88 as V goes from -1 to 1
    1.0::float8 as c_max, 1.0::float8 as c1,
    -- bounds (clipping after each step) and the initial state
    0.0::float8 as e_min, 1.0::float8 as e_max, 0.0::float8 as i_min, 1.0::float8 as i_max,
    0.001::float8 as s_min, 2.0::float8 as s_max, -2.0::float8 as v_min, 2.0::float8 as v_max,
    0.7::float8 as e0, 0.8::float8 as i0, 0.2::float8 as s0, 0.0::float8 as v0,
    -- phi = w_e·E - w_i·(1 - I) - w_s·S - w_v·|V| - w_eta·‖Δη‖²; verdict thresholds
    0.5::float8 as w_e, 0.5::float8 as w_i, 0.5::float8 as w_s, 0.5::float8 as w_v, 0.5::float8 as w_eta,
    0.15::float8 as phi_safe, 0.0::float8 as phi_caution,
    -- risk = r_coherence·(1 - C) + r_entropy·S/s_max + r_void·|V|/v_max + r_drift·‖Δη‖²  (weights sum to 1)
    0.4::float8 as r_coherence, 0.3::float8 as r_entropy, 0.15::float8 as r_void, 0.15::float8 as r_drift,
    -- health by risk: < moderate healthy, < critical moderate, else critical
    0.35::float8 as health_moderate, 0.60::float8 as health_critical,
    -- regime: a step whose every |Δ| is below this is STABLE
    0.005::float8 as regime_epsilon,
    -- ‖Δη‖ from reported signals: baseline = exponential moving average with this weight;
    -- response length enters as len / (len + length_half)
    0.2::float8 as baseline_weight, 2000::float8 as length_half,
    -- input limits
    200000 as max_response_length, 16 as max_drift_components, 64 as max_task_type_length
$$;
comment on function core.eisv_constants() is
'Every constant of the EISV model, typed (docs/eisv.md); one row.
Changing a value here changes the dynamics for every caller; record the change in docs/eisv.md.
@nonnull *';

create or replace function core.eisv_params()
returns jsonb
language sql immutable parallel safe
as $$
  select to_jsonb(k) from core.eisv_constants() k
$$;
comment on function core.eisv_params() is
'Every constant of the EISV model as one JSON object (the same row as core.eisv_constants(); docs/eisv.md).
@nonnull *';

create or replace function core.eisv_coherence(p_void double precision)
returns double precision
language sql immutable strict parallel safe
as $$
  select k.c_max * 0.5 * (1 + tanh(k.c1 * p_void))
  from core.eisv_constants() k
$$;
comment on function core.eisv_coherence(double precision) is
'Coherence C(V) = Cmax * (1 + tanh(C1 * V)) / 2 of a void value V (docs/eisv.md). Strict: null for null.';

create or replace function core.eisv_drift_rows(
  p_baseline jsonb,
  p_confidence double precision,
  p_complexity double precision,
  p_response_length integer,
  p_reported_drift double precision[])
returns table (drift_norm double precision, drift_components double precision[], drift_source text, baseline jsonb)
language sql immutable parallel safe
rows 1
as $$
  select
    sqrt((select sum(u.x * u.x) from unnest(c.components) as u(x)) / cardinality(c.components)),
    c.components,
    c.source,
    jsonb_build_object(
      'confidence', b.b1 + k.baseline_weight * (g.s1 - b.b1),
      'complexity', b.b2 + k.baseline_weight * (g.s2 - b.b2),
      'length_signal', b.b3 + k.baseline_weight * (g.s3 - b.b3),
      'reports', coalesce((p_baseline->>'reports')::bigint, 0) + 1)
  from core.eisv_constants() k
  cross join lateral (select p_confidence as s1, p_complexity as s2,
                             p_response_length::float8 / (p_response_length + k.length_half) as s3) g
  cross join lateral (
    select case when p_baseline is not null and p_baseline ? 'confidence' then (p_baseline->>'confidence')::float8 else g.s1 end as b1,
           case when p_baseline is not null and p_baseline ? 'confidence' then (p_baseline->>'complexity')::float8 else g.s2 end as b2,
           case when p_baseline is not null and p_baseline ? 'confidence' then (p_baseline->>'length_signal')::float8 else g.s3 end as b3) b
  cross join lateral (
    select case when p_reported_drift is not null and cardinality(p_reported_drift) > 0 then p_reported_drift
                else array[g.s1 - b.b1, g.s2 - b.b2, g.s3 - b.b3] end as components,
           case when p_reported_drift is not null and cardinality(p_reported_drift) > 0 then 'reported' else 'baseline' end as source) c
$$;
comment on function core.eisv_drift_rows(jsonb,double precision,double precision,integer,double precision[]) is
'Drift of the reported signals as a one-row SELECT (inlined into the caller''s query); core.eisv_drift is its one-row wrapper.
drift_components: the vector the caller reports (each in [-1, 1]) or, when none is reported, the deviation of (confidence, complexity, length signal) from the agent''s running baseline. drift_norm: root-mean-square of the components, in [0, 1]. drift_source: reported or baseline. baseline: the exponential moving average updated with this report (the first report sets it, so it has no drift).';

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
begin
  -- plpgsql (not sql): its statement's plan is cached for the session; an sql wrapper would plan the inlined body every call
  select r.drift_norm, r.drift_components, r.drift_source, r.baseline into drift_norm, drift_components, drift_source, baseline
  from core.eisv_drift_rows(p_baseline, p_confidence, p_complexity, p_response_length, p_reported_drift) r;
end;
$$;
comment on function core.eisv_drift(jsonb,double precision,double precision,integer,double precision[]) is
'Drift of the reported signals (the one-row form of core.eisv_drift_rows, which documents the columns).
drift_norm in [0, 1]; drift_source reported or baseline; baseline: the updated running baseline as JSON.';

create or replace function core.eisv_assess_rows(
  p_energy double precision,
  p_information double precision,
  p_entropy double precision,
  p_void double precision,
  p_drift_norm double precision)
returns table (coherence double precision, risk double precision, phi double precision,
               verdict core.verdict, health_status core.health_status, decision core.decision)
language sql immutable parallel safe
rows 1
as $$
  select c.coherence, r.risk, r.phi, v.verdict, v.health_status,
    (case
      when v.health_status = 'critical' then 'pause'
      when v.health_status = 'moderate' then case when v.verdict = 'high-risk' then 'pause' else 'guide' end
      else case when v.verdict = 'high-risk' then 'guide' else 'proceed' end
    end)::core.decision
  from core.eisv_constants() k
  cross join lateral (select coalesce(p_drift_norm, 0) ^ 2 as d2,
                             k.c_max * 0.5 * (1 + tanh(k.c1 * p_void)) as coherence) c
  cross join lateral (
    select least(1, greatest(0,
               k.r_coherence * (1 - c.coherence)
             + k.r_entropy * p_entropy / k.s_max
             + k.r_void * abs(p_void) / k.v_max
             + k.r_drift * c.d2)) as risk,
           k.w_e * p_energy
             - k.w_i * (1 - p_information)
             - k.w_s * p_entropy
             - k.w_v * abs(p_void)
             - k.w_eta * c.d2 as phi) r
  cross join lateral (
    select (case when r.phi >= k.phi_safe then 'safe'
                 when r.phi >= k.phi_caution then 'caution'
                 else 'high-risk' end)::core.verdict as verdict,
           (case when r.risk < k.health_moderate then 'healthy'
                 when r.risk < k.health_critical then 'moderate'
                 else 'critical' end)::core.health_status as health_status) v
$$;
comment on function core.eisv_assess_rows(double precision,double precision,double precision,double precision,double precision) is
'The derived quantities of an EISV state as a one-row SELECT (inlined into the caller''s query): coherence, risk in [0, 1], phi, verdict, health status and decision.
Decision rule: health gives the base decision (healthy proceed, moderate guide, critical pause); a high-risk verdict escalates it one level. A null drift counts as 0.';

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
begin
  select r.coherence, r.risk, r.phi, r.verdict, r.health_status, r.decision into coherence, risk, phi, verdict, health_status, decision
  from core.eisv_assess_rows(p_energy, p_information, p_entropy, p_void, p_drift_norm) r;
end;
$$;
comment on function core.eisv_assess(double precision,double precision,double precision,double precision,double precision) is
'The derived quantities of an EISV state: coherence, risk in [0, 1], phi, verdict, health status and decision (one-row form of core.eisv_assess_rows).';

create or replace function core.eisv_step_rows(
  p_energy double precision,
  p_information double precision,
  p_entropy double precision,
  p_void double precision,
  p_complexity double precision,
  p_drift_norm double precision)
returns table (energy double precision, information double precision, entropy double precision, void double precision,
               coherence double precision, risk double precision, phi double precision, regime text,
               verdict core.verdict, health_status core.health_status, decision core.decision)
language sql immutable parallel safe
rows 1
as $$
  select n.energy, n.information, n.entropy, n.void, a.coherence, a.risk, a.phi,
    case
      when greatest(abs(n.energy - p_energy), abs(n.information - p_information), abs(n.entropy - p_entropy), abs(n.void - p_void)) < k.regime_epsilon
        then 'STABLE'
      when n.entropy > p_entropy and n.information < p_information then 'DIVERGENCE'
      when n.entropy <= p_entropy then 'CONVERGENCE'
      else 'EXPLORATION'
    end,
    a.verdict, a.health_status, a.decision
  from core.eisv_constants() k
  cross join lateral (select coalesce(p_drift_norm, 0) ^ 2 as d2,
                             k.c_max * 0.5 * (1 + tanh(k.c1 * p_void)) as c) v
  cross join lateral (
    select k.alpha * (p_information - p_energy)
             - k.beta_e * p_energy * p_entropy
             + k.gamma_e * v.d2 as d_e,
           k.beta_i * v.c
             - k.k * p_entropy
             - k.gamma_i * p_information as d_i,
           -k.mu * p_entropy
             + k.lambda1 * v.d2
             - k.lambda2 * v.c
             + k.beta_cx * p_complexity as d_s,
           k.kappa * (p_energy - p_information)
             - k.delta * p_void as d_v) d
  cross join lateral (
    select least(k.e_max, greatest(k.e_min, p_energy + k.dt * d.d_e)) as energy,
           least(k.i_max, greatest(k.i_min, p_information + k.dt * d.d_i)) as information,
           least(k.s_max, greatest(k.s_min, p_entropy + k.dt * d.d_s)) as entropy,
           least(k.v_max, greatest(k.v_min, p_void + k.dt * d.d_v)) as void) n
  cross join lateral core.eisv_assess_rows(n.energy, n.information, n.entropy, n.void, p_drift_norm) a
$$;
comment on function core.eisv_step_rows(double precision,double precision,double precision,double precision,double precision,double precision) is
'One Euler step of the EISV dynamics as a one-row SELECT: derivatives from the old state, clipping, the assessment of the new state and the regime of the step.
Regime: STABLE (every change of E, I, S, V below regime_epsilon), DIVERGENCE (S rises while I falls), CONVERGENCE (S falls or holds), EXPLORATION (S rises while I holds or rises).';

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
begin
  select r.energy, r.information, r.entropy, r.void, r.coherence, r.risk, r.phi, r.regime, r.verdict, r.health_status, r.decision
    into energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, decision
  from core.eisv_step_rows(p_energy, p_information, p_entropy, p_void, p_complexity, p_drift_norm) r;
end;
$$;
comment on function core.eisv_step(double precision,double precision,double precision,double precision,double precision,double precision) is
'One Euler step of the EISV dynamics with clipping, plus coherence, risk, phi, regime, verdict, health and decision of the new state (pure; one-row form of core.eisv_step_rows, which documents the regimes).';

-- The agent row lock is FOR NO KEY UPDATE: it serializes every updater of one agent without blocking
-- inserts elsewhere whose foreign keys only need KEY SHARE on the agent (discoveries, dialectic messages).
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

  -- the latest state (the initial one when there is none) and the drift against its baseline, one
  -- statement: eisv_drift_rows is inlined into its cached plan, the constants folded in
  select coalesce(p.seq, 0) as seq, coalesce(p.energy, k.e0) as energy, coalesce(p.information, k.i0) as information,
         coalesce(p.entropy, k.s0) as entropy, coalesce(p.void, k.v0) as void,
         d.drift_norm, d.drift_components, d.drift_source, d.baseline
    into v_prev
  from (select 1) as one
  left join lateral (select s.seq, s.energy, s.information, s.entropy, s.void, s.state->'baseline' as baseline
                     from core.agent_state s where s.agent_id = p_agent_id order by s.seq desc limit 1) p on true
  cross join lateral core.eisv_drift_rows(p.baseline, p_confidence, p_complexity, v_length, p_ethical_drift) d;
  drift_norm := v_prev.drift_norm;
  seq := v_prev.seq + 1;

  -- the step, its history row and the result in one statement (the step's inlined plan sees the
  -- drift as a parameter); the outputs are read back from the row as stored
  insert into core.agent_state as s (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict,
                                     decision, health_status, state)
  select p_agent_id, v_prev.seq + 1, n.energy, n.information, n.entropy, n.void, n.coherence, n.risk, n.phi, n.regime, n.verdict,
         n.decision, n.health_status,
         jsonb_build_object(
           'model', k.model,
           'inputs', jsonb_build_object('complexity', p_complexity, 'confidence', p_confidence, 'response_length', v_length,
                                        'task_type', v_task_type, 'ethical_drift', to_jsonb(p_ethical_drift)),
           'drift', jsonb_build_object('norm', v_prev.drift_norm, 'components', to_jsonb(v_prev.drift_components), 'source', v_prev.drift_source),
           'baseline', v_prev.baseline,
           'previous', jsonb_build_object('seq', v_prev.seq, 'E', v_prev.energy, 'I', v_prev.information, 'S', v_prev.entropy, 'V', v_prev.void),
           'delta', jsonb_build_object('E', n.energy - v_prev.energy, 'I', n.information - v_prev.information,
                                       'S', n.entropy - v_prev.entropy, 'V', n.void - v_prev.void))
  from core.eisv_step_rows(v_prev.energy, v_prev.information, v_prev.entropy, v_prev.void, p_complexity, v_prev.drift_norm) n
  returning s.recorded_at, s.energy, s.information, s.entropy, s.void, s.coherence, s.risk, s.phi, s.regime, s.verdict, s.health_status, s.decision
    into recorded_at, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, decision;

  if p_apply_pause and decision = 'pause' then
    perform core.transition_agent(p_agent_id, 'paused', 'system',
      p_reason => format('governance decision pause at seq %s (risk %s, verdict %s)', seq, round(risk::numeric, 3), verdict),
      p_actor => 'governance');
    agent_status := 'paused';
  end if;
end;
$$;
comment on function core.process_agent_update(text,double precision,double precision,integer,text,text,double precision[],boolean) is
'The storage side of process_agent_update, one call = one transaction: validates the report, advances the agent''s EISV state one step, appends one core.agent_state row (seq = previous + 1) and bumps update_count and last_activity_at (core.agent_activity; the agent row is locked, not rewritten).
Inputs: complexity and confidence in [0, 1], response length in characters (or the text), optional task type and reported drift components. Accepted from active and waiting_input agents. With p_apply_pause a pause decision also pauses the agent (core.transition_agent, actor governance) in the same transaction; agent_status is the status after the call.
Errors: GV400 INVALID_UPDATE; GV404 AGENT_NOT_FOUND; GV423 AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED.
@nonnull seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, decision, update_count, agent_status, recorded_at';

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
  k record;
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
  select c.model, c.e0, c.i0, c.s0, c.v0 into k from core.eisv_constants() c;
  seq := 0;
  energy := k.e0; information := k.i0; entropy := k.s0; void := k.v0;
  select a.coherence, a.risk, a.phi, a.verdict into coherence, risk, phi, verdict
  from core.eisv_assess(energy, information, entropy, void, 0) a;
  regime := 'INITIAL';
  health_status := 'unknown';
  state := jsonb_build_object('model', k.model);
end;
$$;
comment on function core.get_agent_state(text) is
'The latest EISV state of an agent.
An agent without reports gets the initial state as seq 0, regime INITIAL, health unknown, no decision and no recorded_at.
Errors: GV404 AGENT_NOT_FOUND.
@nonnull seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, state';

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
rows 100
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
comment on function core.agent_state_history(text,integer,bigint) is
'EISV state history of an agent, newest first, at most p_limit rows; p_before_seq pages backwards.
decision is null for imported states that had none.
Errors: GV400 INVALID_LIMIT; GV404 AGENT_NOT_FOUND.
@nonnull seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, state, recorded_at';

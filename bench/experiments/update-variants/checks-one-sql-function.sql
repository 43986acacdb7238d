-- Variant for bench/experiments/update-cpu-ab.js --sql (experiment, not product code).
-- C1s: the 11 CHECKs of core.agent_state as one CHECK calling one immutable sql function (a small stored
-- expression to parse at each statement's start; the planner inlines the body again).
alter table core.agent_state
  drop constraint agent_state_anomalies_legacy_only, drop constraint agent_state_coherence_range,
  drop constraint agent_state_energy_range, drop constraint agent_state_entropy_range,
  drop constraint agent_state_information_range, drop constraint agent_state_object,
  drop constraint agent_state_origin_known, drop constraint agent_state_regime_format,
  drop constraint agent_state_risk_range, drop constraint agent_state_seq_positive,
  drop constraint agent_state_void_range;
create function core.agent_state_row_valid(origin text, anomalies text[], energy float8, information float8, entropy float8,
  void float8, coherence float8, risk float8, state jsonb, regime text, seq bigint)
returns boolean language sql immutable parallel safe
as $f$
  select origin in ('live', 'legacy')
    and (origin = 'legacy' or (anomalies = '{}'
         and energy between 0 and 1 and information between 0 and 1 and entropy between 0 and 2
         and void between -2 and 2 and coherence between 0 and 1 and risk between 0 and 1))
    and jsonb_typeof(state) = 'object'
    and char_length(regime) between 1 and 32 and regime ~ '^[A-Z_]*$'
    and seq > 0
$f$;
alter table core.agent_state add constraint agent_state_valid check (
  core.agent_state_row_valid(origin, anomalies, energy, information, entropy, void, coherence, risk, state, regime, seq)) not valid;

-- Variant for bench/experiments/update-cpu-ab.js --sql (experiment, not product code).
-- C0: every CHECK of core.agent_state dropped (upper bound of what the CHECKs cost).
alter table core.agent_state
  drop constraint agent_state_anomalies_legacy_only, drop constraint agent_state_coherence_range,
  drop constraint agent_state_energy_range, drop constraint agent_state_entropy_range,
  drop constraint agent_state_information_range, drop constraint agent_state_object,
  drop constraint agent_state_origin_known, drop constraint agent_state_regime_format,
  drop constraint agent_state_risk_range, drop constraint agent_state_seq_positive,
  drop constraint agent_state_void_range;

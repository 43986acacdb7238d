-- Variant for bench/experiments/update-cpu-ab.js --sql (experiment, not product code).
-- C6: the 6 range CHECKs of core.agent_state (energy, information, entropy, void, coherence, risk: what the
-- step's clipping and assessment already guarantee for live rows) dropped; the other 5 CHECKs stay.
alter table core.agent_state
  drop constraint agent_state_coherence_range, drop constraint agent_state_energy_range,
  drop constraint agent_state_entropy_range, drop constraint agent_state_information_range,
  drop constraint agent_state_risk_range, drop constraint agent_state_void_range;

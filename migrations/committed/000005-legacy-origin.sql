--! Previous: sha1:926cec5ace3a69215a380dae49005a04b5fe08ee
--! Hash: sha1:1f5f239a7c8f6b912054904fcec68dee9e0bc104
--! Message: legacy_origin

-- Imported history is stored as it happened (issue 22, docs/import.md "Origin and anomalies").
-- Rows written by the legacy importer carry origin = 'legacy' and the names of the invariants of
-- today's server they break (`anomalies`); live writes keep origin = 'live', no anomalies, and every
-- CHECK exactly as before (same constraint names, so live errors do not change).
-- Checks are added NOT VALID (a short lock, no scan under it) and validated by a later migration, which
-- scans without blocking writes; the index the importer uses is built concurrently in its own migration.

alter table core.agents
  add column origin text not null default 'live',
  add column anomalies text[] not null default '{}',
  add constraint agents_origin_known check (origin in ('live', 'legacy')) not valid,
  add constraint agents_anomalies_legacy_only check (origin = 'legacy' or anomalies = '{}') not valid;
alter table core.agents drop constraint agents_id_format;
alter table core.agents add constraint agents_id_format check (
  id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}$'
  or (origin = 'legacy' and char_length(id) between 1 and 256 and id !~ '[[:cntrl:]]')) not valid;

alter table core.agent_state
  add column origin text not null default 'live',
  add column anomalies text[] not null default '{}',
  add constraint agent_state_origin_known check (origin in ('live', 'legacy')) not valid,
  add constraint agent_state_anomalies_legacy_only check (origin = 'legacy' or anomalies = '{}') not valid;
alter table core.agent_state
  drop constraint agent_state_energy_range,
  drop constraint agent_state_information_range,
  drop constraint agent_state_entropy_range,
  drop constraint agent_state_void_range,
  drop constraint agent_state_coherence_range,
  drop constraint agent_state_risk_range;
alter table core.agent_state
  add constraint agent_state_energy_range check (origin = 'legacy' or energy between 0 and 1) not valid,
  add constraint agent_state_information_range check (origin = 'legacy' or information between 0 and 1) not valid,
  add constraint agent_state_entropy_range check (origin = 'legacy' or entropy between 0 and 2) not valid,
  add constraint agent_state_void_range check (origin = 'legacy' or void between -2 and 2) not valid,
  add constraint agent_state_coherence_range check (origin = 'legacy' or coherence between 0 and 1) not valid,
  add constraint agent_state_risk_range check (origin = 'legacy' or risk between 0 and 1) not valid;

alter table core.dialectic_sessions
  add column origin text not null default 'live',
  add column anomalies text[] not null default '{}',
  add column legacy_original jsonb,
  add constraint dialectic_sessions_origin_known check (origin in ('live', 'legacy')) not valid,
  add constraint dialectic_sessions_anomalies_legacy_only check (origin = 'legacy' or (anomalies = '{}' and legacy_original is null)) not valid;
alter table core.dialectic_sessions
  drop constraint dialectic_reviewer_not_paused,
  drop constraint dialectic_rounds_range,
  drop constraint dialectic_resolution_when_resolved;
alter table core.dialectic_sessions
  add constraint dialectic_reviewer_not_paused check (origin = 'legacy' or reviewer_agent_id is distinct from paused_agent_id) not valid,
  add constraint dialectic_rounds_range check (origin = 'legacy' or (synthesis_round >= 0 and max_synthesis_rounds between 1 and 50
    and synthesis_round <= max_synthesis_rounds + 1)) not valid,
  add constraint dialectic_resolution_when_resolved check (origin = 'legacy' or (status = 'resolved') = (resolution is not null)) not valid;

alter table core.dialectic_messages
  add column origin text not null default 'live',
  add column anomalies text[] not null default '{}',
  add column legacy_original jsonb,
  add constraint dialectic_messages_origin_known check (origin in ('live', 'legacy')) not valid,
  add constraint dialectic_messages_anomalies_legacy_only check (origin = 'legacy' or (anomalies = '{}' and legacy_original is null)) not valid;
alter table core.dialectic_messages drop constraint dialectic_messages_system_has_no_agent;
alter table core.dialectic_messages add constraint dialectic_messages_system_has_no_agent check (
  (message_type = 'system') = (agent_id is null) or (origin = 'legacy' and message_type = 'system')) not valid;

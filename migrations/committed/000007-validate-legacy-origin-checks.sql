--! Previous: sha1:b48c7693cdac2eb22336089933885dfe852010fe
--! Hash: sha1:022ee4a41917c70a537c2208a88f793e87cd83b6
--! Message: validate_legacy_origin_checks

-- Validates the checks 000005 added NOT VALID. VALIDATE CONSTRAINT scans under SHARE UPDATE EXCLUSIVE,
-- so reads and writes continue while it runs (docs/ci.md, lint).
alter table core.agents validate constraint agents_origin_known;
alter table core.agents validate constraint agents_anomalies_legacy_only;
alter table core.agents validate constraint agents_id_format;
alter table core.agent_state validate constraint agent_state_origin_known;
alter table core.agent_state validate constraint agent_state_anomalies_legacy_only;
alter table core.agent_state validate constraint agent_state_energy_range;
alter table core.agent_state validate constraint agent_state_information_range;
alter table core.agent_state validate constraint agent_state_entropy_range;
alter table core.agent_state validate constraint agent_state_void_range;
alter table core.agent_state validate constraint agent_state_coherence_range;
alter table core.agent_state validate constraint agent_state_risk_range;
alter table core.dialectic_sessions validate constraint dialectic_sessions_origin_known;
alter table core.dialectic_sessions validate constraint dialectic_sessions_anomalies_legacy_only;
alter table core.dialectic_sessions validate constraint dialectic_reviewer_not_paused;
alter table core.dialectic_sessions validate constraint dialectic_rounds_range;
alter table core.dialectic_sessions validate constraint dialectic_resolution_when_resolved;
alter table core.dialectic_messages validate constraint dialectic_messages_origin_known;
alter table core.dialectic_messages validate constraint dialectic_messages_anomalies_legacy_only;
alter table core.dialectic_messages validate constraint dialectic_messages_system_has_no_agent;

--! Previous: sha1:b83db5854acea65f0f30a9267a00f083910b06f2
--! Hash: sha1:eb961b2f116cbd5505c0ae24c937732447eaf937
--! Message: validate_format_checks

-- Validates the format checks 000015 added NOT VALID (VALIDATE scans under SHARE UPDATE EXCLUSIVE:
-- reads and writes continue; on a partitioned table it validates every partition), then drops the
-- bounded-repetition originals and gives the new checks the original names, so the schema keeps one
-- check per rule under the name src/db/sqlErrors.ts and the error messages know. The drop and the
-- rename take ACCESS EXCLUSIVE for a catalog change only (no scan).

alter table audit.events validate constraint events_content_hash_format_next;
alter table audit.events validate constraint events_event_type_format_next;
alter table audit.tool_usage validate constraint tool_usage_content_hash_format_next;
alter table audit.tool_usage validate constraint tool_usage_tool_name_format_next;
alter table audit.mirror_rejects validate constraint mirror_rejects_line_sha256_format_next;
alter table core.agents validate constraint agents_id_format_next;
alter table core.agents validate constraint agents_api_key_hash_format_next;
alter table core.agent_state validate constraint agent_state_regime_format_next;
alter table core.idempotency_keys validate constraint idempotency_keys_request_id_format_next;
alter table core.idempotency_keys validate constraint idempotency_keys_request_hash_format_next;
alter table knowledge.discoveries validate constraint discoveries_id_format_next;
alter table knowledge.discoveries validate constraint discoveries_type_format_next;
alter table knowledge.summary_words validate constraint summary_words_format_next;

alter table audit.events drop constraint events_content_hash_format;
alter table audit.events rename constraint events_content_hash_format_next to events_content_hash_format;
alter table audit.events drop constraint events_event_type_format;
alter table audit.events rename constraint events_event_type_format_next to events_event_type_format;
alter table audit.tool_usage drop constraint tool_usage_content_hash_format;
alter table audit.tool_usage rename constraint tool_usage_content_hash_format_next to tool_usage_content_hash_format;
alter table audit.tool_usage drop constraint tool_usage_tool_name_format;
alter table audit.tool_usage rename constraint tool_usage_tool_name_format_next to tool_usage_tool_name_format;
alter table audit.mirror_rejects drop constraint mirror_rejects_line_sha256_format;
alter table audit.mirror_rejects rename constraint mirror_rejects_line_sha256_format_next to mirror_rejects_line_sha256_format;
alter table core.agents drop constraint agents_id_format;
alter table core.agents rename constraint agents_id_format_next to agents_id_format;
alter table core.agents drop constraint agents_api_key_hash_format;
alter table core.agents rename constraint agents_api_key_hash_format_next to agents_api_key_hash_format;
alter table core.agent_state drop constraint agent_state_regime_format;
alter table core.agent_state rename constraint agent_state_regime_format_next to agent_state_regime_format;
alter table core.idempotency_keys drop constraint idempotency_keys_request_id_format;
alter table core.idempotency_keys rename constraint idempotency_keys_request_id_format_next to idempotency_keys_request_id_format;
alter table core.idempotency_keys drop constraint idempotency_keys_request_hash_format;
alter table core.idempotency_keys rename constraint idempotency_keys_request_hash_format_next to idempotency_keys_request_hash_format;
alter table knowledge.discoveries drop constraint discoveries_id_format;
alter table knowledge.discoveries rename constraint discoveries_id_format_next to discoveries_id_format;
alter table knowledge.discoveries drop constraint discoveries_type_format;
alter table knowledge.discoveries rename constraint discoveries_type_format_next to discoveries_type_format;
alter table knowledge.summary_words drop constraint summary_words_format;
alter table knowledge.summary_words rename constraint summary_words_format_next to summary_words_format;

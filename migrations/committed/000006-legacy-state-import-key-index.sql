--! Previous: sha1:1f5f239a7c8f6b912054904fcec68dee9e0bc104
--! Hash: sha1:b48c7693cdac2eb22336089933885dfe852010fe
--! Message: legacy_state_import_key_index

--! no-transaction
-- content identity of imported history rows (state.import_key, docs/import.md), so a re-import adds
-- nothing; built concurrently so live writes to core.agent_state are not blocked while it builds
create index concurrently if not exists agent_state_import_key_idx on core.agent_state (agent_id, (state ->> 'import_key')) where origin = 'legacy';

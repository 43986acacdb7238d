--! Previous: sha1:ccf26292186a1ea486e27514a704f1817cd5fe5e
--! Hash: sha1:b83db5854acea65f0f30a9267a00f083910b06f2
--! Message: format_checks_without_bounded_repetition

-- Every format CHECK spelled with a bounded repetition (`{64}`, `{0,63}`, `{1,128}`…) is re-spelled as
-- a character-length bound plus the same bracket expression repeated without bound: the same accepted
-- set (test/migrate/formatChecks.test.ts evaluates old and new side by side over generated strings),
-- a fraction of the cost. PostgreSQL's regex engine expands `{m,n}` into n copies of the atom and builds
-- its DFA states afresh at every match; measured on 200,000 strings: 64-hex 9 µs → 0.8 µs a row,
-- agent id ({0,127}) 38 µs → 1 µs (docs/performance.md "Format checks"). The checks run on every
-- audit mirror row, every tool call row, every process_agent_update (core.agents is updated and
-- core.agent_state inserted; PostgreSQL evaluates every CHECK of a table on every updated row),
-- every idempotency key, discovery and summary word. audit.mirror_rejects is written only for
-- malformed mirror lines; it is re-spelled too so that no CHECK uses bounded repetition
-- (test/migrate/formatChecks.test.ts enforces that for every CHECK of the schema).
--
-- Added NOT VALID under a temporary `_next` name (a short lock, no scan); migration 000016 validates
-- them, drops the old ones and renames the new ones to the old names, so constraint names, and the
-- errors src/db/sqlErrors.ts maps from them, do not change. While both exist, the old one (sorted
-- first by name) is the one a violation names. On partitioned tables the NOT VALID check is added to
-- every partition too and VALIDATE on the parent validates them all (checked on PostgreSQL 17).

alter table audit.events
  add constraint events_content_hash_format_next
    check (char_length(content_hash) = 64 and content_hash ~ '^[0-9a-f]*$') not valid,
  add constraint events_event_type_format_next
    check (char_length(event_type) between 1 and 64 and event_type ~ '^[a-z][a-z0-9_.:-]*$') not valid;

alter table audit.tool_usage
  add constraint tool_usage_content_hash_format_next
    check (char_length(content_hash) = 64 and content_hash ~ '^[0-9a-f]*$') not valid,
  add constraint tool_usage_tool_name_format_next
    check (char_length(tool_name) between 1 and 128 and tool_name ~ '^[A-Za-z][A-Za-z0-9_.:-]*$') not valid;

alter table audit.mirror_rejects
  add constraint mirror_rejects_line_sha256_format_next
    check (char_length(line_sha256) = 64 and line_sha256 ~ '^[0-9a-f]*$') not valid;

alter table core.agents
  add constraint agents_id_format_next check (
    (char_length(id) between 1 and 128 and id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]*$')
    or (origin = 'legacy' and char_length(id) between 1 and 256 and id !~ '[[:cntrl:]]')) not valid,
  add constraint agents_api_key_hash_format_next check (
    api_key_hash is null
    or (char_length(api_key_hash) = 71 and api_key_hash ~ '^sha256:[0-9a-f]*$')) not valid;

alter table core.agent_state
  add constraint agent_state_regime_format_next
    check (char_length(regime) between 1 and 32 and regime ~ '^[A-Z_]*$') not valid;

alter table core.idempotency_keys
  add constraint idempotency_keys_request_id_format_next
    check (char_length(request_id) between 1 and 128 and request_id ~ '^[A-Za-z0-9_.:-]*$') not valid,
  add constraint idempotency_keys_request_hash_format_next
    check (char_length(request_hash) = 64 and request_hash ~ '^[0-9a-f]*$') not valid;

alter table knowledge.discoveries
  add constraint discoveries_id_format_next
    check (char_length(id) between 1 and 128 and id ~ '^[A-Za-z0-9][A-Za-z0-9_.:+-]*$') not valid,
  add constraint discoveries_type_format_next
    check (char_length(discovery_type) between 1 and 64 and discovery_type ~ '^[a-z][a-z0-9_]*$') not valid;

alter table knowledge.summary_words
  add constraint summary_words_format_next
    check (char_length(word) between 1 and 64 and word ~ '^[[:alnum:]]*$') not valid;

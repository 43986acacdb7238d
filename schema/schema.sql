-- govdb schema snapshot: readable rendering of schema/snapshot.json, for code review.
-- DO NOT EDIT. Regenerate with `npm run snapshot`; CI fails when it is stale.
-- Not executable as is: function bodies are shown as hashes, owners as <owner>, and the
-- monthly audit partitions once as <parent>_YYYY_MM (their months depend on the migration date).

-- extensions
create extension age schema ag_catalog;
create extension pg_trgm schema public;
create extension pgcrypto schema public;
create extension plpgsql schema pg_catalog;

-- schemas
create schema audit;
create schema core;
create schema graphile_migrate;
create schema knowledge;
create schema public;

-- enum types
create type core.agent_status as enum ('active', 'paused', 'waiting_input', 'archived', 'deleted');
create type core.decision as enum ('proceed', 'guide', 'pause');
create type core.dialectic_message_type as enum ('thesis', 'antithesis', 'synthesis', 'system');
create type core.dialectic_phase as enum ('thesis', 'antithesis', 'synthesis', 'resolved', 'escalated', 'failed');
create type core.dialectic_status as enum ('active', 'resolved', 'escalated', 'failed');
create type core.dialectic_type as enum ('recovery', 'review', 'dispute');
create type core.health_status as enum ('healthy', 'moderate', 'critical', 'unknown');
create type core.lifecycle_event_type as enum ('created', 'spawned', 'updated', 'paused', 'resumed', 'waiting_input', 'archived', 'deleted', 'imported');
create type core.migration_kind as enum ('sql', 'cypher', 'function');
create type core.verdict as enum ('safe', 'caution', 'high-risk');
create type knowledge.discovery_status as enum ('open', 'resolved', 'archived', 'disputed');
create type knowledge.edge_type as enum ('related_to', 'responds_to', 'supersedes', 'disputes', 'extends');
create type knowledge.response_type as enum ('extend', 'question', 'disagree', 'support', 'answer');
create type knowledge.severity as enum ('low', 'medium', 'high', 'critical');

-- tables, columns and constraints
create table audit.event_hashes (
  content_hash text not null,
  occurred_at timestamp with time zone not null
);
alter table audit.event_hashes add constraint event_hashes_pkey PRIMARY KEY (content_hash);

create table audit.events (
  id bigint not null generated always as identity,
  occurred_at timestamp with time zone not null,
  agent_id text,
  session_id text,
  event_type text not null,
  confidence double precision,
  details jsonb not null default '{}'::jsonb,
  content_hash text not null,
  prev_hash text,
  source text not null default 'server'::text,
  ingested_at timestamp with time zone not null default now()
) partition by RANGE (occurred_at);
alter table audit.events add constraint events_confidence_range CHECK (confidence IS NULL OR confidence >= 0::double precision AND confidence <= 1::double precision);
alter table audit.events add constraint events_content_hash_format CHECK (char_length(content_hash) = 64 AND content_hash ~ '^[0-9a-f]*$'::text);
alter table audit.events add constraint events_event_type_format CHECK (char_length(event_type) >= 1 AND char_length(event_type) <= 64 AND event_type ~ '^[a-z][a-z0-9_.:-]*$'::text);
alter table audit.events add constraint events_pkey PRIMARY KEY (occurred_at, id);

create table audit.events_YYYY_MM partition of audit.events FOR VALUES FROM ('YYYY-MM-01 00:00:00+00') TO ('YYYY-MM-01 00:00:00+00' + 1 month) (
  id bigint not null generated always as identity,
  occurred_at timestamp with time zone not null,
  agent_id text,
  session_id text,
  event_type text not null,
  confidence double precision,
  details jsonb not null default '{}'::jsonb,
  content_hash text not null,
  prev_hash text,
  source text not null default 'server'::text,
  ingested_at timestamp with time zone not null default now()
);
alter table audit.events_YYYY_MM add constraint events_YYYY_MM_pkey PRIMARY KEY (occurred_at, id);
alter table audit.events_YYYY_MM add constraint events_confidence_range CHECK (confidence IS NULL OR confidence >= 0::double precision AND confidence <= 1::double precision);
alter table audit.events_YYYY_MM add constraint events_content_hash_format CHECK (char_length(content_hash) = 64 AND content_hash ~ '^[0-9a-f]*$'::text);
alter table audit.events_YYYY_MM add constraint events_event_type_format CHECK (char_length(event_type) >= 1 AND char_length(event_type) <= 64 AND event_type ~ '^[a-z][a-z0-9_.:-]*$'::text);

create table audit.events_default partition of audit.events DEFAULT (
  id bigint not null generated always as identity,
  occurred_at timestamp with time zone not null,
  agent_id text,
  session_id text,
  event_type text not null,
  confidence double precision,
  details jsonb not null default '{}'::jsonb,
  content_hash text not null,
  prev_hash text,
  source text not null default 'server'::text,
  ingested_at timestamp with time zone not null default now()
);
alter table audit.events_default add constraint events_confidence_range CHECK (confidence IS NULL OR confidence >= 0::double precision AND confidence <= 1::double precision);
alter table audit.events_default add constraint events_content_hash_format CHECK (char_length(content_hash) = 64 AND content_hash ~ '^[0-9a-f]*$'::text);
alter table audit.events_default add constraint events_default_pkey PRIMARY KEY (occurred_at, id);
alter table audit.events_default add constraint events_event_type_format CHECK (char_length(event_type) >= 1 AND char_length(event_type) <= 64 AND event_type ~ '^[a-z][a-z0-9_.:-]*$'::text);

create table audit.mirror_rejects (
  id bigint not null generated always as identity,
  file_name text not null,
  line_no integer not null,
  byte_offset bigint not null,
  line_sha256 text not null,
  reason text not null,
  excerpt text not null,
  recorded_at timestamp with time zone not null default now()
);
alter table audit.mirror_rejects add constraint mirror_rejects_byte_offset_nonnegative CHECK (byte_offset >= 0);
alter table audit.mirror_rejects add constraint mirror_rejects_line_no_positive CHECK (line_no > 0);
alter table audit.mirror_rejects add constraint mirror_rejects_line_sha256_format CHECK (char_length(line_sha256) = 64 AND line_sha256 ~ '^[0-9a-f]*$'::text);
alter table audit.mirror_rejects add constraint mirror_rejects_pkey PRIMARY KEY (id);
alter table audit.mirror_rejects add constraint mirror_rejects_unique_line UNIQUE (file_name, line_no, line_sha256);

create table audit.tool_usage (
  id bigint not null generated always as identity,
  occurred_at timestamp with time zone not null,
  tool_name text not null,
  agent_id text,
  session_id text,
  latency_ms double precision,
  success boolean not null,
  error_code text,
  content_hash text not null,
  source text not null default 'server'::text
) partition by RANGE (occurred_at);
alter table audit.tool_usage add constraint tool_usage_content_hash_format CHECK (char_length(content_hash) = 64 AND content_hash ~ '^[0-9a-f]*$'::text);
alter table audit.tool_usage add constraint tool_usage_latency_nonnegative CHECK (latency_ms IS NULL OR latency_ms >= 0::double precision);
alter table audit.tool_usage add constraint tool_usage_pkey PRIMARY KEY (occurred_at, id);
alter table audit.tool_usage add constraint tool_usage_tool_name_format CHECK (char_length(tool_name) >= 1 AND char_length(tool_name) <= 128 AND tool_name ~ '^[A-Za-z][A-Za-z0-9_.:-]*$'::text);

create table audit.tool_usage_YYYY_MM partition of audit.tool_usage FOR VALUES FROM ('YYYY-MM-01 00:00:00+00') TO ('YYYY-MM-01 00:00:00+00' + 1 month) (
  id bigint not null generated always as identity,
  occurred_at timestamp with time zone not null,
  tool_name text not null,
  agent_id text,
  session_id text,
  latency_ms double precision,
  success boolean not null,
  error_code text,
  content_hash text not null,
  source text not null default 'server'::text
);
alter table audit.tool_usage_YYYY_MM add constraint tool_usage_YYYY_MM_pkey PRIMARY KEY (occurred_at, id);
alter table audit.tool_usage_YYYY_MM add constraint tool_usage_content_hash_format CHECK (char_length(content_hash) = 64 AND content_hash ~ '^[0-9a-f]*$'::text);
alter table audit.tool_usage_YYYY_MM add constraint tool_usage_latency_nonnegative CHECK (latency_ms IS NULL OR latency_ms >= 0::double precision);
alter table audit.tool_usage_YYYY_MM add constraint tool_usage_tool_name_format CHECK (char_length(tool_name) >= 1 AND char_length(tool_name) <= 128 AND tool_name ~ '^[A-Za-z][A-Za-z0-9_.:-]*$'::text);

create table audit.tool_usage_default partition of audit.tool_usage DEFAULT (
  id bigint not null generated always as identity,
  occurred_at timestamp with time zone not null,
  tool_name text not null,
  agent_id text,
  session_id text,
  latency_ms double precision,
  success boolean not null,
  error_code text,
  content_hash text not null,
  source text not null default 'server'::text
);
alter table audit.tool_usage_default add constraint tool_usage_content_hash_format CHECK (char_length(content_hash) = 64 AND content_hash ~ '^[0-9a-f]*$'::text);
alter table audit.tool_usage_default add constraint tool_usage_default_pkey PRIMARY KEY (occurred_at, id);
alter table audit.tool_usage_default add constraint tool_usage_latency_nonnegative CHECK (latency_ms IS NULL OR latency_ms >= 0::double precision);
alter table audit.tool_usage_default add constraint tool_usage_tool_name_format CHECK (char_length(tool_name) >= 1 AND char_length(tool_name) <= 128 AND tool_name ~ '^[A-Za-z][A-Za-z0-9_.:-]*$'::text);

create table audit.tool_usage_hashes (
  content_hash text not null,
  occurred_at timestamp with time zone not null
);
alter table audit.tool_usage_hashes add constraint tool_usage_hashes_pkey PRIMARY KEY (content_hash);

create table core.agent_activity (
  agent_id text not null,
  update_count bigint not null default 0,
  last_activity_at timestamp with time zone
) with (fillfactor=50);
alter table core.agent_activity add constraint agent_activity_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id) ON DELETE CASCADE;
alter table core.agent_activity add constraint agent_activity_pkey PRIMARY KEY (agent_id);
alter table core.agent_activity add constraint agent_activity_update_count_nonnegative CHECK (update_count >= 0);

create table core.agent_lifecycle_events (
  id bigint not null generated always as identity,
  agent_id text not null,
  event core.lifecycle_event_type not null,
  from_status core.agent_status,
  to_status core.agent_status,
  reason text,
  actor text,
  occurred_at timestamp with time zone not null default now(),
  details jsonb not null default '{}'::jsonb
);
alter table core.agent_lifecycle_events add constraint agent_lifecycle_events_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id) ON DELETE CASCADE;
alter table core.agent_lifecycle_events add constraint agent_lifecycle_events_pkey PRIMARY KEY (id);
alter table core.agent_lifecycle_events add constraint lifecycle_reason_length CHECK (reason IS NULL OR char_length(reason) <= 4000);

create table core.agent_state (
  id bigint not null generated always as identity,
  agent_id text not null,
  seq bigint not null,
  energy double precision not null,
  information double precision not null,
  entropy double precision not null,
  void double precision not null,
  coherence double precision not null,
  risk double precision not null,
  phi double precision not null,
  regime text not null,
  verdict core.verdict not null,
  decision core.decision,
  health_status core.health_status not null,
  state jsonb not null default '{}'::jsonb,
  recorded_at timestamp with time zone not null default now(),
  origin text not null default 'live'::text,
  anomalies text[] not null default '{}'::text[]
);
alter table core.agent_state add constraint agent_state_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id) ON DELETE CASCADE;
alter table core.agent_state add constraint agent_state_anomalies_legacy_only CHECK (origin = 'legacy'::text OR anomalies = '{}'::text[]);
alter table core.agent_state add constraint agent_state_coherence_range CHECK (origin = 'legacy'::text OR coherence >= 0::double precision AND coherence <= 1::double precision);
alter table core.agent_state add constraint agent_state_energy_range CHECK (origin = 'legacy'::text OR energy >= 0::double precision AND energy <= 1::double precision);
alter table core.agent_state add constraint agent_state_entropy_range CHECK (origin = 'legacy'::text OR entropy >= 0::double precision AND entropy <= 2::double precision);
alter table core.agent_state add constraint agent_state_information_range CHECK (origin = 'legacy'::text OR information >= 0::double precision AND information <= 1::double precision);
alter table core.agent_state add constraint agent_state_object CHECK (jsonb_typeof(state) = 'object'::text);
alter table core.agent_state add constraint agent_state_origin_known CHECK (origin = ANY (ARRAY['live'::text, 'legacy'::text]));
alter table core.agent_state add constraint agent_state_pkey PRIMARY KEY (id);
alter table core.agent_state add constraint agent_state_regime_format CHECK (char_length(regime) >= 1 AND char_length(regime) <= 32 AND regime ~ '^[A-Z_]*$'::text);
alter table core.agent_state add constraint agent_state_risk_range CHECK (origin = 'legacy'::text OR risk >= 0::double precision AND risk <= 1::double precision);
alter table core.agent_state add constraint agent_state_seq_positive CHECK (seq > 0);
alter table core.agent_state add constraint agent_state_void_range CHECK (origin = 'legacy'::text OR void >= '-2'::integer::double precision AND void <= 2::double precision);

create table core.agent_status_transitions (
  from_status core.agent_status not null,
  to_status core.agent_status not null,
  authority text not null,
  when_held boolean not null,
  note text not null
);
alter table core.agent_status_transitions add constraint agent_status_transitions_authority CHECK (authority = ANY (ARRAY['self'::text, 'reviewer'::text, 'admin'::text, 'system'::text]));
alter table core.agent_status_transitions add constraint agent_status_transitions_changes CHECK (from_status <> to_status);
alter table core.agent_status_transitions add constraint agent_status_transitions_hold_end CHECK (NOT (to_status = 'active'::core.agent_status AND when_held) OR (authority = ANY (ARRAY['reviewer'::text, 'admin'::text])));
alter table core.agent_status_transitions add constraint agent_status_transitions_pkey PRIMARY KEY (from_status, to_status, authority);

create table core.agents (
  id text not null,
  label text,
  status core.agent_status not null default 'active'::core.agent_status,
  purpose text,
  notes text not null default ''::text,
  tags text[] not null default '{}'::text[],
  parent_agent_id text,
  spawn_reason text,
  api_key_hash text,
  metadata jsonb not null default '{}'::jsonb,
  update_count bigint not null default 0,
  created_at timestamp with time zone not null default now(),
  updated_at timestamp with time zone not null default now(),
  paused_at timestamp with time zone,
  archived_at timestamp with time zone,
  deleted_at timestamp with time zone,
  last_activity_at timestamp with time zone,
  origin text not null default 'live'::text,
  anomalies text[] not null default '{}'::text[],
  pause_hold_since timestamp with time zone
);
alter table core.agents add constraint agents_anomalies_legacy_only CHECK (origin = 'legacy'::text OR anomalies = '{}'::text[]);
alter table core.agents add constraint agents_api_key_hash_format CHECK (api_key_hash IS NULL OR char_length(api_key_hash) = 71 AND api_key_hash ~ '^sha256:[0-9a-f]*$'::text);
alter table core.agents add constraint agents_archived_has_time CHECK (status <> 'archived'::core.agent_status OR archived_at IS NOT NULL);
alter table core.agents add constraint agents_deleted_has_time CHECK ((status = 'deleted'::core.agent_status) = (deleted_at IS NOT NULL));
alter table core.agents add constraint agents_id_format CHECK (char_length(id) >= 1 AND char_length(id) <= 128 AND id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]*$'::text OR origin = 'legacy'::text AND char_length(id) >= 1 AND char_length(id) <= 256 AND id !~ '[[:cntrl:]]'::text);
alter table core.agents add constraint agents_label_length CHECK (label IS NULL OR char_length(label) >= 1 AND char_length(label) <= 200);
alter table core.agents add constraint agents_metadata_object CHECK (jsonb_typeof(metadata) = 'object'::text);
alter table core.agents add constraint agents_not_own_parent CHECK (parent_agent_id IS DISTINCT FROM id);
alter table core.agents add constraint agents_notes_length CHECK (char_length(notes) <= 20000);
alter table core.agents add constraint agents_origin_known CHECK (origin = ANY (ARRAY['live'::text, 'legacy'::text]));
alter table core.agents add constraint agents_parent_agent_id_fkey FOREIGN KEY (parent_agent_id) REFERENCES core.agents(id) ON DELETE RESTRICT;
alter table core.agents add constraint agents_pause_hold_status CHECK (pause_hold_since IS NULL OR (status = ANY (ARRAY['paused'::core.agent_status, 'archived'::core.agent_status, 'deleted'::core.agent_status])));
alter table core.agents add constraint agents_pkey PRIMARY KEY (id);
alter table core.agents add constraint agents_purpose_length CHECK (purpose IS NULL OR char_length(purpose) <= 4000);
alter table core.agents add constraint agents_tags_count CHECK (cardinality(tags) <= 64);
alter table core.agents add constraint agents_update_count_nonnegative CHECK (update_count >= 0);

create table core.calibration (
  version integer not null,
  bin_lower numeric(3,2) not null,
  bin_upper numeric(3,2) not null,
  count bigint not null default 0,
  predicted_correct double precision not null default 0,
  actual_correct double precision not null default 0,
  confidence_sum double precision not null default 0,
  updated_at timestamp with time zone not null default now()
);
alter table core.calibration add constraint calibration_bin_range CHECK (bin_lower >= 0::numeric AND bin_upper <= 1::numeric AND bin_lower < bin_upper);
alter table core.calibration add constraint calibration_counts CHECK (count >= 0 AND predicted_correct >= 0::double precision AND actual_correct >= 0::double precision AND actual_correct <= count::double precision AND confidence_sum >= 0::double precision AND confidence_sum <= count::double precision);
alter table core.calibration add constraint calibration_pkey PRIMARY KEY (version, bin_lower);

create table core.dialectic_messages (
  id bigint not null generated always as identity,
  session_id text not null,
  seq integer not null,
  message_type core.dialectic_message_type not null,
  agent_id text,
  root_cause text,
  proposed_conditions jsonb not null default '[]'::jsonb,
  reasoning text,
  observed_metrics jsonb not null default '{}'::jsonb,
  concerns jsonb not null default '[]'::jsonb,
  agrees boolean,
  signature text,
  created_at timestamp with time zone not null default now(),
  origin text not null default 'live'::text,
  anomalies text[] not null default '{}'::text[],
  legacy_original jsonb
);
alter table core.dialectic_messages add constraint dialectic_messages_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id);
alter table core.dialectic_messages add constraint dialectic_messages_anomalies_legacy_only CHECK (origin = 'legacy'::text OR anomalies = '{}'::text[] AND legacy_original IS NULL);
alter table core.dialectic_messages add constraint dialectic_messages_concerns_array CHECK (jsonb_typeof(concerns) = 'array'::text);
alter table core.dialectic_messages add constraint dialectic_messages_conditions_array CHECK (jsonb_typeof(proposed_conditions) = 'array'::text);
alter table core.dialectic_messages add constraint dialectic_messages_metrics_object CHECK (jsonb_typeof(observed_metrics) = 'object'::text);
alter table core.dialectic_messages add constraint dialectic_messages_origin_known CHECK (origin = ANY (ARRAY['live'::text, 'legacy'::text]));
alter table core.dialectic_messages add constraint dialectic_messages_pkey PRIMARY KEY (id);
alter table core.dialectic_messages add constraint dialectic_messages_seq_key UNIQUE (session_id, seq);
alter table core.dialectic_messages add constraint dialectic_messages_session_id_fkey FOREIGN KEY (session_id) REFERENCES core.dialectic_sessions(id) ON DELETE CASCADE;
alter table core.dialectic_messages add constraint dialectic_messages_system_has_no_agent CHECK ((message_type = 'system'::core.dialectic_message_type) = (agent_id IS NULL) OR origin = 'legacy'::text AND message_type = 'system'::core.dialectic_message_type);
alter table core.dialectic_messages add constraint dialectic_messages_text_length CHECK (char_length(COALESCE(root_cause, ''::text)) <= 20000 AND char_length(COALESCE(reasoning, ''::text)) <= 20000);

create table core.dialectic_sessions (
  id text not null default encode(public.gen_random_bytes(8), 'hex'::text),
  paused_agent_id text not null,
  reviewer_agent_id text,
  session_type core.dialectic_type not null default 'recovery'::core.dialectic_type,
  phase core.dialectic_phase not null default 'thesis'::core.dialectic_phase,
  status core.dialectic_status not null default 'active'::core.dialectic_status,
  topic text,
  reason text,
  synthesis_round integer not null default 0,
  max_synthesis_rounds integer not null default 5,
  resolution jsonb,
  discovery_id text,
  created_at timestamp with time zone not null default now(),
  updated_at timestamp with time zone not null default now(),
  phase_deadline timestamp with time zone,
  resolved_at timestamp with time zone,
  origin text not null default 'live'::text,
  anomalies text[] not null default '{}'::text[],
  legacy_original jsonb
);
alter table core.dialectic_sessions add constraint dialectic_phase_matches_status CHECK (status = 'active'::core.dialectic_status AND (phase = ANY (ARRAY['thesis'::core.dialectic_phase, 'antithesis'::core.dialectic_phase, 'synthesis'::core.dialectic_phase])) OR status = 'resolved'::core.dialectic_status AND phase = 'resolved'::core.dialectic_phase OR status = 'escalated'::core.dialectic_status AND phase = 'escalated'::core.dialectic_phase OR status = 'failed'::core.dialectic_status AND phase = 'failed'::core.dialectic_phase);
alter table core.dialectic_sessions add constraint dialectic_resolution_when_resolved CHECK (origin = 'legacy'::text OR (status = 'resolved'::core.dialectic_status) = (resolution IS NOT NULL));
alter table core.dialectic_sessions add constraint dialectic_reviewer_not_paused CHECK (origin = 'legacy'::text OR reviewer_agent_id IS DISTINCT FROM paused_agent_id);
alter table core.dialectic_sessions add constraint dialectic_rounds_range CHECK (origin = 'legacy'::text OR synthesis_round >= 0 AND max_synthesis_rounds >= 1 AND max_synthesis_rounds <= 50 AND synthesis_round <= (max_synthesis_rounds + 1));
alter table core.dialectic_sessions add constraint dialectic_sessions_anomalies_legacy_only CHECK (origin = 'legacy'::text OR anomalies = '{}'::text[] AND legacy_original IS NULL);
alter table core.dialectic_sessions add constraint dialectic_sessions_discovery_fkey FOREIGN KEY (discovery_id) REFERENCES knowledge.discoveries(id);
alter table core.dialectic_sessions add constraint dialectic_sessions_origin_known CHECK (origin = ANY (ARRAY['live'::text, 'legacy'::text]));
alter table core.dialectic_sessions add constraint dialectic_sessions_paused_agent_id_fkey FOREIGN KEY (paused_agent_id) REFERENCES core.agents(id);
alter table core.dialectic_sessions add constraint dialectic_sessions_pkey PRIMARY KEY (id);
alter table core.dialectic_sessions add constraint dialectic_sessions_reviewer_agent_id_fkey FOREIGN KEY (reviewer_agent_id) REFERENCES core.agents(id);
alter table core.dialectic_sessions add constraint dialectic_topic_length CHECK (topic IS NULL OR char_length(topic) <= 2000);

create table core.ground_truth (
  decision_id text not null,
  agent_id text,
  decision core.decision,
  confidence double precision not null,
  predicted_correct boolean not null default true,
  actual_correct double precision,
  recorded_at timestamp with time zone not null default now(),
  outcome_at timestamp with time zone,
  details jsonb not null default '{}'::jsonb
);
alter table core.ground_truth add constraint ground_truth_actual_range CHECK (actual_correct IS NULL OR actual_correct >= 0::double precision AND actual_correct <= 1::double precision);
alter table core.ground_truth add constraint ground_truth_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id);
alter table core.ground_truth add constraint ground_truth_confidence_range CHECK (confidence >= 0::double precision AND confidence <= 1::double precision);
alter table core.ground_truth add constraint ground_truth_outcome_has_time CHECK ((actual_correct IS NULL) = (outcome_at IS NULL));
alter table core.ground_truth add constraint ground_truth_pkey PRIMARY KEY (decision_id);

create table core.idempotency_keys (
  caller text not null,
  request_id text not null,
  tool_name text not null,
  request_hash text not null,
  result jsonb,
  secret_ciphertext text,
  secret_expires_at timestamp with time zone,
  created_at timestamp with time zone not null default now(),
  expires_at timestamp with time zone not null
);
alter table core.idempotency_keys add constraint idempotency_keys_expiry_after_creation CHECK (expires_at > created_at);
alter table core.idempotency_keys add constraint idempotency_keys_pkey PRIMARY KEY (caller, request_id);
alter table core.idempotency_keys add constraint idempotency_keys_request_hash_format CHECK (char_length(request_hash) = 64 AND request_hash ~ '^[0-9a-f]*$'::text);
alter table core.idempotency_keys add constraint idempotency_keys_request_id_format CHECK (char_length(request_id) >= 1 AND char_length(request_id) <= 128 AND request_id ~ '^[A-Za-z0-9_.:-]*$'::text);

create table core.schema_migrations (
  id bigint not null generated always as identity,
  version integer,
  name text not null,
  kind core.migration_kind not null,
  file text not null,
  checksum text not null,
  applied_at timestamp with time zone not null default now(),
  execution_ms integer,
  applied_by text not null default CURRENT_USER
);
alter table core.schema_migrations add constraint schema_migrations_pkey PRIMARY KEY (id);
alter table core.schema_migrations add constraint schema_migrations_version_only_for_sql CHECK ((kind = 'sql'::core.migration_kind) = (version IS NOT NULL));

create table core.sessions (
  session_id text not null,
  agent_id text not null,
  client_type text,
  metadata jsonb not null default '{}'::jsonb,
  created_at timestamp with time zone not null default now(),
  last_active_at timestamp with time zone not null default now(),
  expires_at timestamp with time zone not null
);
alter table core.sessions add constraint sessions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id) ON DELETE CASCADE;
alter table core.sessions add constraint sessions_expiry_after_creation CHECK (expires_at > created_at);
alter table core.sessions add constraint sessions_id_length CHECK (char_length(session_id) >= 8 AND char_length(session_id) <= 256);
alter table core.sessions add constraint sessions_pkey PRIMARY KEY (session_id);

create table graphile_migrate.current (
  filename text not null default 'current.sql'::text,
  content text not null,
  date timestamp with time zone not null default now()
);
alter table graphile_migrate.current add constraint current_pkey PRIMARY KEY (filename);

create table graphile_migrate.migrations (
  hash text not null,
  previous_hash text,
  filename text not null,
  date timestamp with time zone not null default now()
);
alter table graphile_migrate.migrations add constraint migrations_pkey PRIMARY KEY (hash);
alter table graphile_migrate.migrations add constraint migrations_previous_hash_fkey FOREIGN KEY (previous_hash) REFERENCES graphile_migrate.migrations(hash);

create table knowledge.discoveries (
  id text not null,
  agent_id text not null,
  discovery_type text not null,
  severity knowledge.severity,
  status knowledge.discovery_status not null default 'open'::knowledge.discovery_status,
  summary text not null,
  details text not null default ''::text,
  tags text[] not null default '{}'::text[],
  references_files text[] not null default '{}'::text[],
  response_to text,
  response_type knowledge.response_type,
  superseded_by text,
  confidence double precision,
  provenance jsonb not null default '{}'::jsonb,
  created_at timestamp with time zone not null default now(),
  updated_at timestamp with time zone not null default now(),
  resolved_at timestamp with time zone,
  search_vector tsvector generated always as ((setweight(to_tsvector('english'::regconfig, COALESCE(summary, ''::text)), 'A'::"char") || setweight(to_tsvector('english'::regconfig, "left"(COALESCE(details, ''::text), 100000)), 'B'::"char"))) stored,
  summary_vector tsvector generated always as (to_tsvector('english'::regconfig, COALESCE(summary, ''::text))) stored
);
alter table knowledge.discoveries add constraint discoveries_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id);
alter table knowledge.discoveries add constraint discoveries_confidence_range CHECK (confidence IS NULL OR confidence >= 0::double precision AND confidence <= 1::double precision);
alter table knowledge.discoveries add constraint discoveries_details_length CHECK (char_length(details) <= 200000);
alter table knowledge.discoveries add constraint discoveries_id_format CHECK (char_length(id) >= 1 AND char_length(id) <= 128 AND id ~ '^[A-Za-z0-9][A-Za-z0-9_.:+-]*$'::text);
alter table knowledge.discoveries add constraint discoveries_not_own_response CHECK (response_to IS DISTINCT FROM id);
alter table knowledge.discoveries add constraint discoveries_pkey PRIMARY KEY (id);
alter table knowledge.discoveries add constraint discoveries_provenance_object CHECK (jsonb_typeof(provenance) = 'object'::text);
alter table knowledge.discoveries add constraint discoveries_resolved_has_time CHECK (status <> 'resolved'::knowledge.discovery_status OR resolved_at IS NOT NULL);
alter table knowledge.discoveries add constraint discoveries_response_to_fkey FOREIGN KEY (response_to) REFERENCES knowledge.discoveries(id);
alter table knowledge.discoveries add constraint discoveries_response_type_needs_target CHECK (response_type IS NULL OR response_to IS NOT NULL);
alter table knowledge.discoveries add constraint discoveries_summary_length CHECK (char_length(summary) >= 1 AND char_length(summary) <= 2000);
alter table knowledge.discoveries add constraint discoveries_superseded_by_fkey FOREIGN KEY (superseded_by) REFERENCES knowledge.discoveries(id);
alter table knowledge.discoveries add constraint discoveries_tags_count CHECK (cardinality(tags) <= 64);
alter table knowledge.discoveries add constraint discoveries_type_format CHECK (char_length(discovery_type) >= 1 AND char_length(discovery_type) <= 64 AND discovery_type ~ '^[a-z][a-z0-9_]*$'::text);

create table knowledge.discovery_edges (
  src_id text not null,
  dst_id text not null,
  edge_type knowledge.edge_type not null,
  response_type knowledge.response_type,
  weight double precision not null default 1.0,
  created_by text,
  created_at timestamp with time zone not null default now(),
  metadata jsonb not null default '{}'::jsonb
);
alter table knowledge.discovery_edges add constraint discovery_edges_created_by_fkey FOREIGN KEY (created_by) REFERENCES core.agents(id);
alter table knowledge.discovery_edges add constraint discovery_edges_dst_id_fkey FOREIGN KEY (dst_id) REFERENCES knowledge.discoveries(id) ON DELETE CASCADE;
alter table knowledge.discovery_edges add constraint discovery_edges_metadata_object CHECK (jsonb_typeof(metadata) = 'object'::text);
alter table knowledge.discovery_edges add constraint discovery_edges_no_self_loop CHECK (src_id <> dst_id);
alter table knowledge.discovery_edges add constraint discovery_edges_pkey PRIMARY KEY (src_id, dst_id, edge_type);
alter table knowledge.discovery_edges add constraint discovery_edges_src_id_fkey FOREIGN KEY (src_id) REFERENCES knowledge.discoveries(id) ON DELETE CASCADE;
alter table knowledge.discovery_edges add constraint discovery_edges_weight_range CHECK (weight >= 0::double precision AND weight <= 1000::double precision);

create table knowledge.discovery_notes (
  id bigint not null generated always as identity,
  discovery_id text not null,
  agent_id text not null,
  note text not null,
  created_at timestamp with time zone not null default now()
);
alter table knowledge.discovery_notes add constraint discovery_notes_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES core.agents(id);
alter table knowledge.discovery_notes add constraint discovery_notes_discovery_id_fkey FOREIGN KEY (discovery_id) REFERENCES knowledge.discoveries(id) ON DELETE CASCADE;
alter table knowledge.discovery_notes add constraint discovery_notes_length CHECK (char_length(note) >= 1 AND char_length(note) <= 20000);
alter table knowledge.discovery_notes add constraint discovery_notes_pkey PRIMARY KEY (id);

create table knowledge.discovery_tags (
  discovery_id text not null,
  tag text not null
);
alter table knowledge.discovery_tags add constraint discovery_tags_discovery_id_fkey FOREIGN KEY (discovery_id) REFERENCES knowledge.discoveries(id) ON DELETE CASCADE;
alter table knowledge.discovery_tags add constraint discovery_tags_format CHECK (tag = lower(btrim(tag)) AND char_length(tag) >= 1 AND char_length(tag) <= 100);
alter table knowledge.discovery_tags add constraint discovery_tags_pkey PRIMARY KEY (discovery_id, tag);

create table knowledge.summary_words (
  word text not null
);
alter table knowledge.summary_words add constraint summary_words_format CHECK (char_length(word) >= 1 AND char_length(word) <= 64 AND word ~ '^[[:alnum:]]*$'::text);
alter table knowledge.summary_words add constraint summary_words_pkey PRIMARY KEY (word);

-- indexes
CREATE UNIQUE INDEX event_hashes_pkey ON audit.event_hashes USING btree (content_hash);
CREATE INDEX events_YYYY_MM_agent_id_occurred_at_idx ON audit.events_YYYY_MM USING btree (agent_id, occurred_at DESC);
CREATE INDEX events_YYYY_MM_event_type_occurred_at_idx ON audit.events_YYYY_MM USING btree (event_type, occurred_at DESC);
CREATE UNIQUE INDEX events_YYYY_MM_pkey ON audit.events_YYYY_MM USING btree (occurred_at, id);
CREATE INDEX events_agent_time_idx ON ONLY audit.events USING btree (agent_id, occurred_at DESC);
CREATE INDEX events_default_agent_id_occurred_at_idx ON audit.events_default USING btree (agent_id, occurred_at DESC);
CREATE INDEX events_default_event_type_occurred_at_idx ON audit.events_default USING btree (event_type, occurred_at DESC);
CREATE UNIQUE INDEX events_default_pkey ON audit.events_default USING btree (occurred_at, id);
CREATE UNIQUE INDEX events_pkey ON ONLY audit.events USING btree (occurred_at, id);
CREATE INDEX events_type_time_idx ON ONLY audit.events USING btree (event_type, occurred_at DESC);
CREATE UNIQUE INDEX mirror_rejects_pkey ON audit.mirror_rejects USING btree (id);
CREATE UNIQUE INDEX mirror_rejects_unique_line ON audit.mirror_rejects USING btree (file_name, line_no, line_sha256);
CREATE INDEX tool_usage_YYYY_MM_agent_id_occurred_at_idx ON audit.tool_usage_YYYY_MM USING btree (agent_id, occurred_at DESC);
CREATE UNIQUE INDEX tool_usage_YYYY_MM_pkey ON audit.tool_usage_YYYY_MM USING btree (occurred_at, id);
CREATE INDEX tool_usage_YYYY_MM_tool_name_occurred_at_idx ON audit.tool_usage_YYYY_MM USING btree (tool_name, occurred_at DESC);
CREATE INDEX tool_usage_agent_time_idx ON ONLY audit.tool_usage USING btree (agent_id, occurred_at DESC);
CREATE INDEX tool_usage_default_agent_id_occurred_at_idx ON audit.tool_usage_default USING btree (agent_id, occurred_at DESC);
CREATE UNIQUE INDEX tool_usage_default_pkey ON audit.tool_usage_default USING btree (occurred_at, id);
CREATE INDEX tool_usage_default_tool_name_occurred_at_idx ON audit.tool_usage_default USING btree (tool_name, occurred_at DESC);
CREATE UNIQUE INDEX tool_usage_hashes_pkey ON audit.tool_usage_hashes USING btree (content_hash);
CREATE UNIQUE INDEX tool_usage_pkey ON ONLY audit.tool_usage USING btree (occurred_at, id);
CREATE INDEX tool_usage_tool_time_idx ON ONLY audit.tool_usage USING btree (tool_name, occurred_at DESC);
CREATE UNIQUE INDEX agent_activity_pkey ON core.agent_activity USING btree (agent_id);
CREATE INDEX agent_lifecycle_events_agent_idx ON core.agent_lifecycle_events USING btree (agent_id, occurred_at DESC);
CREATE UNIQUE INDEX agent_lifecycle_events_pkey ON core.agent_lifecycle_events USING btree (id);
CREATE UNIQUE INDEX agent_state_agent_seq_key ON core.agent_state USING btree (agent_id, seq DESC);
CREATE INDEX agent_state_import_key_idx ON core.agent_state USING btree (agent_id, ((state ->> 'import_key'::text))) WHERE (origin = 'legacy'::text);
CREATE UNIQUE INDEX agent_state_pkey ON core.agent_state USING btree (id);
CREATE INDEX agent_state_recorded_idx ON core.agent_state USING btree (recorded_at);
CREATE UNIQUE INDEX agent_status_transitions_pkey ON core.agent_status_transitions USING btree (from_status, to_status, authority);
CREATE UNIQUE INDEX agents_api_key_hash_key ON core.agents USING btree (api_key_hash) WHERE (api_key_hash IS NOT NULL);
CREATE UNIQUE INDEX agents_label_live_key ON core.agents USING btree (lower(label)) WHERE ((status <> 'deleted'::core.agent_status) AND (label IS NOT NULL));
CREATE INDEX agents_parent_idx ON core.agents USING btree (parent_agent_id) WHERE (parent_agent_id IS NOT NULL);
CREATE UNIQUE INDEX agents_pkey ON core.agents USING btree (id);
CREATE INDEX agents_status_created_idx ON core.agents USING btree (status, created_at DESC);
CREATE INDEX agents_tags_idx ON core.agents USING gin (tags);
CREATE UNIQUE INDEX calibration_pkey ON core.calibration USING btree (version, bin_lower);
CREATE UNIQUE INDEX dialectic_messages_pkey ON core.dialectic_messages USING btree (id);
CREATE UNIQUE INDEX dialectic_messages_seq_key ON core.dialectic_messages USING btree (session_id, seq);
CREATE INDEX dialectic_sessions_active_idx ON core.dialectic_sessions USING btree (phase_deadline) WHERE (status = 'active'::core.dialectic_status);
CREATE INDEX dialectic_sessions_paused_idx ON core.dialectic_sessions USING btree (paused_agent_id, created_at DESC);
CREATE UNIQUE INDEX dialectic_sessions_pkey ON core.dialectic_sessions USING btree (id);
CREATE INDEX dialectic_sessions_reviewer_idx ON core.dialectic_sessions USING btree (reviewer_agent_id, created_at DESC);
CREATE INDEX ground_truth_agent_idx ON core.ground_truth USING btree (agent_id, recorded_at DESC);
CREATE UNIQUE INDEX ground_truth_pkey ON core.ground_truth USING btree (decision_id);
CREATE INDEX idempotency_keys_expires_idx ON core.idempotency_keys USING btree (expires_at);
CREATE UNIQUE INDEX idempotency_keys_pkey ON core.idempotency_keys USING btree (caller, request_id);
CREATE INDEX schema_migrations_kind_file_idx ON core.schema_migrations USING btree (kind, file, applied_at DESC);
CREATE UNIQUE INDEX schema_migrations_pkey ON core.schema_migrations USING btree (id);
CREATE UNIQUE INDEX schema_migrations_sql_version_key ON core.schema_migrations USING btree (version) WHERE (kind = 'sql'::core.migration_kind);
CREATE UNIQUE INDEX schema_migrations_versioned_file_key ON core.schema_migrations USING btree (file) WHERE (kind <> 'function'::core.migration_kind);
CREATE INDEX sessions_agent_idx ON core.sessions USING btree (agent_id, last_active_at DESC);
CREATE INDEX sessions_expires_idx ON core.sessions USING btree (expires_at);
CREATE UNIQUE INDEX sessions_pkey ON core.sessions USING btree (session_id);
CREATE UNIQUE INDEX _ag_label_edge_pkey ON governance_graph._ag_label_edge USING btree (id);
CREATE UNIQUE INDEX _ag_label_vertex_pkey ON governance_graph._ag_label_vertex USING btree (id);
CREATE INDEX agent_graphid_idx ON governance_graph."Agent" USING btree (id);
CREATE INDEX agent_id_idx ON governance_graph."Agent" USING btree (ag_catalog.agtype_access_operator(VARIADIC ARRAY[properties, '"id"'::ag_catalog.agtype]));
CREATE INDEX agent_properties_gin_idx ON governance_graph."Agent" USING gin (properties);
CREATE INDEX authored_end_id_idx ON governance_graph."AUTHORED" USING btree (end_id);
CREATE INDEX authored_start_id_idx ON governance_graph."AUTHORED" USING btree (start_id);
CREATE INDEX dialecticsession_graphid_idx ON governance_graph."DialecticSession" USING btree (id);
CREATE INDEX dialecticsession_id_idx ON governance_graph."DialecticSession" USING btree (ag_catalog.agtype_access_operator(VARIADIC ARRAY[properties, '"id"'::ag_catalog.agtype]));
CREATE INDEX dialecticsession_properties_gin_idx ON governance_graph."DialecticSession" USING gin (properties);
CREATE INDEX discovery_graphid_idx ON governance_graph."Discovery" USING btree (id);
CREATE INDEX discovery_id_idx ON governance_graph."Discovery" USING btree (ag_catalog.agtype_access_operator(VARIADIC ARRAY[properties, '"id"'::ag_catalog.agtype]));
CREATE INDEX discovery_properties_gin_idx ON governance_graph."Discovery" USING gin (properties);
CREATE INDEX related_to_end_id_idx ON governance_graph."RELATED_TO" USING btree (end_id);
CREATE INDEX related_to_start_id_idx ON governance_graph."RELATED_TO" USING btree (start_id);
CREATE INDEX responds_to_end_id_idx ON governance_graph."RESPONDS_TO" USING btree (end_id);
CREATE INDEX responds_to_start_id_idx ON governance_graph."RESPONDS_TO" USING btree (start_id);
CREATE INDEX spawned_end_id_idx ON governance_graph."SPAWNED" USING btree (end_id);
CREATE INDEX spawned_start_id_idx ON governance_graph."SPAWNED" USING btree (start_id);
CREATE INDEX supersedes_end_id_idx ON governance_graph."SUPERSEDES" USING btree (end_id);
CREATE INDEX supersedes_start_id_idx ON governance_graph."SUPERSEDES" USING btree (start_id);
CREATE INDEX tag_graphid_idx ON governance_graph."Tag" USING btree (id);
CREATE INDEX tag_id_idx ON governance_graph."Tag" USING btree (ag_catalog.agtype_access_operator(VARIADIC ARRAY[properties, '"id"'::ag_catalog.agtype]));
CREATE INDEX tag_properties_gin_idx ON governance_graph."Tag" USING gin (properties);
CREATE INDEX tagged_end_id_idx ON governance_graph."TAGGED" USING btree (end_id);
CREATE INDEX tagged_start_id_idx ON governance_graph."TAGGED" USING btree (start_id);
CREATE UNIQUE INDEX current_pkey ON graphile_migrate.current USING btree (filename);
CREATE UNIQUE INDEX migrations_pkey ON graphile_migrate.migrations USING btree (hash);
CREATE INDEX discoveries_agent_idx ON knowledge.discoveries USING btree (agent_id, created_at DESC);
CREATE INDEX discoveries_created_idx ON knowledge.discoveries USING btree (created_at DESC);
CREATE INDEX discoveries_created_summary_vector_idx ON knowledge.discoveries USING btree (created_at DESC, id) INCLUDE (summary_vector);
CREATE UNIQUE INDEX discoveries_pkey ON knowledge.discoveries USING btree (id);
CREATE INDEX discoveries_response_to_idx ON knowledge.discoveries USING btree (response_to) WHERE (response_to IS NOT NULL);
CREATE INDEX discoveries_search_idx ON knowledge.discoveries USING gin (search_vector);
CREATE INDEX discoveries_status_idx ON knowledge.discoveries USING btree (status, created_at DESC);
CREATE INDEX discoveries_summary_bigrams_idx ON knowledge.discoveries USING gin (knowledge.tsv_bigrams(summary_vector));
CREATE INDEX discoveries_summary_search_idx ON knowledge.discoveries USING gin (summary_vector);
CREATE INDEX discoveries_summary_trgm_gist_idx ON knowledge.discoveries USING gist (summary public.gist_trgm_ops (siglen='256'));
CREATE INDEX discoveries_summary_trgm_idx ON knowledge.discoveries USING gin (summary public.gin_trgm_ops);
CREATE INDEX discoveries_tags_idx ON knowledge.discoveries USING gin (tags);
CREATE INDEX discoveries_type_idx ON knowledge.discoveries USING btree (discovery_type, created_at DESC);
CREATE INDEX discovery_edges_dst_idx ON knowledge.discovery_edges USING btree (dst_id, edge_type);
CREATE UNIQUE INDEX discovery_edges_pkey ON knowledge.discovery_edges USING btree (src_id, dst_id, edge_type);
CREATE INDEX discovery_notes_discovery_idx ON knowledge.discovery_notes USING btree (discovery_id, created_at);
CREATE UNIQUE INDEX discovery_notes_pkey ON knowledge.discovery_notes USING btree (id);
CREATE UNIQUE INDEX discovery_tags_pkey ON knowledge.discovery_tags USING btree (discovery_id, tag);
CREATE INDEX discovery_tags_tag_idx ON knowledge.discovery_tags USING btree (tag, discovery_id);
CREATE UNIQUE INDEX summary_words_pkey ON knowledge.summary_words USING btree (word);
CREATE INDEX summary_words_trgm_gist_idx ON knowledge.summary_words USING gist (word public.gist_trgm_ops);
CREATE INDEX summary_words_trgm_idx ON knowledge.summary_words USING gin (word public.gin_trgm_ops);

-- sequences
create sequence audit.events_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of audit.events.id
create sequence audit.mirror_rejects_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of audit.mirror_rejects.id
create sequence audit.tool_usage_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of audit.tool_usage.id
create sequence core.agent_lifecycle_events_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of core.agent_lifecycle_events.id
create sequence core.agent_state_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of core.agent_state.id
create sequence core.dialectic_messages_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of core.dialectic_messages.id
create sequence core.schema_migrations_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of core.schema_migrations.id
create sequence knowledge.discovery_notes_id_seq as bigint start 1 increment 1 minvalue 1 maxvalue 9223372036854775807 cache 1; -- identity of knowledge.discovery_notes.id

-- functions and procedures
create function audit.drop_partitions_older_than(p_keep interval) returns SETOF text
  language plpgsql volatile
  as '...'; -- body sha256:c7a6ba5200d0acceed3aac23322ab791b588fb34799f6ca81e86fd2bcd9d8ffb
create function audit.ensure_partitions(p_from timestamp with time zone DEFAULT now(), p_months integer DEFAULT 3) returns SETOF text
  language plpgsql volatile
  as '...'; -- body sha256:9d63c80613a226330e47d2d23140a9829bd4ea36a15861f679eaaa52d0c7ca4d
create function audit.events_by_hashes(p_hashes text[]) returns TABLE(id bigint, occurred_at timestamp with time zone, agent_id text, session_id text, event_type text, confidence double precision, details jsonb, content_hash text, prev_hash text, source text)
  language sql stable
  as '...'; -- body sha256:794767cfc3aaf6180cd77473dbe11ee2cb20c19f2b52e1f2d3ba597bede2f228
create function audit.insert_events(p_events jsonb, p_source text DEFAULT 'server'::text) returns TABLE(inserted integer, duplicates integer)
  language plpgsql volatile
  set enable_nestloop = off
  as '...'; -- body sha256:d5b734bc30e6efe8c3e18e202d88ae5376cb95afac208795408fc4e9b4ed691a
create function audit.insert_tool_usage(p_rows jsonb, p_source text DEFAULT 'server'::text) returns TABLE(inserted integer, duplicates integer)
  language plpgsql volatile
  set enable_nestloop = off
  as '...'; -- body sha256:03a7fc5255550864e34217aed242c493c99c0b84a9fc499e572cb32d3786ddfa
create function audit.list_mirror_rejects(p_limit integer DEFAULT 100) returns TABLE(file_name text, line_no integer, byte_offset bigint, line_sha256 text, reason text, excerpt text, recorded_at timestamp with time zone)
  language sql stable
  as '...'; -- body sha256:f5729d49970cfc0f3679bd8029ff6447a72c2ea84e4041eccdf7bb6eaba63cca
create function audit.maintain_partitions(p_keep interval, p_months_ahead integer DEFAULT 3) returns TABLE(action text, partition_name text)
  language plpgsql volatile
  as '...'; -- body sha256:9ef76c8ac3363306f2d2efea592e50f6e9424f68f90d6cb6a6db6b91acc277be
create function audit.page_cursor(p_occurred_at timestamp with time zone, p_id bigint) returns text
  language sql immutable
  as '...'; -- body sha256:d769867be3f2c8ee5afe615e6f0f00354945c46987a68f9a24011121bacafa85
create function audit.parse_query_page(p_limit integer, p_since timestamp with time zone, p_until timestamp with time zone, p_cursor text, OUT before_occurred_at timestamp with time zone, OUT before_id bigint) returns record
  language plpgsql stable
  as '...'; -- body sha256:cb5d3cfb0fc3730cf269db545d2076c753aeca873175810080bc131ddd1d967a
create function audit.query_events(p_agent_id text DEFAULT NULL::text, p_event_type text DEFAULT NULL::text, p_since timestamp with time zone DEFAULT NULL::timestamp with time zone, p_until timestamp with time zone DEFAULT NULL::timestamp with time zone, p_limit integer DEFAULT 100, p_cursor text DEFAULT NULL::text) returns TABLE(id bigint, occurred_at timestamp with time zone, agent_id text, session_id text, event_type text, confidence double precision, details jsonb, content_hash text, prev_hash text, source text, ingested_at timestamp with time zone, cursor text)
  language plpgsql stable rows 100
  as '...'; -- body sha256:0210810eae7f5b233ba5ce126ad32bb371fb50049a4e1dd20638c0f2951bae7f
create function audit.query_tool_usage(p_agent_id text DEFAULT NULL::text, p_tool_name text DEFAULT NULL::text, p_success boolean DEFAULT NULL::boolean, p_since timestamp with time zone DEFAULT NULL::timestamp with time zone, p_until timestamp with time zone DEFAULT NULL::timestamp with time zone, p_limit integer DEFAULT 100, p_cursor text DEFAULT NULL::text) returns TABLE(id bigint, occurred_at timestamp with time zone, tool_name text, agent_id text, session_id text, latency_ms double precision, success boolean, error_code text, content_hash text, source text, cursor text)
  language plpgsql stable rows 100
  as '...'; -- body sha256:bb8bfe57843d5b191a8625c5948d8188d6d0d6ccb4c875efbf0d46e496d475e0
create function audit.record_mirror_rejects(p_rejects jsonb) returns integer
  language plpgsql volatile
  as '...'; -- body sha256:4ef2a64eb25a9824bae32e551d14bf0976de4d848d06a8dec060a9570490b3ef
create function audit.server_event_hashes(p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 10000) returns TABLE(id bigint, content_hash text, occurred_at timestamp with time zone)
  language sql stable
  as '...'; -- body sha256:15addd7db5242e06b9e119f934030cdb25c8a08d2093212e72f83c6d9869ebb0
create function core.agent_activity_bridge() returns trigger
  language plpgsql volatile
  as '...'; -- body sha256:35c3c924fe7da37524ea66df3ca622e63c186709fff1007aab1fbf54e14a7afc
create function core.agent_state_history(p_agent_id text, p_limit integer DEFAULT 100, p_before_seq bigint DEFAULT NULL::bigint) returns TABLE(seq bigint, energy double precision, information double precision, entropy double precision, void double precision, coherence double precision, risk double precision, phi double precision, regime text, verdict core.verdict, health_status core.health_status, decision core.decision, state jsonb, recorded_at timestamp with time zone)
  language plpgsql stable rows 100
  as '...'; -- body sha256:8e1daa1d303745ef1379da9ca879bbe859577339aab0703c72b962cfc1a0e31c
create function core.authenticate_agent(p_api_key text, OUT agent_id text, OUT label text, OUT status core.agent_status) returns record
  language plpgsql stable
  as '...'; -- body sha256:a943a395300b9371ee420e3596690805b719f907cf940351933d9c0efe96c7b9
create function core.bind_session(p_session_id text, p_agent_id text, p_ttl_ms bigint, p_client_type text DEFAULT NULL::text, p_metadata jsonb DEFAULT '{}'::jsonb) returns core.sessions
  language plpgsql volatile
  as '...'; -- body sha256:f8235cd3538ef067c2326706828a61fa89fb982fcda39339e036da0fb8dcc21b
create function core.calibration_bin_lower(p_confidence double precision) returns numeric
  language sql immutable strict
  as '...'; -- body sha256:41a5bad3ce7b988901b6cf11a4350462d29b71f735359fea6f11a39e946b31e2
create function core.calibration_bins(p_version integer DEFAULT NULL::integer) returns TABLE(version integer, bin_lower double precision, bin_upper double precision, count bigint, predicted_correct double precision, actual_correct double precision, confidence_sum double precision, mean_confidence double precision, accuracy double precision, gap double precision, updated_at timestamp with time zone)
  language plpgsql stable rows 20
  as '...'; -- body sha256:a3596baac94906b70ea96780598300f3ef4beb876bdd9002ddb73fdd6a94d617
create function core.calibration_recompute(p_since timestamp with time zone DEFAULT NULL::timestamp with time zone) returns integer
  language plpgsql volatile
  as '...'; -- body sha256:3813a7668ccc1e536b7318aa40c8fe0a2062aa7c1c271d3c8f52bbdb813cf8b2
create function core.calibration_record_outcome(p_decision_id text, p_actual_correct double precision, p_actor_agent_id text DEFAULT NULL::text, p_admin boolean DEFAULT false) returns core.ground_truth
  language plpgsql volatile
  as '...'; -- body sha256:f5fd4f8ad53f2cb5a6f3c82f392d1418419f87a6960c74453a47b35f5e656a62
create function core.calibration_record_prediction(p_decision_id text, p_confidence double precision, p_agent_id text DEFAULT NULL::text, p_decision core.decision DEFAULT NULL::core.decision, p_predicted_correct boolean DEFAULT true, p_details jsonb DEFAULT '{}'::jsonb) returns core.ground_truth
  language plpgsql volatile
  as '...'; -- body sha256:ab8471e274073a5e468d3fe4be15892dafff233f000c8817305e4231e45bfebb
create function core.calibration_summary(p_version integer DEFAULT NULL::integer, OUT version integer, OUT total_count bigint, OUT mean_confidence double precision, OUT accuracy double precision, OUT expected_calibration_error double precision, OUT max_calibration_error double precision, OUT updated_at timestamp with time zone) returns record
  language sql stable
  as '...'; -- body sha256:69e37a75a2d29a2d392add7eec30e46460d6fc00f525584477d6201b89a4c112
create function core.check_actor_status(p_agent_id text, p_status core.agent_status, p_role text DEFAULT 'actor'::text) returns void
  language plpgsql immutable
  as '...'; -- body sha256:ca13683a14a2f61921bcf2db5bb6191d157ab3fcf4bc3c3e3af7f4a650b3700d
create function core.check_agent_label_free(p_label text, p_except text DEFAULT NULL::text) returns void
  language plpgsql stable
  as '...'; -- body sha256:b279aa26e89f10ffb843820245a7d3b5cb2df9318f8fc62cac533bff0f5ddb60
create function core.check_agent_tags(p_tags text[]) returns text[]
  language plpgsql immutable
  as '...'; -- body sha256:51e42091edb7a29ef78d63dd7bd2b50eb8a5bfc7babcea0e597328d126fc9040
create function core.clean_tag(p_tag text) returns text
  language sql immutable strict parallel safe
  as '...'; -- body sha256:ba55cc4a79d93cfa90d0d9f23565fd0556c8cea39c4e1312e5222d92fa320f86
create function core.dashboard_agent(p_agent_id text) returns jsonb
  language plpgsql stable
  as '...'; -- body sha256:bbaf699025a9c20983095c8dd45a58b5cd3b59da0dd38be5ead0e35a2a68fd8b
create function core.dashboard_agents(p_status text DEFAULT NULL::text, p_search text DEFAULT NULL::text, p_limit integer DEFAULT 500, p_offset integer DEFAULT 0) returns TABLE(id text, label text, status text, purpose text, tags text[], parent_agent_id text, update_count bigint, created_at timestamp with time zone, last_activity_at timestamp with time zone, risk double precision, coherence double precision, verdict text, decision text, total_count bigint)
  language plpgsql stable rows 50
  as '...'; -- body sha256:798664d75bb7962ad207c4a9114c2f2fb2fc8504291c5b0688fbe4593f9aba16
create function core.dashboard_audit_chain(p_window integer DEFAULT 1000) returns jsonb
  language plpgsql stable
  as '...'; -- body sha256:5c65edf13116142c05b389904124788f4d0c68a57f1f9d39c4e27af8c94a1ed7
create function core.dashboard_changes() returns jsonb
  language sql stable
  as '...'; -- body sha256:27ccd4d7a1263b7e16718c673089496ab7a7c5c8f7d847492e4402ba402d36c3
create function core.dashboard_check_page(p_limit integer, p_offset integer, p_max integer) returns void
  language plpgsql immutable
  as '...'; -- body sha256:92ce2ca55afe32502bd0bc6fd68afcbae0a3bccbfa6790e92f9c28d0055b6a97
create function core.dashboard_describe_edges(p_rows jsonb, p_limit integer) returns TABLE(direction text, edge_label text, other_label text, other_id text, other jsonb)
  language sql stable rows 50
  as '...'; -- body sha256:b8beb413a284942b1b742cd34e2e05a541565086a82fb437cea140a1bb613ebd
create function core.dashboard_dialectic_sessions(p_status text DEFAULT NULL::text, p_phase text DEFAULT NULL::text, p_limit integer DEFAULT 100, p_offset integer DEFAULT 0) returns TABLE(id text, session_type text, phase text, status text, paused_agent_id text, reviewer_agent_id text, topic text, synthesis_round integer, created_at timestamp with time zone, updated_at timestamp with time zone, resolved_at timestamp with time zone, messages bigint, total_count bigint)
  language plpgsql stable rows 50
  as '...'; -- body sha256:a07f88e19443360cebed91938c09ecca557d30e3fe4096fdda5001539862a4dc
create function core.dashboard_fleet() returns jsonb
  language sql stable
  as '...'; -- body sha256:05c7701ad92141dd967a3f5c856b9dbdc2c90fe7835c6c199b863b37b4fdc23f
create function core.dashboard_neighbourhood(p_label text, p_id text, p_limit integer DEFAULT 200) returns TABLE(direction text, edge_label text, other_label text, other_id text, other jsonb)
  language plpgsql stable rows 50
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:3fff41fae0c25c96afc1581e2272e26dcf69e9e60952908f500388597bcabea0
create function core.dashboard_notify() returns trigger
  language plpgsql volatile
  as '...'; -- body sha256:db6780b33a8b4f3b2e7190af183b0638085bdcf33075da6522c2928f56405c1c
create function core.dashboard_platform() returns jsonb
  language sql stable
  as '...'; -- body sha256:6f468381df462a47d43f0b0acbc96b439825a71184a46a63d67302a790bb1372
create function core.dashboard_trajectory(p_agent_id text, p_after_seq bigint DEFAULT 0, p_limit integer DEFAULT 10000) returns TABLE(seq bigint, recorded_at timestamp with time zone, energy double precision, information double precision, entropy double precision, void double precision, coherence double precision, risk double precision, verdict text, decision text, regime text)
  language plpgsql stable rows 5000
  as '...'; -- body sha256:859b82fb7ead0ea0251c264d78944200f36919afe10daab9e6e5ad2d4793ac72
create function core.dashboard_update_cursor() returns text
  language sql stable
  as '...'; -- body sha256:9edadf64825e36828f5004f56042890c0ccd4f1c38e585a91dea5f2d79d49228
create function core.delete_expired_sessions(p_limit integer DEFAULT 1000) returns TABLE(session_id text, agent_id text, expires_at timestamp with time zone)
  language plpgsql volatile
  as '...'; -- body sha256:beb34a970d9f86bda3bd47eb83aefb040bbc0f3e92d11592897a93ada7de3801
create function core.dialectic_fail_expired() returns SETOF core.dialectic_sessions
  language plpgsql volatile
  as '...'; -- body sha256:3cb183e1c4dbd504f528f60f0d17a93171c1de889131debf00297c278c710326
create function core.dialectic_get_session(p_session_id text, p_actor_agent_id text DEFAULT NULL::text, p_admin boolean DEFAULT false) returns jsonb
  language plpgsql stable
  as '...'; -- body sha256:0bacafd785dc15850b5f326a8f588919783f60b6fae88c08f59409991408ee9f
create function core.dialectic_list_sessions(p_agent_id text DEFAULT NULL::text, p_status core.dialectic_status DEFAULT NULL::core.dialectic_status, p_session_type core.dialectic_type DEFAULT NULL::core.dialectic_type, p_limit integer DEFAULT 50, p_cursor text DEFAULT NULL::text) returns TABLE(id text, paused_agent_id text, reviewer_agent_id text, session_type core.dialectic_type, phase core.dialectic_phase, status core.dialectic_status, topic text, reason text, synthesis_round integer, max_synthesis_rounds integer, resolution jsonb, discovery_id text, created_at timestamp with time zone, updated_at timestamp with time zone, phase_deadline timestamp with time zone, resolved_at timestamp with time zone, cursor text)
  language plpgsql stable rows 50
  as '...'; -- body sha256:7b28a63f9c3e8c0b71ff3cce9750e97adc6026c103b0aee76c917aeaf17ad00e
create function core.dialectic_message_content(p_message_type core.dialectic_message_type, p_root_cause text, p_proposed_conditions jsonb, p_reasoning text, p_observed_metrics jsonb, p_concerns jsonb, p_agrees boolean) returns jsonb
  language sql immutable
  as '...'; -- body sha256:97ac63fa3dcab2b8d47f24c04fd6e61f6a4989465e9c644bf4279b91123a6c12
create function core.dialectic_message_signature(p_session_id text, p_agent_id text, p_content jsonb) returns text
  language sql immutable
  as '...'; -- body sha256:dad3512f719c66e373b3a53f4f80098532310f9be38a70b481a5f46094ca672c
create function core.dialectic_phase_timeout(p_phase core.dialectic_phase) returns interval
  language sql immutable
  as '...'; -- body sha256:b54ca871ef82d9475a531ee3e4a1511dea668faafe007de1b428a82442a11381
create function core.dialectic_request_review(p_paused_agent_id text, p_reviewer_agent_id text DEFAULT NULL::text, p_session_type core.dialectic_type DEFAULT 'recovery'::core.dialectic_type, p_topic text DEFAULT NULL::text, p_reason text DEFAULT NULL::text, p_max_synthesis_rounds integer DEFAULT 5, p_discovery_id text DEFAULT NULL::text, p_actor_agent_id text DEFAULT NULL::text, p_admin boolean DEFAULT false) returns core.dialectic_sessions
  language plpgsql volatile
  as '...'; -- body sha256:5e49aa4c5071a0c84468eae565c3806aead6cea5c0c58c8d4b4641657679ef54
create function core.dialectic_reviewer_candidates(p_paused_agent_id text) returns TABLE(agent_id text, status core.agent_status, last_activity_at timestamp with time zone, active_session_id text, reviewed_recently boolean, eligible boolean)
  language sql stable rows 500
  as '...'; -- body sha256:52590f46d59788c438f154d562ec19563f7c8d31853f48b8e4b315abc6f28f2d
create function core.dialectic_submit_antithesis(p_session_id text, p_agent_id text, p_reasoning text, p_concerns jsonb DEFAULT '[]'::jsonb, p_observed_metrics jsonb DEFAULT '{}'::jsonb, p_proposed_conditions jsonb DEFAULT '[]'::jsonb) returns core.dialectic_sessions
  language sql volatile
  as '...'; -- body sha256:937aa33bb3c9ce7fe61b258cab1fecc92c101382e12755643efe5bacc4ef05a5
create function core.dialectic_submit_message(p_session_id text, p_agent_id text, p_message_type core.dialectic_message_type, p_root_cause text, p_proposed_conditions jsonb, p_reasoning text, p_observed_metrics jsonb, p_concerns jsonb, p_agrees boolean) returns core.dialectic_sessions
  language plpgsql volatile
  as '...'; -- body sha256:6a13e14b7b0a48def8082336c7e75533b0089750ff126ee7eb562f23a7cd5584
create function core.dialectic_submit_synthesis(p_session_id text, p_agent_id text, p_agrees boolean, p_reasoning text, p_proposed_conditions jsonb DEFAULT '[]'::jsonb, p_root_cause text DEFAULT NULL::text, p_concerns jsonb DEFAULT '[]'::jsonb) returns core.dialectic_sessions
  language sql volatile
  as '...'; -- body sha256:a38f484b13f8dedb656cb6d55e158fa6592a87f56d8b1bab9a778690ce643322
create function core.dialectic_submit_thesis(p_session_id text, p_agent_id text, p_root_cause text, p_proposed_conditions jsonb DEFAULT '[]'::jsonb, p_reasoning text DEFAULT NULL::text, p_observed_metrics jsonb DEFAULT '{}'::jsonb) returns core.dialectic_sessions
  language sql volatile
  as '...'; -- body sha256:09f439cee13a5608b9da86fb6489fba148e893d8ee0da2b99ee4dcc6a89ea8e3
create function core.eisv_assess(p_energy double precision, p_information double precision, p_entropy double precision, p_void double precision, p_drift_norm double precision DEFAULT 0, OUT coherence double precision, OUT risk double precision, OUT phi double precision, OUT verdict core.verdict, OUT health_status core.health_status, OUT decision core.decision) returns record
  language plpgsql immutable parallel safe
  as '...'; -- body sha256:78cfefb40b401c6dcbc5163fc65ec3c474480c404b074b8ad0f903ce749cd653
create function core.eisv_assess_rows(p_energy double precision, p_information double precision, p_entropy double precision, p_void double precision, p_drift_norm double precision) returns TABLE(coherence double precision, risk double precision, phi double precision, verdict core.verdict, health_status core.health_status, decision core.decision)
  language sql immutable parallel safe rows 1
  as '...'; -- body sha256:e67737a162bbe16517149ec7de691d9215872ff98500983e5e188a1224357a52
create function core.eisv_coherence(p_void double precision) returns double precision
  language sql immutable strict parallel safe
  as '...'; -- body sha256:bea31583219d5aaed26b72530ee5db7b2c3423673ae32ab26f0e685745bd26a3
create function core.eisv_constants() returns TABLE(model text, dt double precision, alpha double precision, beta_e double precision, gamma_e double precision, beta_i double precision, k double precision, gamma_i double precision, mu double precision, lambda1 double precision, lambda2 double precision, beta_cx double precision, kappa double precision, delta double precision, c_max double precision, c1 double precision, e_min double precision, e_max double precision, i_min double precision, i_max double precision, s_min double precision, s_max double precision, v_min double precision, v_max double precision, e0 double precision, i0 double precision, s0 double precision, v0 double precision, w_e double precision, w_i double precision, w_s double precision, w_v double precision, w_eta double precision, phi_safe double precision, phi_caution double precision, r_coherence double precision, r_entropy double precision, r_void double precision, r_drift double precision, health_moderate double precision, health_critical double precision, regime_epsilon double precision, baseline_weight double precision, length_half double precision, max_response_length integer, max_drift_components integer, max_task_type_length integer)
  language sql immutable parallel safe rows 1
  as '...'; -- body sha256:cc7a7e927eb2c71aa0a7d8c3f7013f1975efc1a9f7d2c9491fd878fe73f5037a
create function core.eisv_drift(p_baseline jsonb, p_confidence double precision, p_complexity double precision, p_response_length integer, p_reported_drift double precision[] DEFAULT NULL::double precision[], OUT drift_norm double precision, OUT drift_components double precision[], OUT drift_source text, OUT baseline jsonb) returns record
  language plpgsql immutable parallel safe
  as '...'; -- body sha256:890d0b04f71cfe3e4031bfe2519ab44821a1043d522e20094c5a68e5a943b547
create function core.eisv_drift_rows(p_baseline jsonb, p_confidence double precision, p_complexity double precision, p_response_length integer, p_reported_drift double precision[]) returns TABLE(drift_norm double precision, drift_components double precision[], drift_source text, baseline jsonb)
  language sql immutable parallel safe rows 1
  as '...'; -- body sha256:36a168dbae638b83cf7b0af69af65ea4745059692429534994906d2f55374ca9
create function core.eisv_params() returns jsonb
  language sql immutable parallel safe
  as '...'; -- body sha256:5829001456462a376d71907987d6eaef5f294153602f6ab7a8dbb6ff761edb50
create function core.eisv_step(p_energy double precision, p_information double precision, p_entropy double precision, p_void double precision, p_complexity double precision, p_drift_norm double precision DEFAULT 0, OUT energy double precision, OUT information double precision, OUT entropy double precision, OUT void double precision, OUT coherence double precision, OUT risk double precision, OUT phi double precision, OUT regime text, OUT verdict core.verdict, OUT health_status core.health_status, OUT decision core.decision) returns record
  language plpgsql immutable parallel safe
  as '...'; -- body sha256:4c0352b31314712e99536ca38a7fa5da615d96f492a9f7f16129fcbc447e8347
create function core.eisv_step_rows(p_energy double precision, p_information double precision, p_entropy double precision, p_void double precision, p_complexity double precision, p_drift_norm double precision) returns TABLE(energy double precision, information double precision, entropy double precision, void double precision, coherence double precision, risk double precision, phi double precision, regime text, verdict core.verdict, health_status core.health_status, decision core.decision)
  language sql immutable parallel safe rows 1
  as '...'; -- body sha256:4f480073ea306d4dc12043c7a48f7ac5b484a37c8bfb92f534117b5a6a0a1740
create function core.get_agent(p_agent_id text, OUT id text, OUT label text, OUT status core.agent_status, OUT purpose text, OUT notes text, OUT tags text[], OUT parent_agent_id text, OUT spawn_reason text, OUT metadata jsonb, OUT update_count bigint, OUT created_at timestamp with time zone, OUT updated_at timestamp with time zone, OUT paused_at timestamp with time zone, OUT archived_at timestamp with time zone, OUT deleted_at timestamp with time zone, OUT last_activity_at timestamp with time zone) returns record
  language plpgsql stable
  as '...'; -- body sha256:a418c9316adcad541e63af98d72b90dd9f4fcd5b6ffb4ff37c08e34f34e56871
create function core.get_agent_state(p_agent_id text, OUT seq bigint, OUT energy double precision, OUT information double precision, OUT entropy double precision, OUT void double precision, OUT coherence double precision, OUT risk double precision, OUT phi double precision, OUT regime text, OUT verdict core.verdict, OUT health_status core.health_status, OUT decision core.decision, OUT state jsonb, OUT recorded_at timestamp with time zone) returns record
  language plpgsql stable
  as '...'; -- body sha256:2618fca3ffc4c2c32c5262f04489e47c214b7e493665a2885030bd40dcf71138
create function core.guard_agent_status() returns trigger
  language plpgsql volatile
  as '...'; -- body sha256:444fc88a296e0778550a9d0ad91b11766f707916456aca3b8f3f3301782c25b4
create function core.health_snapshot(OUT graph_present boolean, OUT discoveries bigint, OUT discovery_vertices bigint, OUT calibration_bins integer, OUT calibration_samples bigint, OUT mirror_rejects bigint, OUT last_mirror_reject jsonb) returns record
  language plpgsql stable
  as '...'; -- body sha256:44929f37d8d62fbbdeb6944ab529c4bc6b9301126dcdad0aa93c3ff8497c9f8a
create function core.idempotency_claim(p_caller text, p_request_id text, p_tool_name text, p_request_hash text, p_ttl_seconds integer DEFAULT 86400) returns TABLE(state text, result jsonb, secret_ciphertext text, secret_expires_at timestamp with time zone, created_at timestamp with time zone)
  language plpgsql volatile
  as '...'; -- body sha256:e3d5f1d5c00a6e6ae5726c62b3646c407bc1d81f7b3e8cd828f7af7edecdd96c
create function core.idempotency_complete(p_caller text, p_request_id text, p_result jsonb, p_secret_ciphertext text DEFAULT NULL::text, p_secret_ttl_seconds integer DEFAULT 600) returns void
  language plpgsql volatile
  as '...'; -- body sha256:dc9efce31b011e74288174ec2d0d57bfc1d30559df980ee33fe75cb950544966
create function core.idempotency_sweep(OUT secrets_erased integer, OUT keys_deleted integer) returns record
  language plpgsql volatile
  as '...'; -- body sha256:a2b37e6f967c4ed7baf69e8d72941fa9d547c9f470e917247f2a92ff44f51515
create function core.import_agent_lifecycle_events(p_records jsonb) returns TABLE(inserted bigint, already_present bigint)
  language plpgsql volatile
  as '...'; -- body sha256:299b3d1a44f14ccf5801c7a79bed4227e2e6f59775c5b763e5557a4bdfbc0f42
create function core.import_agent_parents(p_links jsonb) returns TABLE(child_id text, parent_id text, outcome text)
  language plpgsql volatile
  as '...'; -- body sha256:d53ade86e914eea40ae5faae64e0df695c5ab74160db79a85dbff0588d051c11
create function core.import_agent_states(p_records jsonb, p_source text) returns TABLE(inserted bigint, already_present bigint, placeholders bigint)
  language plpgsql volatile
  as '...'; -- body sha256:39c188060318ff32bb9a3f344f77bd0c38fabcb31b3d8c1816a191cd4e9afc01
create function core.import_agents(p_records jsonb) returns TABLE(inserted bigint, updated bigint, already_present bigint)
  language plpgsql volatile
  as '...'; -- body sha256:0495e27ba447aaa0460f9d95a4fb3d2a6bac8d930019e1821724f03145fd5e51
create function core.import_calibration_bins(p_records jsonb) returns TABLE(inserted bigint, already_present bigint, conflicts jsonb)
  language plpgsql volatile
  as '...'; -- body sha256:c303429a47638423e6672c5a82debdb4b30200c8c9180cbb823a49f7b06afa47
create function core.import_consistency_check() returns TABLE(kind text, subject text, detail text)
  language sql stable
  as '...'; -- body sha256:87f20120db09c6abd7b8093301db5cf91a3e9f4c2c635dba9a0b9661bab67ce2
create function core.import_dialectic_sessions(p_records jsonb, p_source text) returns TABLE(inserted bigint, updated bigint, already_present bigint, placeholders bigint, messages_inserted bigint, messages_already_present bigint, dangling_discovery_sessions text[])
  language plpgsql volatile
  as '...'; -- body sha256:0a30254c3e748f204d0f3095937a8636dfe842c1d15e8fcde4dcda67cbd92139
create function core.import_last_status_event(p_agent_id text) returns TABLE(event core.lifecycle_event_type, occurred_at timestamp with time zone)
  language sql stable rows 1
  as '...'; -- body sha256:f5175dd0c507e2d0081473b7d0dbce73aeb9af9993dab5ecf0a58119768f9404
create function core.import_placeholder_agents(p_ids text[], p_times timestamp with time zone[], p_source text) returns bigint
  language plpgsql volatile
  as '...'; -- body sha256:6e436358a5c51b83d6ee2ff8831cff60a1510a66301fed0f861b62fee69e450b
create function core.import_sessions(p_records jsonb, p_source text) returns TABLE(inserted bigint, updated bigint, already_present bigint, placeholders bigint)
  language plpgsql volatile
  as '...'; -- body sha256:da3ee2fde2edf29ac82766342c7c3087e5ab07552e50a0e9eb5a09af8027c649
create function core.import_settle() returns TABLE(agents_settled bigint, states_renumbered bigint)
  language plpgsql volatile
  as '...'; -- body sha256:ebc977dbe251e194d6b5c852ee3353b06442cb7946e162acf4f1e4dccc1b4321
create function core.import_table_counts() returns TABLE(entity text, row_count bigint)
  language sql stable
  as '...'; -- body sha256:a41d1f0f1386822a744e34ac9de8409d4affe078b1fe647f269a0bc5c9948dd8
create function core.import_try_lock() returns boolean
  language sql volatile
  as '...'; -- body sha256:c0dce7466e55dc97a73ac7bc4a31ea0923376edf50e32bcf5518487ae56c2a9e
create function core.import_unlock() returns boolean
  language sql volatile
  as '...'; -- body sha256:aad50a0829688bc2509e838b7e3e7d3acd3b151defb65cca6630533040888870
create function core.ledger_items() returns TABLE(kind core.migration_kind, file text, name text, version integer, checksum text, applied_at timestamp with time zone)
  language sql stable rows 20
  as '...'; -- body sha256:b8a4a27d08b9be04f0a5a3171a591107f0cc7f8bc87a0cb95cb5e32872bb836b
create function core.list_agent_sessions(p_agent_id text) returns SETOF core.sessions
  language sql stable rows 5
  as '...'; -- body sha256:7c13dbf0b7474a34725b79ec1027da296296208574f30cb4b8899a54639f0fa4
create function core.list_agents(p_status text DEFAULT NULL::text, p_tag text DEFAULT NULL::text, p_parent_agent_id text DEFAULT NULL::text, p_include_deleted boolean DEFAULT false, p_limit integer DEFAULT 50, p_offset integer DEFAULT 0) returns TABLE(id text, label text, status core.agent_status, purpose text, tags text[], parent_agent_id text, update_count bigint, created_at timestamp with time zone, last_activity_at timestamp with time zone)
  language plpgsql stable rows 50
  as '...'; -- body sha256:852c71b2ec0b0f03f938cc6157f9e492390013e31d40fea4f21c7def9df43c70
create function core.lookup_session(p_session_id text, p_ttl_ms bigint) returns SETOF core.sessions
  language plpgsql volatile rows 1
  as '...'; -- body sha256:438b3eb42299ebc1dfff2c50eb48ec7c005429f518d0ab1332087808ad419a07
create function core.normalize_tags(p_tags text[], p_sorted boolean DEFAULT false) returns text[]
  language sql immutable parallel safe
  as '...'; -- body sha256:66dff3f22ccc2ee7fea85d4171d49eb1bc71b5ad71f644390554f42a13463590
create function core.onboard_agent(p_agent_id text DEFAULT NULL::text, p_label text DEFAULT NULL::text, p_purpose text DEFAULT NULL::text, p_tags text[] DEFAULT NULL::text[], p_parent_agent_id text DEFAULT NULL::text, p_spawn_reason text DEFAULT NULL::text, p_metadata jsonb DEFAULT NULL::jsonb, p_session_id text DEFAULT NULL::text, p_session_ttl_ms bigint DEFAULT 86400000, p_client_type text DEFAULT NULL::text, p_actor text DEFAULT NULL::text, p_admin boolean DEFAULT false, OUT agent_id text, OUT api_key text, OUT label text, OUT status core.agent_status, OUT tags text[], OUT parent_agent_id text, OUT created_at timestamp with time zone, OUT session_id text, OUT session_expires_at timestamp with time zone) returns record
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:80e87b6d6435c537536b248ed252a186e3cc27bbbc5c02500a9a0118fa89be14
create function core.process_agent_update(p_agent_id text, p_complexity double precision, p_confidence double precision, p_response_length integer DEFAULT NULL::integer, p_response_text text DEFAULT NULL::text, p_task_type text DEFAULT NULL::text, p_ethical_drift double precision[] DEFAULT NULL::double precision[], p_apply_pause boolean DEFAULT false, OUT seq bigint, OUT energy double precision, OUT information double precision, OUT entropy double precision, OUT void double precision, OUT coherence double precision, OUT risk double precision, OUT phi double precision, OUT regime text, OUT verdict core.verdict, OUT health_status core.health_status, OUT decision core.decision, OUT drift_norm double precision, OUT update_count bigint, OUT agent_status core.agent_status, OUT recorded_at timestamp with time zone) returns record
  language plpgsql volatile
  as '...'; -- body sha256:3e518d2611a1a33040b6aa85111104f8147a653991c939706b7f524faca5baab
create function core.project_agent(p_agent_id text) returns void
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:971c3b8c80a7c191063c875c6109a7cbc6f602756def4bdc64a8dd72f8741f6b
create function core.record_sql_migration() returns trigger
  language plpgsql volatile
  as '...'; -- body sha256:9379bd51b9bf8b4b2ead0af37372939a33e614e59dbd90d6065a187957b4e1a1
create function core.require_active_actor(p_agent_id text, p_role text DEFAULT 'actor'::text) returns core.agents
  language plpgsql volatile
  as '...'; -- body sha256:842c971fa7e83148d4ce4835d68fac7931dc05cffda4fcced07d679ee8351446
create function core.resume_agent_after_review(p_agent_id text, p_actor text, p_reason text DEFAULT NULL::text, OUT agent_id text, OUT from_status core.agent_status, OUT to_status core.agent_status, OUT event_id bigint, OUT changed_at timestamp with time zone, OUT review_id text) returns record
  language plpgsql volatile
  set search_path = core, public
  as '...'; -- body sha256:c10ff2b78e077945d7960713d3e5306b6ef54c726599d75d296399f4ca0b9b32
create function core.rotate_api_key(p_agent_id text, p_actor_agent_id text DEFAULT NULL::text, p_admin boolean DEFAULT false, p_reason text DEFAULT NULL::text, OUT agent_id text, OUT api_key text, OUT rotated_at timestamp with time zone) returns record
  language plpgsql volatile
  as '...'; -- body sha256:70d74f6de223668021d17a4d8a0afc6025e8734f477a6cd62b448d33be4c130b
create function core.schema_version() returns integer
  language sql stable
  as '...'; -- body sha256:7b018beeead6d312491b32ae237e82f30dcc8bb5f2671c9094bd0f9a26a1af6f
create function core.spawn_agent(p_parent_agent_id text, p_spawn_reason text, p_agent_id text DEFAULT NULL::text, p_label text DEFAULT NULL::text, p_purpose text DEFAULT NULL::text, p_tags text[] DEFAULT NULL::text[], p_metadata jsonb DEFAULT NULL::jsonb, p_actor text DEFAULT NULL::text, OUT agent_id text, OUT api_key text, OUT label text, OUT status core.agent_status, OUT tags text[], OUT parent_agent_id text, OUT created_at timestamp with time zone) returns record
  language plpgsql volatile
  as '...'; -- body sha256:34d48c0b881c2df59f92e14fe1337595263345460f364b3db3fd0c8dab7655e8
create function core.transition_agent(p_agent_id text, p_to_status text, p_authority text, p_actor_agent_id text DEFAULT NULL::text, p_reason text DEFAULT NULL::text, p_actor text DEFAULT NULL::text, p_review_id text DEFAULT NULL::text, OUT agent_id text, OUT from_status core.agent_status, OUT to_status core.agent_status, OUT event_id bigint, OUT changed_at timestamp with time zone) returns record
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:2dfea73529b28afe82452dc39514e8c46c3a7dbed20135e6df6f68e34bed122c
create function core.trim_tag(p_tag text) returns text
  language sql immutable strict parallel safe
  as '...'; -- body sha256:be1a7d591c48899951d470d5370cfb4c05051b94ea8d2a77b9bc2ce949a5b54e
create function core.unbind_session(p_session_id text) returns SETOF core.sessions
  language sql volatile rows 1
  as '...'; -- body sha256:991a205e9e18465127726b0b4c738f84f4bc3a71ddbf17e995dbe603f7e0897b
create function core.update_agent(p_agent_id text, p_label text DEFAULT NULL::text, p_purpose text DEFAULT NULL::text, p_notes text DEFAULT NULL::text, p_tags text[] DEFAULT NULL::text[], p_reason text DEFAULT NULL::text, p_actor text DEFAULT NULL::text, OUT agent_id text, OUT label text, OUT purpose text, OUT notes text, OUT tags text[], OUT changed text[], OUT updated_at timestamp with time zone) returns record
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:ee7745880447bcc1af9e9108b958a483aa8eb242935df4ce6708e5db882f941c
create function knowledge.add_discovery_note(p_discovery_id text, p_agent_id text, p_note text) returns knowledge.discovery_notes
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:1cf2bb88104f8a80e3235798d9906b18898b2f69222394d0748c158c0c3a5a9a
create function knowledge.agent_provenance(p_agent_id text) returns jsonb
  language sql stable
  set search_path = knowledge, core, public
  as '...'; -- body sha256:572dd1a0bff7abfd579159fcd22da24909de767d3e4627ba8021ca6bcb92c364
create function knowledge.discovery_stats(p_top integer DEFAULT 20) returns TABLE(dimension text, key text, count bigint)
  language plpgsql stable rows 60
  set search_path = knowledge, core, public
  as '...'; -- body sha256:cbfeb5149ee64b053b36add06e2949c9a9187dc1acfaf97f68c573dc0dd94b76
create function knowledge.discovery_tag_problems(p_tags text[]) returns text[]
  language sql immutable parallel safe
  as '...'; -- body sha256:2545c4429e64d4588b2619ea0679a2a00bac2ba5585b696d9ab8b6c2580a766f
create function knowledge.get_discovery(p_id text, p_max_depth integer DEFAULT 20) returns TABLE(relation text, depth integer, id text, agent_id text, discovery_type text, severity text, status text, summary text, details text, tags text[], references_files text[], response_to text, response_type text, superseded_by text, confidence double precision, provenance jsonb, created_at timestamp with time zone, updated_at timestamp with time zone, resolved_at timestamp with time zone)
  language plpgsql stable rows 3
  set search_path = knowledge, core, public
  as '...'; -- body sha256:ce65454eaac9c56f391f2acd2e8bc8f4d91d692b6991e0369803a3c127848d0a
create function knowledge.grant_graph_reader() returns void
  language plpgsql volatile
  as '...'; -- body sha256:e6a0c86c960bca36d56c2b328beb4076b08d7d8fb57d4ee962b0bc21cf7becd3
create function knowledge.graph_actual_edges() returns TABLE(label text, src_id text, dst_id text, kind text, props jsonb)
  language plpgsql stable rows 500000
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:c5db10a8880733587e60b79780cc0e89c01508c9fb395c4e406822d270ef516c
create function knowledge.graph_actual_vertices() returns TABLE(label text, id text, props jsonb)
  language plpgsql stable rows 100000
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:a2cba4a9ab1572fc3fcb4e3dd8c25bef19c57e54b0e1c99af101d6861780abcb
create function knowledge.graph_add_discovery(p_id text) returns void
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:076744441ca26254c2bcfb469de627655574751b967f79079af5d9aae8025808
create function knowledge.graph_edge_key(p_src text, p_dst text, p_kind text) returns text
  language sql immutable
  as '...'; -- body sha256:cc999ccf1022a06d7735a437991c0ac40907788a621da8d2ac873db16ada5a48
create function knowledge.graph_edge_props(p_edge_type knowledge.edge_type, p_weight double precision, p_response_type knowledge.response_type) returns jsonb
  language sql immutable
  as '...'; -- body sha256:8d0baa3c143925b9ae28392b7cc13d346c36fd17eef60c24b9ddc38f4903e85b
create function knowledge.graph_ensure_agent(p_agent_id text) returns void
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:d9a0bd6c1897e84ad76c6af7083eeb9a9851d8e9a856bf444c2fdfd75280fe2f
create function knowledge.graph_ensure_tags(p_tags text[]) returns void
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:aa58245b3a749d4339215325c1adbba4a2b029825e22bcc46e4af96d981b4f53
create function knowledge.graph_expected_edges() returns TABLE(label text, src_id text, dst_id text, kind text, props jsonb, create_props jsonb)
  language sql stable rows 500000
  set search_path = knowledge, core, public
  as '...'; -- body sha256:2be5a54f4f23f3ecc898d288192ff5e478686108877327b898614c0f5b73fa32
create function knowledge.graph_expected_vertices() returns TABLE(label text, id text, props jsonb, create_props jsonb)
  language sql stable rows 100000
  set search_path = knowledge, core, public
  as '...'; -- body sha256:f589240b02fb32713e39792668114569b7ae920f912c2998a6ae14021a1eb695
create function knowledge.graph_put_edge(p_src_id text, p_dst_id text, p_edge_type knowledge.edge_type, p_weight double precision DEFAULT 1.0, p_response_type knowledge.response_type DEFAULT NULL::knowledge.response_type) returns void
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:919e02e16c31156ec4325db4d133b468c07aad8e045ad69e0b492189634f112e
create function knowledge.graph_rebuild() returns TABLE(element text, label text, deleted bigint, created bigint, updated bigint)
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:d1acb36edd1606c54738f3df69dcef749f297cf9a876a93851222de92e4d8679
create function knowledge.graph_related_ids(p_id text, p_max_hops integer) returns TABLE(id text, hops integer)
  language plpgsql stable rows 20
  set jit = off
  set max_parallel_workers_per_gather = 0
  set plan_cache_mode = force_generic_plan
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:2160a5ae284c99b66ccb773f4cad0b04345c1e6d9e127393df0ea7ffb27a9b3b
create function knowledge.graph_set_discovery_props(p_id text) returns void
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:6e5e6ea5326d764f820daa2099793fe160d45f63f20ae68bfe6c01d905dcacad
create function knowledge.graph_verify() returns TABLE(element text, label text, expected_count bigint, actual_count bigint, missing_count bigint, extra_count bigint, duplicate_count bigint, stale_count bigint, missing_ids text[], extra_ids text[], stale_ids text[], ok boolean)
  language sql volatile rows 10
  as '...'; -- body sha256:1ec4de0c8641977dda72a88299befa094f48a3f3e28086af38d9c5aaa8bace15
create function knowledge.graph_verify_sampled(p_sample_limit integer) returns TABLE(element text, label text, expected_count bigint, actual_count bigint, missing_count bigint, extra_count bigint, duplicate_count bigint, stale_count bigint, missing_ids text[], extra_ids text[], stale_ids text[], ok boolean)
  language plpgsql volatile rows 10
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:e96035f302f615818c4f2ebf6e548bc46b914be755ba1b46fd2bb06acc10edbc
create function knowledge.import_discoveries(p_records jsonb, p_source text) returns TABLE(inserted bigint, updated bigint, already_present bigint, placeholders bigint, tags_read bigint, tags_inserted bigint, tags_already_present bigint, tags_removed bigint)
  language plpgsql volatile
  as '...'; -- body sha256:33f1b25ce591b26c3d587496ca2de8441277fef6e0701d7103a7775c7843eae9
create function knowledge.import_discovery_links(p_records jsonb, p_source text) returns TABLE(src_id text, dst_id text, edge_type text, outcome text, placeholders bigint)
  language plpgsql volatile
  as '...'; -- body sha256:b87477ebdc7a98ba1f25480464222574c2f4e8f9e5271c5b09b6f671132446ac
create function knowledge.import_graph_counts() returns TABLE(kind text, label text, row_count bigint)
  language plpgsql volatile
  set search_path = ag_catalog, core, knowledge, public
  as '...'; -- body sha256:07c804f55038cd08c8cd5097a4d1bcc2ca8271f3ae45a35e0ed83b952daf2022
create function knowledge.link_discoveries(p_src_id text, p_dst_id text, p_edge_type text DEFAULT 'related_to'::text, p_weight double precision DEFAULT 1.0, p_created_by text DEFAULT NULL::text, p_metadata jsonb DEFAULT '{}'::jsonb) returns knowledge.discovery_edges
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:ff66b2450e4a1959717b6f7310752c61c8681724b1f2010f66b0fb65edd950c1
create function knowledge.list_discovery_notes(p_discovery_id text, p_limit integer DEFAULT 100) returns SETOF knowledge.discovery_notes
  language plpgsql stable rows 20
  set search_path = knowledge, core, public
  as '...'; -- body sha256:1fc693be5f3e7c9f0b89110e1f834c6fce9eacbfad202e69efcdd132fecd0f90
create function knowledge.new_discovery_id() returns text
  language sql volatile
  as '...'; -- body sha256:fdc83f5a81e0a179febf40ff41402c8f6db9106910e9bedaa040801aa65a012c
create function knowledge.raise_invalid(p_problems text[], p_hint text DEFAULT NULL::text) returns void
  language plpgsql volatile
  as '...'; -- body sha256:c3373ba0331acda164edbddded971da5707601e205bcb40487f290d68018d797
create function knowledge.related_discoveries(p_id text, p_max_hops integer DEFAULT 2, p_limit integer DEFAULT 50) returns TABLE(id text, hops integer, agent_id text, discovery_type text, status text, summary text, created_at timestamp with time zone)
  language plpgsql stable rows 20
  set search_path = knowledge, core, public
  as '...'; -- body sha256:0950a1509d09c2b07db723b73646352bc31418dc5147f3894ef2269474c9aaaa
create function knowledge.require_agent(p_agent_id text, p_role text DEFAULT 'agent'::text) returns core.agents
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:39d7716c3d5db1b61b029f310dfbfd6d6c651132e2563eba542345e703a930c5
create function knowledge.require_discovery(p_id text, p_role text DEFAULT 'discovery'::text, p_lock boolean DEFAULT false) returns knowledge.discoveries
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:aa9f39fcf829ab5dc8c0644826fa0e386f21416be4b51fe8811093f76eb72235
create function knowledge.search_discoveries(p_query text DEFAULT NULL::text, p_agent_id text DEFAULT NULL::text, p_discovery_type text DEFAULT NULL::text, p_tags text[] DEFAULT NULL::text[], p_status text DEFAULT NULL::text, p_since timestamp with time zone DEFAULT NULL::timestamp with time zone, p_until timestamp with time zone DEFAULT NULL::timestamp with time zone, p_limit integer DEFAULT 20) returns TABLE(id text, agent_id text, discovery_type text, severity text, status text, summary text, details_excerpt text, tags text[], response_to text, superseded_by text, created_at timestamp with time zone, updated_at timestamp with time zone, rank real, match text)
  language plpgsql stable rows 20
  set pg_trgm.similarity_threshold = 0.3
  set plan_cache_mode = force_generic_plan
  set search_path = knowledge, core, public
  as '...'; -- body sha256:1e497f9e0133284749d28a2ca17e9a78a02b13228f18c6b2cff53e9b9e9e2334
create function knowledge.similar_discoveries(p_id text, p_limit integer DEFAULT 10) returns TABLE(id text, agent_id text, discovery_type text, status text, summary text, tags text[], shared_tags text[], shared_count integer, score double precision, created_at timestamp with time zone)
  language plpgsql stable rows 10
  set search_path = knowledge, core, public
  as '...'; -- body sha256:2f7b0776f990fe597921465421cf0bcd9f612cf5eab2a067960a5c1a134fa01d
create function knowledge.store_discoveries(p_items jsonb) returns SETOF knowledge.discoveries
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:0050f4b2a91f26149542195c48421b474660a46c01c28cb59c0a007dd4a08616
create function knowledge.store_discovery(p_agent_id text, p_summary text, p_discovery_type text DEFAULT 'insight'::text, p_details text DEFAULT ''::text, p_tags text[] DEFAULT '{}'::text[], p_severity text DEFAULT NULL::text, p_references_files text[] DEFAULT '{}'::text[], p_response_to text DEFAULT NULL::text, p_response_type text DEFAULT NULL::text, p_related_to text[] DEFAULT '{}'::text[], p_confidence double precision DEFAULT NULL::double precision, p_id text DEFAULT NULL::text) returns knowledge.discoveries
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:c673b3779dcb7f5e713230f9e4a2659c6b67afa7f6857bac44f89a005cb8108d
create function knowledge.summary_words_capture() returns trigger
  language plpgsql volatile
  set search_path = knowledge, public
  as '...'; -- body sha256:de22b90c9afc2ce4f755d1bd14593c12561a59fd55192ada79038b9d85586062
create function knowledge.supersede_discovery(p_old_id text, p_new_id text, p_agent_id text DEFAULT NULL::text, p_admin boolean DEFAULT false) returns knowledge.discoveries
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:d08ba8ad609bf1ddb2a181d8dccebed587444f7ecfc6ffecd1147593d6fccc3a
create function knowledge.tsquery_phrase_pairs(p_query tsquery) returns text[]
  language sql immutable strict parallel safe
  as '...'; -- body sha256:6cfefdc9a9d1d13187652d2c136749b304d63a3e5f65b74fb5c08925fb334a64
create function knowledge.tsv_bigrams(v tsvector) returns text[]
  language sql immutable strict parallel safe
  as '...'; -- body sha256:11335be7d67fab6d17582fa429c00936be20de374d0f6be775f976aa31fe3f07
create function knowledge.update_discovery_status(p_id text, p_status text, p_actor_agent_id text DEFAULT NULL::text, p_admin boolean DEFAULT false) returns knowledge.discoveries
  language plpgsql volatile
  set search_path = knowledge, core, public
  as '...'; -- body sha256:e38ff3ad781d45445c8196ea4269362229d1dd7be79e06dcf8928f7af3ceb2a8
create function knowledge.vocabulary_matches(p_query text) returns TABLE(word text, query_word integer, similarity real)
  language plpgsql stable rows 10
  set enable_seqscan = off
  as '...'; -- body sha256:56a604a80cdc973e0bcf0dc12596814a2f4fe0b1047aff878aedf785575dbb17

-- triggers
CREATE TRIGGER dashboard_notify AFTER INSERT ON audit.events FOR EACH STATEMENT EXECUTE FUNCTION core.dashboard_notify();
CREATE TRIGGER dashboard_notify AFTER INSERT ON core.agent_lifecycle_events FOR EACH STATEMENT EXECUTE FUNCTION core.dashboard_notify();
CREATE TRIGGER agent_activity_insert AFTER INSERT ON core.agents FOR EACH ROW EXECUTE FUNCTION core.agent_activity_bridge();
CREATE TRIGGER agent_activity_update AFTER UPDATE OF update_count, last_activity_at ON core.agents FOR EACH ROW WHEN (old.update_count IS DISTINCT FROM new.update_count OR old.last_activity_at IS DISTINCT FROM new.last_activity_at) EXECUTE FUNCTION core.agent_activity_bridge();
CREATE TRIGGER agents_status_guard BEFORE UPDATE OF status, pause_hold_since ON core.agents FOR EACH ROW EXECUTE FUNCTION core.guard_agent_status();
CREATE TRIGGER dashboard_notify_insert AFTER INSERT ON core.agents FOR EACH STATEMENT EXECUTE FUNCTION core.dashboard_notify();
CREATE TRIGGER dashboard_notify_update AFTER UPDATE ON core.agents FOR EACH ROW WHEN (NOT old.update_count IS DISTINCT FROM new.update_count) EXECUTE FUNCTION core.dashboard_notify();
CREATE TRIGGER dashboard_notify AFTER INSERT OR UPDATE ON core.dialectic_sessions FOR EACH STATEMENT EXECUTE FUNCTION core.dashboard_notify();
CREATE TRIGGER record_sql_migration AFTER INSERT ON graphile_migrate.migrations FOR EACH ROW EXECUTE FUNCTION core.record_sql_migration();
CREATE TRIGGER dashboard_notify AFTER INSERT OR UPDATE ON knowledge.discoveries FOR EACH STATEMENT EXECUTE FUNCTION core.dashboard_notify();
CREATE TRIGGER discoveries_summary_words_insert AFTER INSERT ON knowledge.discoveries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION knowledge.summary_words_capture();
CREATE TRIGGER discoveries_summary_words_update AFTER UPDATE ON knowledge.discoveries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION knowledge.summary_words_capture();

-- grants (owner shown as <owner>)
-- function audit.drop_partitions_older_than(interval): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.ensure_partitions(timestamp with time zone,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.events_by_hashes(text[]): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.insert_events(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.insert_tool_usage(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.list_mirror_rejects(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.maintain_partitions(interval,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.page_cursor(timestamp with time zone,bigint): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.parse_query_page(integer,timestamp with time zone,timestamp with time zone,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.query_events(text,text,timestamp with time zone,timestamp with time zone,integer,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.query_tool_usage(text,text,boolean,timestamp with time zone,timestamp with time zone,integer,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.record_mirror_rejects(jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function audit.server_event_hashes(bigint,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.agent_activity_bridge(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.agent_state_history(text,integer,bigint): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.authenticate_agent(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.bind_session(text,text,bigint,text,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.calibration_bin_lower(double precision): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.calibration_bins(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.calibration_recompute(timestamp with time zone): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.calibration_record_outcome(text,double precision,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.calibration_record_prediction(text,double precision,text,core.decision,boolean,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.calibration_summary(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.check_actor_status(text,core.agent_status,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.check_agent_label_free(text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.check_agent_tags(text[]): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.clean_tag(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_agent(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_agents(text,text,integer,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_audit_chain(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_changes(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_check_page(integer,integer,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_describe_edges(jsonb,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_dialectic_sessions(text,text,integer,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_fleet(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_neighbourhood(text,text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_notify(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_platform(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_trajectory(text,bigint,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dashboard_update_cursor(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.delete_expired_sessions(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_fail_expired(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_get_session(text,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_list_sessions(text,core.dialectic_status,core.dialectic_type,integer,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_message_content(core.dialectic_message_type,text,jsonb,text,jsonb,jsonb,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_message_signature(text,text,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_phase_timeout(core.dialectic_phase): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_request_review(text,text,core.dialectic_type,text,text,integer,text,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_reviewer_candidates(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_submit_antithesis(text,text,text,jsonb,jsonb,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_submit_message(text,text,core.dialectic_message_type,text,jsonb,text,jsonb,jsonb,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_submit_synthesis(text,text,boolean,text,jsonb,text,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.dialectic_submit_thesis(text,text,text,jsonb,text,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_assess(double precision,double precision,double precision,double precision,double precision): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_assess_rows(double precision,double precision,double precision,double precision,double precision): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_coherence(double precision): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_constants(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_drift(jsonb,double precision,double precision,integer,double precision[]): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_drift_rows(jsonb,double precision,double precision,integer,double precision[]): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_params(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_step(double precision,double precision,double precision,double precision,double precision,double precision): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.eisv_step_rows(double precision,double precision,double precision,double precision,double precision,double precision): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.get_agent(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.get_agent_state(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.guard_agent_status(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.health_snapshot(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.idempotency_claim(text,text,text,text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.idempotency_complete(text,text,jsonb,text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.idempotency_sweep(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_agent_lifecycle_events(jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_agent_parents(jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_agent_states(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_agents(jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_calibration_bins(jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_consistency_check(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_dialectic_sessions(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_last_status_event(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_placeholder_agents(text[],timestamp with time zone[],text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_sessions(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_settle(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_table_counts(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_try_lock(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.import_unlock(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.ledger_items(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.list_agent_sessions(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.list_agents(text,text,text,boolean,integer,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.lookup_session(text,bigint): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.normalize_tags(text[],boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.onboard_agent(text,text,text,text[],text,text,jsonb,text,bigint,text,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.process_agent_update(text,double precision,double precision,integer,text,text,double precision[],boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.project_agent(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.record_sql_migration(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.require_active_actor(text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.resume_agent_after_review(text,text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.rotate_api_key(text,text,boolean,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.schema_version(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.spawn_agent(text,text,text,text,text,text[],jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.transition_agent(text,text,text,text,text,text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.trim_tag(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.unbind_session(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function core.update_agent(text,text,text,text,text[],text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.add_discovery_note(text,text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.agent_provenance(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.discovery_stats(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.discovery_tag_problems(text[]): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.get_discovery(text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.grant_graph_reader(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_actual_edges(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_actual_vertices(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_add_discovery(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_edge_key(text,text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_edge_props(knowledge.edge_type,double precision,knowledge.response_type): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_ensure_agent(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_ensure_tags(text[]): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_expected_edges(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_expected_vertices(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_put_edge(text,text,knowledge.edge_type,double precision,knowledge.response_type): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_rebuild(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_related_ids(text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_set_discovery_props(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_verify(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.graph_verify_sampled(integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.import_discoveries(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.import_discovery_links(jsonb,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.import_graph_counts(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.link_discoveries(text,text,text,double precision,text,jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.list_discovery_notes(text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.new_discovery_id(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.raise_invalid(text[],text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.related_discoveries(text,integer,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.require_agent(text,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.require_discovery(text,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.search_discoveries(text,text,text,text[],text,timestamp with time zone,timestamp with time zone,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.similar_discoveries(text,integer): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.store_discoveries(jsonb): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.store_discovery(text,text,text,text,text[],text,text[],text,text,text[],double precision,text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.summary_words_capture(): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.supersede_discovery(text,text,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.tsquery_phrase_pairs(tsquery): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.tsv_bigrams(tsvector): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.update_discovery_status(text,text,text,boolean): <owner>=EXECUTE; PUBLIC=EXECUTE
-- function knowledge.vocabulary_matches(text): <owner>=EXECUTE; PUBLIC=EXECUTE
-- schema audit: <owner>=CREATE, USAGE
-- schema core: <owner>=CREATE, USAGE
-- schema graphile_migrate: <owner>=CREATE, USAGE
-- schema knowledge: <owner>=CREATE, USAGE
-- schema public: <owner>=CREATE, USAGE; PUBLIC=USAGE
-- sequence audit.events_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence audit.mirror_rejects_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence audit.tool_usage_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence core.agent_lifecycle_events_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence core.agent_state_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence core.dialectic_messages_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence core.schema_migrations_id_seq: <owner>=SELECT, UPDATE, USAGE
-- sequence knowledge.discovery_notes_id_seq: <owner>=SELECT, UPDATE, USAGE
-- table audit.event_hashes: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.events: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.events_YYYY_MM: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.events_default: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.mirror_rejects: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.tool_usage: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.tool_usage_YYYY_MM: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.tool_usage_default: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table audit.tool_usage_hashes: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.agent_activity: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.agent_lifecycle_events: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.agent_state: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.agent_status_transitions: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.agents: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.calibration: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.dialectic_messages: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.dialectic_sessions: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.ground_truth: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.idempotency_keys: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.schema_migrations: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table core.sessions: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table graphile_migrate.current: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table graphile_migrate.migrations: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table knowledge.discoveries: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table knowledge.discovery_edges: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table knowledge.discovery_notes: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table knowledge.discovery_tags: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- table knowledge.summary_words: <owner>=DELETE, INSERT, MAINTAIN, REFERENCES, SELECT, TRIGGER, TRUNCATE, UPDATE
-- type core.agent_status: <owner>=USAGE; PUBLIC=USAGE
-- type core.decision: <owner>=USAGE; PUBLIC=USAGE
-- type core.dialectic_message_type: <owner>=USAGE; PUBLIC=USAGE
-- type core.dialectic_phase: <owner>=USAGE; PUBLIC=USAGE
-- type core.dialectic_status: <owner>=USAGE; PUBLIC=USAGE
-- type core.dialectic_type: <owner>=USAGE; PUBLIC=USAGE
-- type core.health_status: <owner>=USAGE; PUBLIC=USAGE
-- type core.lifecycle_event_type: <owner>=USAGE; PUBLIC=USAGE
-- type core.migration_kind: <owner>=USAGE; PUBLIC=USAGE
-- type core.verdict: <owner>=USAGE; PUBLIC=USAGE
-- type knowledge.discovery_status: <owner>=USAGE; PUBLIC=USAGE
-- type knowledge.edge_type: <owner>=USAGE; PUBLIC=USAGE
-- type knowledge.response_type: <owner>=USAGE; PUBLIC=USAGE
-- type knowledge.severity: <owner>=USAGE; PUBLIC=USAGE

-- comments
comment on function audit.drop_partitions_older_than(interval) is 'Detaches and drops the monthly partitions of audit.events and audit.tool_usage that ended before now() - p_keep, with the dedup hashes of their rows (so the months could be backfilled again); returns the names dropped.
@nonnull *';
comment on function audit.ensure_partitions(timestamp with time zone,integer) is 'Creates the monthly partitions of audit.events and audit.tool_usage from p_from''s month (UTC) through p_months months ahead that do not exist yet, moving rows of those months out of the default partitions; returns the names created.
@nonnull *';
comment on function audit.events_by_hashes(pg_catalog.text[]) is 'The rows of audit.events whose content_hash is in p_hashes (at most one per hash); govdb audit verify compares the log with them.
@nonnull id, occurred_at, event_type, details, content_hash, source';
comment on function audit.insert_events(pg_catalog.jsonb,pg_catalog.text) is 'Loads a batch of audit events into audit.events, deduplicated by content_hash across all partitions (through audit.event_hashes); one row: inserted, and duplicates (elements already stored or repeated inside the batch; inserted + duplicates = array length).
p_events: jsonb array of {occurred_at, agent_id, session_id, event_type, confidence, details, content_hash, prev_hash, source}; agent_id, session_id, confidence, details, prev_hash and source are optional, source defaults to p_source (server, backfill, legacy-import, ...). Rows get ids in batch order; a row whose month has no partition lands in the default partition (audit.maintain_partitions moves it).
Errors (nothing of the batch is inserted): GV400 AUDIT_BATCH_NOT_ARRAY when p_events is not an array; GV400 AUDIT_EVENT_INVALID naming the first element (1-based) whose content_hash, event_type or occurred_at is invalid.
@nonnull *';
comment on function audit.insert_tool_usage(pg_catalog.jsonb,pg_catalog.text) is 'Loads a batch of tool calls into audit.tool_usage, deduplicated by content_hash across all partitions (through audit.tool_usage_hashes); one row: inserted, and duplicates (elements already stored or repeated inside the batch; inserted + duplicates = array length).
p_rows: jsonb array of {occurred_at, tool_name, agent_id, session_id, latency_ms (milliseconds), success, error_code, content_hash, source}; source defaults to p_source. Rows get ids in batch order.
Errors (nothing of the batch is inserted): GV400 AUDIT_BATCH_NOT_ARRAY when p_rows is not an array; GV400 AUDIT_TOOL_USAGE_INVALID naming the first element (1-based) whose content_hash, tool_name, occurred_at or success is invalid.
@nonnull *';
comment on function audit.list_mirror_rejects(integer) is 'The bad lines the mirror recorded (audit.mirror_rejects), newest first, at most p_limit (default 100) rows; for govdb audit verify and health.
@nonnull *';
comment on function audit.maintain_partitions(interval,integer) is 'The retention job: moves rows parked in the default partitions into monthly partitions (so old rows there age out too), creates the partitions of the next p_months_ahead months, then detaches and drops monthly partitions that ended more than p_keep ago. One row per partition touched: action created or dropped, partition_name.
The JSONL archive stays the long-term record; a dropped month can be reloaded with govdb audit backfill.
Errors: GV400 AUDIT_RETENTION_INVALID when p_keep is not a positive interval; GV400 AUDIT_MONTHS_AHEAD_INVALID when p_months_ahead is not between 0 and 120.
@nonnull *';
comment on function audit.page_cursor(timestamp with time zone,bigint) is 'The opaque page cursor of an audit row: <occurred_at in UTC to the microsecond>|<id>.
Text, because a JavaScript Date would cut the microseconds and skip rows. Null when either argument is null.';
comment on function audit.parse_query_page(integer,timestamp with time zone,timestamp with time zone,pg_catalog.text) is 'Validates the paging arguments shared by the audit reads and decodes the cursor into (before_occurred_at, before_id).
Both are null without a cursor. limit must be 1..1000 and since before until.
Errors: GV400 INVALID_AUDIT_QUERY listing every problem.';
comment on function audit.query_events(pg_catalog.text,pg_catalog.text,timestamp with time zone,timestamp with time zone,integer,pg_catalog.text) is 'Audit events newest first (occurred_at desc, id desc), filtered by agent, event type and time range, at most p_limit (1..1000) rows.
Time range: p_since inclusive, p_until exclusive. Keyset pages: pass the last row''s cursor as p_cursor for the next page.
Errors: GV400 INVALID_AUDIT_QUERY.
@nonnull id, occurred_at, event_type, details, content_hash, source, ingested_at, cursor';
comment on function audit.query_tool_usage(pg_catalog.text,pg_catalog.text,boolean,timestamp with time zone,timestamp with time zone,integer,pg_catalog.text) is 'Tool usage rows newest first (occurred_at desc, id desc), filtered by agent, tool, success and time range, at most p_limit (1..1000) rows.
latency_ms in milliseconds (null when unknown). Time range: p_since inclusive, p_until exclusive. Keyset pages: pass the last row''s cursor as p_cursor.
Errors: GV400 INVALID_AUDIT_QUERY.
@nonnull id, occurred_at, tool_name, success, content_hash, source, cursor';
comment on function audit.record_mirror_rejects(pg_catalog.jsonb) is 'Records bad lines of audit_log.jsonl the mirror could not load (docs/audit.md, "Bad lines"); returns how many rows were new.
p_rejects: jsonb array of {file_name, line_no (1-based), byte_offset, line_sha256, reason, excerpt}. Idempotent per (file_name, line_no, line_sha256).
Errors: GV400 when p_rejects is not a jsonb array.
@nonnull *';
comment on function audit.server_event_hashes(bigint,integer) is 'Mirrored rows (source server) with an id above p_after_id, in id order, at most p_limit (default 10000, at least 1): govdb audit verify pages through them to find rows that are not in the log files.
@nonnull *';
comment on function core.agent_activity_bridge() is 'Trigger on core.agents (migration agent_activity) while the superseded columns update_count and last_activity_at exist: an inserted agent gets its core.agent_activity row with the inserted values; a change of those columns adds its increment and sets the time on the activity row.';
comment on function core.agent_state_history(pg_catalog.text,integer,bigint) is 'EISV state history of an agent, newest first, at most p_limit rows; p_before_seq pages backwards.
decision is null for imported states that had none.
Errors: GV400 INVALID_LIMIT; GV404 AGENT_NOT_FOUND.
@nonnull seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, state, recorded_at';
comment on function core.authenticate_agent(pg_catalog.text) is 'Resolves an API key to its agent.
Paused and waiting_input agents authenticate (they take part in their own recovery, and read).
Errors: GV401 INVALID_API_KEY for a missing, malformed (over 512 characters) or unknown key; GV423 AGENT_ARCHIVED / AGENT_DELETED for keys of archived or deleted agents.
@nonnull agent_id, status';
comment on function core.bind_session(pg_catalog.text,pg_catalog.text,bigint,pg_catalog.text,pg_catalog.jsonb) is 'Binds (or re-binds) a session id (8-256 characters) to an agent for p_ttl_ms milliseconds and returns the binding.
Re-binding to the same agent refreshes it and merges metadata; a live binding of another agent is never taken over; an expired one is replaced.
Errors: GV400 SESSION_ID_INVALID / SESSION_TTL_INVALID / SESSION_METADATA_INVALID; GV404 AGENT_NOT_FOUND; GV409 SESSION_BOUND_TO_OTHER_AGENT; GV422 AGENT_DELETED.
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';
comment on function core.calibration_bin_lower(double precision) is 'Lower bound of the calibration bin of a confidence in [0, 1]: 0.0, 0.1, ... 0.9 (the top bin is closed).
Numeric arithmetic, so 0.3 lands in [0.3, 0.4). Strict: null for null.';
comment on function core.calibration_bins(integer) is 'The 10 bins of a calibration version (default: the current one) with mean confidence, accuracy (actual_correct / count) and gap = accuracy - mean confidence.
Derived figures and updated_at are null for empty bins; before any outcome exists, 10 empty bins of version 0.
Errors: GV404 CALIBRATION_VERSION_NOT_FOUND.
@nonnull version, bin_lower, bin_upper, count, predicted_correct, actual_correct, confidence_sum';
comment on function core.calibration_recompute(timestamp with time zone) is 'Writes a new calibration version computed from core.ground_truth and returns its number.
With p_since only outcomes since then count (p_since = now() starts empty bins).
@nonnull *';
comment on function core.calibration_record_outcome(pg_catalog.text,double precision,pg_catalog.text,boolean) is 'Records the outcome (actual_correct from 0 = wrong to 1 = correct; fractions allowed) of a decision once and adds it to the current calibration bins; returns the decision row.
The same outcome again is a no-op. Who: the agent that recorded the decision (p_actor_agent_id, able to write now) or an admin (p_admin). Version 1 of the bins is created by the first outcome.
Errors: GV400 INVALID_OUTCOME; GV403 NOT_DECISION_OWNER; GV404 DECISION_NOT_FOUND; GV409 OUTCOME_CONFLICT; GV423 when the actor cannot write.
@nonnull decision_id, confidence, predicted_correct, actual_correct, recorded_at, outcome_at, details';
comment on function core.calibration_record_prediction(pg_catalog.text,double precision,pg_catalog.text,core.decision,boolean,pg_catalog.jsonb) is 'Records a decision with its confidence (0..1) in core.ground_truth and returns the stored row.
Idempotent per decision_id: the same content again returns the stored row. With p_agent_id the agent must be able to write.
Errors: GV400 INVALID_PREDICTION listing every problem; GV409 PREDICTION_CONFLICT for different content under a known decision_id; GV404 / GV423 for the agent.
@nonnull decision_id, confidence, predicted_correct, recorded_at, details';
comment on function core.calibration_summary(integer) is 'One-row summary of a calibration version: total count, overall accuracy and mean confidence, expected calibration error and maximum calibration error.
ECE = sum over bins of (count_b / N) * |accuracy_b - mean_confidence_b|; the maximum is over non-empty bins. Error figures, means and updated_at are null while no outcome is counted.
Errors: GV404 CALIBRATION_VERSION_NOT_FOUND.
@nonnull version, total_count';
comment on function core.check_actor_status(pg_catalog.text,core.agent_status,pg_catalog.text) is 'Raises GV423 unless an agent in status p_status may write (active or waiting_input).
p_role names the agent in the message (actor, parent, agent). Errors: GV423 with detail AGENT_PAUSED, AGENT_ARCHIVED or AGENT_DELETED and a hint on how to recover.';
comment on function core.check_agent_label_free(pg_catalog.text,pg_catalog.text) is 'Raises GV409 LABEL_TAKEN when a live (non-deleted) agent other than p_except holds the label, ignoring case.
A null label is always free.';
comment on function core.check_agent_tags(pg_catalog.text[]) is 'Normalises an agent tag list (core.normalize_tags, sorted) and checks its limits.
Limits: at most 64 tags, each at most 64 characters. Errors: GV400 INVALID_TAGS naming the limit broken.
@nonnull *';
comment on function core.clean_tag(pg_catalog.text) is 'One tag as stored (before de-duplication): invisible characters removed (U+00AD, U+061C, U+180E, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+206F, U+FEFF, U+FFF9-U+FFFB: what the MCP tools refuse in names), control characters (U+0001-U+001F, U+007F-U+009F) replaced by a space, NFC, trimmed (core.trim_tag), lower-cased, NFC. Null for null.';
comment on function core.dashboard_agent(pg_catalog.text) is 'One agent for the dashboard agent view as one JSON object (never the API key hash).
Shape: {agent, state_count, parent: {id, label, status} | null, children (200 newest), lifecycle (200 newest events), discoveries (100 newest), dialectic (100 newest sessions)}.
Errors: GV404 AGENT_NOT_FOUND.
@nonnull *';
comment on function core.dashboard_agents(pg_catalog.text,pg_catalog.text,integer,integer) is 'One page of agents for the dashboard, latest activity first, each with its latest EISV risk, coherence, verdict and decision (null without a state).
p_status filters by status, p_search by id or label prefix (case-insensitive). total_count is the number of matching agents, the same on every row. limit 1..5000.
Errors: GV400 INVALID_PAGE.
@nonnull id, status, tags, update_count, created_at, total_count';
comment on function core.dashboard_audit_chain(integer) is 'The audit chain as the database sees it, for the dashboard: of the newest p_window (1..100000) mirrored events, how many name a previous hash that no mirrored event has.
Shape: {checked, unlinked, first_unlinked: {id, occurred_at} | null, newest_at, total_rejects}. govdb audit verify checks the JSONL files themselves; this is the cheap live signal.
Errors: GV400 INVALID_PAGE.
@nonnull *';
comment on function core.dashboard_changes() is 'A cheap change cursor that the dashboard live channel polls where LISTEN is not available (embedded store).
Shape: {agent_state, lifecycle (newest ids), agents, audit, dialectic, discoveries (newest update times)}; a value is null while its table is empty.
@nonnull *';
comment on function core.dashboard_check_page(integer,integer,integer) is 'Raises GV400 INVALID_PAGE when a limit is outside 1..p_max or an offset is negative.';
comment on function core.dashboard_describe_edges(pg_catalog.jsonb,integer) is 'Turns raw neighbourhood rows (a JSON array of [direction, edge label, other label, other id], each agtype text) into rows describing the other vertex from the relational tables.
other: summary/type/status/severity for a Discovery, label/status for an Agent, {} otherwise; null when the row is gone. At most p_limit rows.';
comment on function core.dashboard_dialectic_sessions(pg_catalog.text,pg_catalog.text,integer,integer) is 'One page of dialectic sessions for the dashboard, newest first, filtered by status and/or phase; limit 1..1000.
messages is the session''s message count; total_count the number of matching sessions (the same on every row).
Errors: GV400 INVALID_PAGE.
@nonnull id, session_type, phase, status, paused_agent_id, synthesis_round, created_at, updated_at, messages, total_count';
comment on function core.dashboard_fleet() is 'Fleet summary for the dashboard as one JSON object.
Shape: {as_of, agents_total, agents_by_status: {status: n}, updates: {hour, day}, decisions: {hour: {decision: n}, day}, verdicts: {hour, day}, dialectic_by_status, discoveries_by_status, audit_events: {hour, day}}.
@nonnull *';
comment on function core.dashboard_neighbourhood(pg_catalog.text,pg_catalog.text,integer) is 'The neighbourhood of one AGE vertex (label Discovery, Agent or Tag, by id): every edge in (direction in) or out (out) of it with the vertex at its other end, at most p_limit (1..500).
Read-only Cypher. Errors: GV400 INVALID_LABEL / INVALID_PAGE.';
comment on function core.dashboard_notify() is 'Trigger (migrations 000011 and 000014): pg_notify on channel govdb_dashboard with the changed table (schema.table), sent at commit, for the dashboard live channel; not on the EISV update path (see core.dashboard_update_cursor).';
comment on function core.dashboard_platform() is 'The data platform for the dashboard as one JSON object.
Shape: {ledger: every core.schema_migrations row in applied order, mirror_rejects: {count, recent (50 newest)}, mirror_delay_seconds (largest ingest delay over the last 10 minutes, null without events), replication: pg_stat_replication rows, database_size_bytes}.
@nonnull *';
comment on function core.dashboard_trajectory(pg_catalog.text,bigint,integer) is 'An agent''s EISV states after p_after_seq in seq order, at most p_limit (1..20000); page by passing the last seq.
Errors: GV400 INVALID_PAGE.
@nonnull seq, recorded_at, energy, information, entropy, void, coherence, risk, verdict, regime';
comment on function core.dashboard_update_cursor() is 'A cursor of committed EISV updates that the live channel polls while a page is open, since updates send no NOTIFY (migration dashboard_notify_off_update_path): "<newest core.agent_state id>:<rows among the newest 1,024 ids>" ("0:0" while the table is empty). It changes when an update commits, also one whose id is older than a row already visible (ids are taken at insert, visible at commit).
Two primary-key reads, independent of the table size.
@nonnull *';
comment on function core.delete_expired_sessions(integer) is 'Deletes up to p_limit expired session bindings (oldest expiry first) and returns them, so the caller can drop them from the cache''s per-agent index too.
Concurrent runs skip each other''s rows. Errors: GV400 LIMIT_INVALID.
@nonnull *';
comment on function core.dialectic_fail_expired() is 'Fails every active dialectic session whose phase deadline has passed and returns them.
Each gets a system message naming the missed phase; phase and status become failed together. Sessions locked by an in-flight submission are skipped (the next sweep takes them). Run it periodically; request_review runs it too.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';
comment on function core.dialectic_get_session(pg_catalog.text,pg_catalog.text,boolean) is 'A dialectic session with its messages in order, as one JSON object: the session''s columns plus messages (an array of message rows).
Who: its paused agent, its reviewer (p_actor_agent_id) or an admin (p_admin).
Errors: GV404 DIALECTIC_SESSION_NOT_FOUND, then GV403 NOT_PARTICIPANT.
@nonnull *';
comment on function core.dialectic_list_sessions(pg_catalog.text,core.dialectic_status,core.dialectic_type,integer,pg_catalog.text) is 'Dialectic sessions newest first (created_at desc, id desc), filtered by participant (either role), status and type, at most p_limit (1..1000) a page.
Each row carries an opaque cursor (<created_at UTC to the microsecond>|<id>); pass the last row''s cursor as p_cursor for the next page.
Errors: GV400 INVALID_LIMIT / INVALID_CURSOR.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, cursor';
comment on function core.dialectic_message_content(core.dialectic_message_type,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,pg_catalog.jsonb,pg_catalog.jsonb,boolean) is 'The content a dialectic message signature covers, built from the message''s fields, as a JSON object.';
comment on function core.dialectic_message_signature(pg_catalog.text,pg_catalog.text,pg_catalog.jsonb) is 'The fingerprint of a dialectic message: sha256 (hex) of <session id>, newline, <agent id>, newline, <content as jsonb text>.
jsonb prints keys in a fixed order with fixed spacing, so any client can recompute it. It proves integrity, not identity: no key is involved.';
comment on function core.dialectic_phase_timeout(core.dialectic_phase) is 'How long an active dialectic phase waits for its submission; null for terminal phases.
The only place these values live: thesis and antithesis 2 hours, synthesis 1 hour.';
comment on function core.dialectic_request_review(pg_catalog.text,pg_catalog.text,core.dialectic_type,pg_catalog.text,pg_catalog.text,integer,pg_catalog.text,pg_catalog.text,boolean) is 'Opens a dialectic review for a paused agent and returns the new session (phase thesis).
The reviewer is p_reviewer_agent_id when given (it must be eligible, core.dialectic_reviewer_candidates), otherwise the eligible agent with the most recent activity (ties: smallest id). Who: the paused agent itself (p_actor_agent_id) or an admin (p_admin).
Errors: GV400 INVALID_SESSION_TYPE / INVALID_MAX_SYNTHESIS_ROUNDS / TEXT_TOO_LONG; GV403 NOT_SELF; GV404 AGENT_NOT_FOUND / REVIEWER_NOT_FOUND; GV409 DIALECTIC_SESSION_EXISTS; GV422 AGENT_NOT_PAUSED / REVIEWER_IS_PAUSED_AGENT / REVIEWER_NOT_ELIGIBLE / NO_ELIGIBLE_REVIEWER.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';
comment on function core.dialectic_reviewer_candidates(pg_catalog.text) is 'Every agent other than p_paused_agent_id with the facts the reviewer rule looks at, and whether it is eligible to review that agent.
Eligible: status active, in no active session (either role), and not the reviewer of a session with this paused agent created or changed in the last 24 hours. active_session_id is one active session of the agent, or null.
@nonnull agent_id, status, reviewed_recently, eligible';
comment on function core.dialectic_submit_antithesis(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.jsonb,pg_catalog.jsonb,pg_catalog.jsonb) is 'The reviewer answers with its reasoning and concerns; phase antithesis -> synthesis. Returns the session.
p_concerns, p_proposed_conditions: JSON arrays; p_observed_metrics: JSON object. Errors: those of core.dialectic_submit_message.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';
comment on function core.dialectic_submit_message(pg_catalog.text,pg_catalog.text,core.dialectic_message_type,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,pg_catalog.jsonb,pg_catalog.jsonb,boolean) is 'Records one message of a dialectic participant and advances the session; returns the session after the change.
The role is checked before the phase. Called by the submit_thesis, submit_antithesis and submit_synthesis functions.
Errors: GV400 INVALID_DIALECTIC_MESSAGE; GV403 DIALECTIC_WRONG_ROLE when the agent may never submit this message type; GV404 DIALECTIC_SESSION_NOT_FOUND / AGENT_NOT_FOUND; GV422 DIALECTIC_WRONG_PHASE (the right agent at the wrong time; names the current phase), DIALECTIC_DEADLINE_PASSED, DIALECTIC_SESSION_CLOSED.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';
comment on function core.dialectic_submit_synthesis(pg_catalog.text,pg_catalog.text,boolean,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,pg_catalog.jsonb) is 'Either participant proposes conditions and says whether it agrees; returns the session.
When the latest synthesis of both participants agrees the session resolves; when the round limit is reached without agreement it escalates. Errors: those of core.dialectic_submit_message.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';
comment on function core.dialectic_submit_thesis(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,pg_catalog.jsonb) is 'The paused agent states what went wrong and proposes conditions; phase thesis -> antithesis. Returns the session.
p_proposed_conditions: JSON array; p_observed_metrics: JSON object. Errors: those of core.dialectic_submit_message.
@nonnull id, paused_agent_id, session_type, phase, status, synthesis_round, max_synthesis_rounds, created_at, updated_at, origin, anomalies';
comment on function core.eisv_assess(double precision,double precision,double precision,double precision,double precision) is 'The derived quantities of an EISV state: coherence, risk in [0, 1], phi, verdict, health status and decision (one-row form of core.eisv_assess_rows).';
comment on function core.eisv_assess_rows(double precision,double precision,double precision,double precision,double precision) is 'The derived quantities of an EISV state as a one-row SELECT (inlined into the caller''s query): coherence, risk in [0, 1], phi, verdict, health status and decision.
Decision rule: health gives the base decision (healthy proceed, moderate guide, critical pause); a high-risk verdict escalates it one level. A null drift counts as 0.';
comment on function core.eisv_coherence(double precision) is 'Coherence C(V) = Cmax * (1 + tanh(C1 * V)) / 2 of a void value V (docs/eisv.md). Strict: null for null.';
comment on function core.eisv_constants() is 'Every constant of the EISV model, typed (docs/eisv.md); one row.
Changing a value here changes the dynamics for every caller; record the change in docs/eisv.md.
@nonnull *';
comment on function core.eisv_drift(pg_catalog.jsonb,double precision,double precision,integer,double precision[]) is 'Drift of the reported signals (the one-row form of core.eisv_drift_rows, which documents the columns).
drift_norm in [0, 1]; drift_source reported or baseline; baseline: the updated running baseline as JSON.';
comment on function core.eisv_drift_rows(pg_catalog.jsonb,double precision,double precision,integer,double precision[]) is 'Drift of the reported signals as a one-row SELECT (inlined into the caller''s query); core.eisv_drift is its one-row wrapper.
drift_components: the vector the caller reports (each in [-1, 1]) or, when none is reported, the deviation of (confidence, complexity, length signal) from the agent''s running baseline. drift_norm: root-mean-square of the components, in [0, 1]. drift_source: reported or baseline. baseline: the exponential moving average updated with this report (the first report sets it, so it has no drift).';
comment on function core.eisv_params() is 'Every constant of the EISV model as one JSON object (the same row as core.eisv_constants(); docs/eisv.md).
@nonnull *';
comment on function core.eisv_step(double precision,double precision,double precision,double precision,double precision,double precision) is 'One Euler step of the EISV dynamics with clipping, plus coherence, risk, phi, regime, verdict, health and decision of the new state (pure; one-row form of core.eisv_step_rows, which documents the regimes).';
comment on function core.eisv_step_rows(double precision,double precision,double precision,double precision,double precision,double precision) is 'One Euler step of the EISV dynamics as a one-row SELECT: derivatives from the old state, clipping, the assessment of the new state and the regime of the step.
Regime: STABLE (every change of E, I, S, V below regime_epsilon), DIVERGENCE (S rises while I falls), CONVERGENCE (S falls or holds), EXPLORATION (S rises while I holds or rises).';
comment on function core.get_agent(pg_catalog.text) is 'One agent by id, including deleted ones (their status says so); never the API key hash.
Times are timestamptz; paused_at, archived_at, deleted_at and last_activity_at are null until they happen. update_count and last_activity_at come from core.agent_activity.
Errors: GV404 AGENT_NOT_FOUND.
@nonnull id, status, notes, tags, metadata, update_count, created_at, updated_at';
comment on function core.get_agent_state(pg_catalog.text) is 'The latest EISV state of an agent.
An agent without reports gets the initial state as seq 0, regime INITIAL, health unknown, no decision and no recorded_at.
Errors: GV404 AGENT_NOT_FOUND.
@nonnull seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, state';
comment on function core.guard_agent_status() is 'Trigger on core.agents (migration 000008): refuses a change of status or pause_hold_since not made through core.transition_agent.
core.transition_agent marks its update with the transaction setting govdb.status_change; the legacy importer holds the govdb.legacy_import advisory lock. Errors: GV422 STATUS_CHANGE_OUTSIDE_STATE_MACHINE.';
comment on function core.health_snapshot() is 'Cheap reads behind GET /health and the health_check tool, in one round trip.
graph_present: the AGE graph exists; discoveries / discovery_vertices: row and vertex counts (vertices null without the graph); calibration_bins / calibration_samples; mirror_rejects: audit lines the mirror could not load; last_mirror_reject: the newest one as {file_name, line_no, reason, recorded_at}, or null.
@nonnull graph_present, discoveries, calibration_bins, calibration_samples, mirror_rejects';
comment on function core.idempotency_claim(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,integer) is 'Claims an idempotency key (p_caller, p_request_id) for this transaction, or finds its stored result.
state new: claimed (result and secret null) - run the call, then core.idempotency_complete in the same transaction; state replay: result and encrypted secret as stored. A concurrent claim of the same key waits until the first transaction ends. An expired key is replaced. p_ttl_seconds: how long the key is kept.
Errors: GV400 for a malformed request_id (1-128 of letters, digits, _ . : -) or ttl; GV409 IDEMPOTENCY_KEY_REUSED for another tool or other arguments.
@nonnull state, created_at';
comment on function core.idempotency_complete(pg_catalog.text,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,integer) is 'Stores the result of a claimed idempotency key, in the same transaction as the claim and the tool''s writes.
p_secret_ciphertext: the encrypted secret of the result (an onboard''s API key) or null; kept p_secret_ttl_seconds, then erased by core.idempotency_sweep.
Errors: GV409 IDEMPOTENCY_NOT_CLAIMED when this transaction holds no open claim of the key.';
comment on function core.idempotency_sweep() is 'Erases idempotency secrets past their window and deletes expired keys; returns both counts.
@nonnull *';
comment on function core.import_agent_lifecycle_events(pg_catalog.jsonb) is 'Inserts a batch of legacy lifecycle events {agent_id, event, reason, actor, occurred_at, details}, deduplicated by details.import_key (sha256 of agent, legacy event, time, reason); one row of counts.
An event seen in several snapshots keeps the details of the first source file in name order.
@nonnull *';
comment on function core.import_agent_parents(pg_catalog.jsonb) is 'Sets parent_agent_id (and spawn_reason) from a batch of links {child_id, parent_id, spawn_reason}, applied after every agent of the run exists.
One row per distinct child: outcome is linked, already_linked, dangling_parent (the parent is no agent: the child keeps no parent) or missing_child (the child is no agent).
@nonnull outcome';
comment on function core.import_agent_states(pg_catalog.jsonb,pg_catalog.text) is 'Inserts a batch of legacy EISV state rows (core.agent_state-shaped, state.import_key required), deduplicated per agent by state.import_key (agent, raw timestamp or position, values); one row of counts.
A record without a time of its own (recorded_at null) is placed derive_steps microseconds before its agent''s last update and flagged recorded_at_derived. New rows get seq = max(seq) + rank by time; core.import_settle() renumbers agents whose whole history is legacy. A row seen in several snapshots keeps the copy of the first source file in name order. Unknown agents become placeholders attributed to p_source.
Errors: GV422 IMPORT_STATE_NO_TIME when a record has neither a time nor an agent to derive one from, or no import_key.
@nonnull *';
comment on function core.import_agents(pg_catalog.jsonb) is 'Upserts a batch of normalised legacy agents (p_records: jsonb array of core.agents-shaped records plus evidence_at and import_rank); returns one row of counts.
Within the batch and against stored legacy rows the version with the most evidence wins (docs/import.md "Merge rule"): the newest updated_at, then the latest lifecycle evidence, then the content rank. The winner''s update_count and last_activity_at go to core.agent_activity; a replaced agent keeps its native updates since the import on top (count of its live core.agent_state rows, latest time). A placeholder always yields to a real record; a live (non-legacy) agent is never overwritten. inserted / updated / already_present count distinct ids.
Tags are normalised with core.normalize_tags (sorted, as onboard stores them); when that changed the list, the legacy list is kept whole in metadata.legacy_tags.
Errors: GV400 IMPORT_BATCH_NOT_ARRAY when p_records is not a jsonb array; GV400 INVALID_TAGS naming the first agent (by id) with more than 64 distinct tags (the whole batch is refused).
@nonnull *';
comment on function core.import_calibration_bins(pg_catalog.jsonb) is 'Inserts a batch of calibration bins {version, bin_lower, bin_upper, count, predicted_correct, actual_correct, confidence_sum, updated_at}; one row of counts.
A bin that already holds different values is not overwritten but returned in conflicts ([{version, bin_lower}]): two legacy sources disagree and a person must choose.
@nonnull *';
comment on function core.import_consistency_check() is 'Contradictions among imported (origin legacy) rows; the import fails when there is any. One row per contradiction, ordered by kind and subject (an agent or dialectic session id):
agent_status_vs_events: the last archived/resumed/deleted event disagrees with the status;
agent_archived_at_vs_status: archived_at set, no later resumed event, status neither archived nor deleted;
dialectic_phase_vs_status: phase and status disagree, or a resolution that no phase or anomaly explains.
@nonnull *';
comment on function core.import_dialectic_sessions(pg_catalog.jsonb,pg_catalog.text) is 'Upserts a batch of legacy dialectic sessions, each with its messages (records carry messages: [{seq, message_type, agent_id, ...}]); one row of counts for sessions and messages.
A stored legacy session is replaced only by a newer updated_at (then the higher import_rank); messages follow the version that won. dangling_discovery_sessions lists the ids of sessions whose discovery_id names no discovery: they are kept with discovery_id null. Unknown agents become placeholders attributed to p_source.
@nonnull *';
comment on function core.import_last_status_event(pg_catalog.text) is 'The status event that speaks last for an agent: its latest archived, resumed or deleted lifecycle event (at equal times deleted, then archived, win); no row when it has none.
@nonnull *';
comment on function core.import_placeholder_agents(pg_catalog.text[],timestamp with time zone[],pg_catalog.text) is 'Creates a placeholder agent (origin legacy, metadata.placeholder true) for each referenced id that is not an agent yet; returns how many were created.
p_times[i] is when p_ids[i] was referenced (null: unknown). A placeholder''s created_at is its earliest reference and its updated_at its latest, and metadata.source the first source in name order, so the result does not depend on which file referenced it first. An id that breaks today''s id format is kept, with the anomaly agent_id_format; one never dated gets created_at_unknown.
@nonnull *';
comment on function core.import_sessions(pg_catalog.jsonb,pg_catalog.text) is 'Upserts a batch of legacy sessions {session_id, agent_id, client_type, metadata, created_at, last_active_at, expires_at}; one row of counts.
A stored session is replaced only by a later last_active_at. Unknown agents become placeholders attributed to p_source (the source file), counted in placeholders.
@nonnull *';
comment on function core.import_settle() is 'After every batch is in: each legacy agent ends with the status its lifecycle evidence supports (docs/import.md "Merge rule"), flagged status_from_lifecycle_evidence with the snapshot''s status kept in metadata.legacy_status; agents whose whole state history is legacy get seq renumbered by (recorded_at, import_key), so the result does not depend on the order the files were read in.
One row: agents_settled (agents whose status changed), states_renumbered (state rows whose seq changed).
@nonnull *';
comment on function core.import_table_counts() is 'Row counts of every destination of the import, one row per entity (agents, placeholder_agents, lifecycle_events with an import_key, parent_links, sessions, agent_states, dialectic_sessions, dialectic_messages, calibration_bins, discoveries, discovery_tags, discovery_edges, distinct_tags, edges_<edge type>, and audit_events / tool_usage with source legacy-import).
@nonnull *';
comment on function core.import_try_lock() is 'Takes the session-level advisory lock that keeps two legacy imports from interleaving; false when another session holds it.
@nonnull *';
comment on function core.import_unlock() is 'Releases the legacy import lock taken by core.import_try_lock(); false when this session did not hold it.
@nonnull *';
comment on function core.ledger_items() is 'The latest applied ledger item of each file, one row per (kind, file), ordered by kind and file.
version is null for Cypher and function files.
@nonnull kind, file, name, checksum, applied_at';
comment on function core.list_agent_sessions(pg_catalog.text) is 'Live session bindings of one agent, most recently active first.
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';
comment on function core.list_agents(pg_catalog.text,pg_catalog.text,pg_catalog.text,boolean,integer,integer) is 'Agents newest first (created_at desc, id), filtered by status, tag and parent; one page of p_limit (1..1000) rows from p_offset.
Deleted agents appear only when asked for by status (deleted) or with p_include_deleted. The tag filter is lower-cased and trimmed like stored tags.
Errors: GV400 INVALID_FILTER listing every problem.
@nonnull id, status, tags, update_count, created_at';
comment on function core.lookup_session(pg_catalog.text,bigint) is 'Resolves a live session binding and slides its durable expiry to at least now() + p_ttl_ms milliseconds.
No row when the session is unknown or expired. Errors: GV400 SESSION_TTL_INVALID.
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';
comment on function core.normalize_tags(pg_catalog.text[],boolean) is 'Tags as stored: each cleaned by core.clean_tag (invisible characters removed, control characters to spaces, NFC, trimmed of white space, lower-cased), blank and null tags dropped, duplicates removed.
Order: first-seen (the position of the first tag that normalises to it) unless p_sorted, then sorted by the database collation. Idempotent. A null or empty array gives an empty array. Limits are the caller''s (core.check_agent_tags, knowledge.discovery_tag_problems, the legacy importers).
@nonnull *';
comment on function core.onboard_agent(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text[],pg_catalog.text,pg_catalog.text,pg_catalog.jsonb,pg_catalog.text,bigint,pg_catalog.text,pg_catalog.text,boolean) is 'Creates an agent and returns its API key, the only time the key exists outside the caller.
agent_id is generated (a UUID) unless given (1-128 characters of letters, digits and _ . : @ + -). Labels are trimmed ('''' means none) and unique among non-deleted agents ignoring case; tags are normalised (core.check_agent_tags). The key is gvk_ + 64 hex characters; only its sha256 is stored.
With p_parent_agent_id it is a spawn: parent link, spawn reason, a spawned lifecycle event and a SPAWNED edge; the parent must be able to write. With p_session_id the session is bound to the new agent for p_session_ttl_ms milliseconds (core.bind_session); session_id and session_expires_at are null otherwise.
Errors: GV400 INVALID_AGENT / INVALID_TAGS listing every problem; GV404 PARENT_NOT_FOUND; GV409 AGENT_EXISTS or LABEL_TAKEN; GV423 when the parent cannot write or the label belonged to an agent deleted under a pause hold (unless p_admin).
@nonnull agent_id, api_key, status, tags, created_at';
comment on function core.process_agent_update(pg_catalog.text,double precision,double precision,integer,pg_catalog.text,pg_catalog.text,double precision[],boolean) is 'The storage side of process_agent_update, one call = one transaction: validates the report, advances the agent''s EISV state one step, appends one core.agent_state row (seq = previous + 1) and bumps update_count and last_activity_at (core.agent_activity; the agent row is locked, not rewritten).
Inputs: complexity and confidence in [0, 1], response length in characters (or the text), optional task type and reported drift components. Accepted from active and waiting_input agents. With p_apply_pause a pause decision also pauses the agent (core.transition_agent, actor governance) in the same transaction; agent_status is the status after the call.
Errors: GV400 INVALID_UPDATE; GV404 AGENT_NOT_FOUND; GV423 AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED.
@nonnull seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, health_status, decision, update_count, agent_status, recorded_at';
comment on function core.project_agent(pg_catalog.text) is 'Creates or updates the AGE vertex Agent {id, label, status} of one agent from core.agents.
Errors: GV404 AGENT_NOT_FOUND for an unknown id.';
comment on function core.record_sql_migration() is 'Trigger on graphile_migrate.migrations (migration 000001): writes the ledger row (core.schema_migrations) of each applied SQL migration in the same transaction, also when the graphile-migrate CLI is run directly.';
comment on function core.require_active_actor(pg_catalog.text,pg_catalog.text) is 'The acting agent row, locked FOR SHARE, after core.check_actor_status.
The lock orders a concurrent status change with the caller''s transaction. Errors: GV404 AGENT_NOT_FOUND for an unknown id; GV423 AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED when the agent cannot write.
@nonnull id, status, notes, tags, metadata, update_count, created_at, updated_at, origin, anomalies';
comment on function core.resume_agent_after_review(pg_catalog.text,pg_catalog.text,pg_catalog.text) is 'The dashboard operator''s "resume after review", in one transaction: the agent must be paused and its latest dialectic review (as the paused agent; newest created_at) resolved with resolution.action = resume; then core.transition_agent makes it active on the admin''s authority. review_id is that review. p_reason defaults to "resumed from the dashboard after review <id>".
Errors: GV404 AGENT_NOT_FOUND; GV422 NOT_PAUSED, NO_RESUMING_REVIEW (naming the latest review and its status, or none); the errors of core.transition_agent.
@nonnull *';
comment on function core.rotate_api_key(pg_catalog.text,pg_catalog.text,boolean,pg_catalog.text) is 'Replaces an agent''s API key and returns the new one (the only time it exists outside the caller); the old key stops authenticating at commit.
Allowed for the agent itself (p_actor_agent_id, also while paused, so a leaked key can be replaced) or an admin (p_admin); never for a deleted agent, and an archived one only by an admin. Records an updated lifecycle event.
Errors: GV400 INVALID_INPUT (reason over 4000 characters); GV403 NOT_SELF; GV404 AGENT_NOT_FOUND; GV423 AGENT_DELETED / AGENT_ARCHIVED.
@nonnull *';
comment on function core.schema_version() is 'The highest applied SQL migration version; null on a database without migrations.';
comment on function core.spawn_agent(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text[],pg_catalog.jsonb,pg_catalog.text) is 'Spawns a child agent of p_parent_agent_id (core.onboard_agent with a parent); the spawn reason is required.
The actor recorded on the spawned event defaults to the parent. Returns the new agent and its API key (the only time it exists outside the caller).
Errors: GV400 INVALID_SPAWN without parent or reason, and every error of core.onboard_agent.
@nonnull agent_id, api_key, status, tags, parent_agent_id, created_at';
comment on function core.transition_agent(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text) is 'The one function that changes an agent''s status (resume = to active), in the caller''s transaction.
The change must be a row of core.agent_status_transitions for p_authority: self (p_actor_agent_id is the agent), reviewer (p_review_id is a resolved dialectic review of this agent not yet used for a resume), admin (the caller checked the admin token) or system (governance decisions in other stored functions). Records one lifecycle event and updates the AGE vertex; deleting also ends the agent''s durable sessions. changed_at is the transaction time.
Errors: GV400 INVALID_STATUS / INVALID_AUTHORITY / INVALID_TRANSITION (reason over 4000 or actor over 256 characters); GV403 NOT_SELF, REVIEW_NOT_RESOLVED, TRANSITION_NOT_PERMITTED (another authority could make it; the hint names which); GV404 AGENT_NOT_FOUND; GV422 INVALID_TRANSITION when nobody can; GV423 AGENT_PAUSED when a pause hold blocks it.
@nonnull *';
comment on function core.trim_tag(pg_catalog.text) is 'One tag without its leading and trailing white space (the set String.prototype.trim removes: ASCII white space, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF). Null for null.';
comment on function core.unbind_session(pg_catalog.text) is 'Removes a session binding and returns the removed row (no row when there was nothing to remove).
@nonnull session_id, agent_id, metadata, created_at, last_active_at, expires_at';
comment on function core.update_agent(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text[],pg_catalog.text,pg_catalog.text) is 'Updates label, purpose, notes and tags of an agent and records one updated lifecycle event naming the changed fields.
null leaves a field as it is; '''' clears label or purpose and empties notes; ''{}'' empties tags. changed lists the fields that changed (empty when nothing did; then nothing is written). Limits: label 200, purpose 4000, notes 20000, reason 4000, actor 256 characters.
Errors: GV400 NOTHING_TO_UPDATE / INVALID_AGENT / INVALID_TAGS; GV404 AGENT_NOT_FOUND; GV409 LABEL_TAKEN; GV423 when the agent cannot write.
@nonnull agent_id, notes, tags, changed, updated_at';
comment on function knowledge.add_discovery_note(pg_catalog.text,pg_catalog.text,pg_catalog.text) is 'Leaves a note on a discovery and returns it (notes are not projected into the graph).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND / AGENT_NOT_FOUND; GV423 when the agent cannot write.
@nonnull *';
comment on function knowledge.agent_provenance(pg_catalog.text) is 'The author''s latest EISV snapshot (highest seq in core.agent_state) as a JSON object; {} when it has none.
@nonnull *';
comment on function knowledge.discovery_stats(integer) is 'Discovery counts by dimension: total (keys discoveries, tags, edges, notes), type, status, severity (none for no severity), and the p_top (1..1000) most used tag and most active agent.
Errors: GV400 INVALID_INPUT.
@nonnull *';
comment on function knowledge.discovery_tag_problems(pg_catalog.text[]) is 'The limits of a discovery''s normalised tag list (core.normalize_tags): at most 64 tags, each at most 100 characters. Returns one message per problem (empty when the list is within the limits), for knowledge.store_discovery and knowledge.import_discoveries.
@nonnull *';
comment on function knowledge.get_discovery(pg_catalog.text,integer) is 'A discovery with its response chain.
relation self (depth 0), ancestor (depth 1 = the discovery it responds to, 2 = that one''s target, ...; at most p_max_depth, 0..1000) and response (direct responses, depth 1, oldest first).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull relation, depth, id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';
comment on function knowledge.grant_graph_reader() is 'Grants govdb_graph_reader (the role graph_query runs under) read access to ag_catalog and the graph schema, and makes the current role a member.
Run by this file; call it again after a Cypher migration adds a label.';
comment on function knowledge.graph_actual_edges() is 'The edges of the AGE graph (label, src_id, dst_id, kind, props), read through Cypher, for comparison with knowledge.graph_expected_edges.';
comment on function knowledge.graph_actual_vertices() is 'The vertices of the AGE graph (label, id, props), read through Cypher, for comparison with knowledge.graph_expected_vertices.';
comment on function knowledge.graph_add_discovery(pg_catalog.text) is 'Projects a discovery that was just inserted into the AGE graph: its vertex, AUTHORED and TAGGED edges.
Its Discovery-to-Discovery edges are projected by the caller with knowledge.graph_put_edge.';
comment on function knowledge.graph_edge_key(pg_catalog.text,pg_catalog.text,pg_catalog.text) is 'The comparison key of an edge: src -> dst, or src -[kind]-> dst when kind is given; (no id) stands in for a missing end.
@nonnull *';
comment on function knowledge.graph_edge_props(knowledge.edge_type,double precision,knowledge.response_type) is 'The properties (JSON object) a projected Discovery-to-Discovery edge carries, by relational edge type.';
comment on function knowledge.graph_ensure_agent(pg_catalog.text) is 'Makes sure one AGE Agent vertex exists for p_agent_id.
The agents functions create it on onboarding; agents loaded without one (a bulk import) get it on their first knowledge write.';
comment on function knowledge.graph_ensure_tags(pg_catalog.text[]) is 'Makes sure one AGE Tag vertex exists per tag (tags already normalised).
Locks are taken in sorted order, so two writers with overlapping tag sets cannot deadlock.';
comment on function knowledge.graph_expected_edges() is 'The AGE edges the relational tables call for.
kind is part of an edge''s identity (RELATED_TO only); props is compared where not null; create_props is what graph_rebuild writes for a missing edge.';
comment on function knowledge.graph_expected_vertices() is 'The AGE vertices the relational tables call for (Agent, Discovery, Tag).
props is compared only where not null (Discovery); create_props is what graph_rebuild writes for a missing vertex.';
comment on function knowledge.graph_put_edge(pg_catalog.text,pg_catalog.text,knowledge.edge_type,double precision,knowledge.response_type) is 'Creates, or updates the properties of, the projected AGE edge of one relational discovery edge.
related_to, disputes and extends become RELATED_TO {kind}; responds_to RESPONDS_TO; supersedes SUPERSEDES. The caller holds the relational row, which serializes writers of the same edge.';
comment on function knowledge.graph_rebuild() is 'Re-projects the relational tables into the AGE graph and returns what it changed per element and label (deleted, created, updated counts).
It repairs rather than wipes: right vertices keep their graph ids, extra and duplicate vertices are removed with their edges, stale properties are rewritten, missing elements are created. Writers are blocked for its duration; readers are not.';
comment on function knowledge.graph_related_ids(pg_catalog.text,integer) is 'The Cypher half of related_discoveries: ids within p_max_hops (1..3) of p_id in the AGE graph, each with its shortest distance.
Errors: GV400 INVALID_INPUT for another hop count.
@nonnull *';
comment on function knowledge.graph_set_discovery_props(pg_catalog.text) is 'Copies type, status and severity of a discovery onto its AGE vertex (after a status change or supersede).';
comment on function knowledge.graph_verify() is 'knowledge.graph_verify_sampled with samples of 20 keys (the legacy importer calls it).
One row per element and label. A key is the id (vertices) or src -> dst (src -[kind]-> dst for RELATED_TO). missing: expected but not in the graph; extra: in the graph but not expected; duplicate_count: graph elements beyond the first with the same key; stale: present with other properties. Counts are exact; id lists are sorted samples; ok when nothing is missing, extra, duplicate or stale.
@nonnull *';
comment on function knowledge.graph_verify_sampled(integer) is 'Compares the relational tables with the AGE projection, with id samples of at most p_sample_limit keys.
One row per element and label. A key is the id (vertices) or src -> dst (src -[kind]-> dst for RELATED_TO). missing: expected but not in the graph; extra: in the graph but not expected; duplicate_count: graph elements beyond the first with the same key; stale: present with other properties. Counts are exact; id lists are sorted samples; ok when nothing is missing, extra, duplicate or stale.
@nonnull *';
comment on function knowledge.import_discoveries(pg_catalog.jsonb,pg_catalog.text) is 'Upserts a batch of legacy discoveries with their tags; one row of counts for discoveries and tags.
Records carry the legacy tag list as it was: it is normalised with core.normalize_tags (first-seen order) and, when that changed it, kept whole in provenance.legacy_tags. tags_read counts the normalised tags of every record of the batch (repeated versions included).
A stored discovery is replaced by a strictly newer updated_at, or at the same updated_at by a higher import_rank between two imported versions whose content differs; the tags of a replaced discovery follow the new version exactly (tags_removed). response_to / superseded_by are set by knowledge.import_discovery_links once every discovery of the run exists. Unknown agents become placeholders attributed to p_source.
Errors: GV400 INVALID_TAGS naming the first record (by id) whose normalised tags break the limits of knowledge.discovery_tag_problems; the whole batch is refused.
@nonnull *';
comment on function knowledge.import_discovery_links(pg_catalog.jsonb,pg_catalog.text) is 'Inserts a batch of edges between discoveries {src_id, dst_id, edge_type, response_type, weight, created_by, created_at, metadata} and sets the response_to / superseded_by columns they imply.
One row per distinct (src_id, dst_id, edge_type): outcome inserted, already_present, dangling_src or dangling_dst (an end is no discovery: not stored). placeholders (the same on every row) counts agents created for unknown created_by ids.
@nonnull *';
comment on function knowledge.import_graph_counts() is 'Vertex and edge counts per label in the AGE graph governance_graph: kind is vertex or edge; no rows when the graph does not exist.
@nonnull *';
comment on function knowledge.link_discoveries(pg_catalog.text,pg_catalog.text,pg_catalog.text,double precision,pg_catalog.text,pg_catalog.jsonb) is 'Links two discoveries with a typed edge (related_to, disputes, extends; projected as RELATED_TO with kind) and returns the edge.
Linking the same pair with the same type again updates weight and metadata (a JSON object).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND / AGENT_NOT_FOUND; GV423 when p_created_by cannot write.
@nonnull src_id, dst_id, edge_type, weight, created_at, metadata';
comment on function knowledge.list_discovery_notes(pg_catalog.text,integer) is 'The notes of a discovery, oldest first, at most p_limit (1..1000).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull *';
comment on function knowledge.new_discovery_id() is 'A new discovery id: kd_<UTC yyyymmddThhmmss>_<16 random hex>.
Legacy ids are ISO timestamps (they start with a digit), so the two never collide.
@nonnull *';
comment on function knowledge.raise_invalid(pg_catalog.text[],pg_catalog.text) is 'Raises GV400 INVALID_INPUT listing p_problems (joined with ; ) when there is any; returns otherwise.';
comment on function knowledge.related_discoveries(pg_catalog.text,integer,integer) is 'Discoveries within p_max_hops (1..3) of p_id over RELATED_TO, RESPONDS_TO and SUPERSEDES edges in either direction, nearest first, at most p_limit (1..500).
hops is the shortest distance found (knowledge.graph_related_ids).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull *';
comment on function knowledge.require_agent(pg_catalog.text,pg_catalog.text) is 'The agent that writes knowledge, locked FOR SHARE: it must exist and be able to write now (core.require_active_actor).
Errors: GV404 AGENT_NOT_FOUND; GV423 AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED.
@nonnull id, status, notes, tags, metadata, update_count, created_at, updated_at, origin, anomalies';
comment on function knowledge.require_discovery(pg_catalog.text,pg_catalog.text,boolean) is 'A discovery that must exist (locked FOR UPDATE with p_lock).
Errors: GV404 DISCOVERY_NOT_FOUND naming p_role, with a hint naming the closest existing id when one is close.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';
comment on function knowledge.search_discoveries(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text[],pg_catalog.text,timestamp with time zone,timestamp with time zone,integer) is 'Searches discoveries: full text with websearch syntax (quoted phrase, -exclusion, or) in tiers, a fuzzy fallback, or, without a query, a filtered list newest first.
Tier 1: the query matches the summary (rank >= 1); tier 2, only when tier 1 found fewer than the limit: summary + details match (rank < 1); each tier ranks its newest greatest(limit, 200) matches. Fallback, when the text search finds nothing and the query uses no operators: summaries sharing vocabulary words trigram-similar to a query word; rank = mean nearest similarity. match says which answered (fulltext, trigram, filter). Filters: agent, type, tags (all of them), status, created_at in [since, until). details_excerpt: the first 500 characters.
Errors: GV400 INVALID_INPUT listing every problem.
@nonnull id, agent_id, discovery_type, status, summary, details_excerpt, tags, created_at, updated_at, match';
comment on function knowledge.similar_discoveries(pg_catalog.text,integer) is 'Discoveries sharing tags with p_id, most shared tags first, at most p_limit (1..500).
shared_tags sorted; score: the Jaccard index of the two tag sets, in (0, 1].
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull *';
comment on function knowledge.store_discoveries(pg_catalog.jsonb) is 'Stores a JSON array of discoveries in order, all or nothing, and returns the stored rows.
Each item is an object with the keys of store_discovery without the p_ prefix (type is accepted for discovery_type); later items may respond to or relate to earlier ones. Errors: those of store_discovery, naming the item index.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';
comment on function knowledge.store_discovery(pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text,pg_catalog.text[],pg_catalog.text,pg_catalog.text[],pg_catalog.text,pg_catalog.text,pg_catalog.text[],double precision,pg_catalog.text) is 'Stores one discovery with its tags, response link and related links, projects it into the AGE graph and returns the stored row.
Tags are normalised (core.normalize_tags, first-seen order kept). p_id is optional (import, idempotent retries). The author must be able to write.
Errors: GV400 INVALID_INPUT listing every problem; GV404 AGENT_NOT_FOUND / DISCOVERY_NOT_FOUND (a linked discovery); GV409 DISCOVERY_EXISTS; GV423 when the author cannot write.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';
comment on function knowledge.summary_words_capture() is 'Statement trigger on knowledge.discoveries (migration 000010): adds the words of new and changed summaries (lower-cased, split on non-alphanumerics, at most 64 characters) to the search vocabulary knowledge.summary_words.';
comment on function knowledge.supersede_discovery(pg_catalog.text,pg_catalog.text,pg_catalog.text,boolean) is 'Marks p_old_id as superseded by p_new_id and returns the old discovery: superseded_by = new, status archived, a supersedes edge new -> old (SUPERSEDES in the graph).
Repeating the same call is a no-op. Who: the author of the superseding discovery (p_agent_id) or an admin (p_admin).
Errors: GV400 INVALID_INPUT; GV403 NOT_AUTHOR; GV404 DISCOVERY_NOT_FOUND; GV409 ALREADY_SUPERSEDED (by another discovery); GV422 SUPERSEDE_CYCLE; GV423 when the actor cannot write.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';
comment on function knowledge.tsquery_phrase_pairs(pg_catalog.tsquery) is 'The adjacent lexeme pairs (''a b'') of a query that is one phrase of plain lexemes, as knowledge.tsv_bigrams writes them; null for any other query.';
comment on function knowledge.tsv_bigrams(pg_catalog.tsvector) is 'The distinct adjacent-lexeme pairs of a tsvector (''a b'': b at the position after a), sorted; the phrase index of search is GIN on tsv_bigrams(summary_vector).';
comment on function knowledge.update_discovery_status(pg_catalog.text,pg_catalog.text,pg_catalog.text,boolean) is 'Sets a discovery''s status (open, resolved, archived, disputed) and returns the row.
resolved stamps resolved_at (kept when later archived); open and disputed clear it; a superseded discovery stays archived; the current status again changes nothing. Who: the author (p_actor_agent_id) or an admin (p_admin); any other writing agent may only mark it disputed.
Errors: GV400 INVALID_INPUT; GV403 NOT_AUTHOR; GV404 DISCOVERY_NOT_FOUND; GV422 DISCOVERY_SUPERSEDED; GV423 when the actor cannot write.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';
comment on function knowledge.vocabulary_matches(pg_catalog.text) is 'The words of the summary vocabulary (knowledge.summary_words) near the words of a query.
query_word: the word''s position among the query''s first 16 distinct words; similarity: trigram similarity in [0, 1]. Per query word: the 5 nearest with similarity >= 0.3, and up to 50 that contain it when it has 3+ characters.
@nonnull *';
comment on schema public is 'standard public schema';
comment on table column core.agents.last_activity_at is 'Superseded by core.agent_activity.last_activity_at (migration agent_activity); frozen, to be dropped.';
comment on table column core.agents.pause_hold_since is 'Set when the agent was paused; kept through archive and delete; cleared only by a resume from a resolved review or an admin.';
comment on table column core.agents.update_count is 'Superseded by core.agent_activity.update_count (migration agent_activity); frozen, to be dropped.';
comment on table core.agent_activity is 'One row per agent (created with the agent): update_count, the number of EISV updates accepted (legacy agents: the legacy count plus the updates since the import), and last_activity_at, the time of the latest one (null before the first). Written by core.process_agent_update under the agent row''s lock, and by the legacy importer.';
comment on table core.agent_status_transitions is 'Allowed agent status changes and who may make them (docs/lifecycle.md). when_held: allowed while a pause hold is on.';
comment on table core.schema_migrations is 'Every applied ledger item. MAX(version) is the SQL schema version; cypher and function rows have no version.';

-- AGE graphs and labels
select ag_catalog.create_graph('governance_graph');
select ag_catalog.create_elabel('governance_graph', 'AUTHORED');
select ag_catalog.create_vlabel('governance_graph', 'Agent');
select ag_catalog.create_vlabel('governance_graph', 'DialecticSession');
select ag_catalog.create_vlabel('governance_graph', 'Discovery');
select ag_catalog.create_elabel('governance_graph', 'RELATED_TO');
select ag_catalog.create_elabel('governance_graph', 'RESPONDS_TO');
select ag_catalog.create_elabel('governance_graph', 'SPAWNED');
select ag_catalog.create_elabel('governance_graph', 'SUPERSEDES');
select ag_catalog.create_elabel('governance_graph', 'TAGGED');
select ag_catalog.create_vlabel('governance_graph', 'Tag');

--! Previous: -
--! Hash: sha1:62c532642113fcae164ff9c24087a1c4dfd1b48f
--! Message: initial_schema

-- Schema v1: the governance core and the audit trail.
-- Conventions: every time is timestamptz (sessions run with TimeZone=UTC); every status comes from
-- one enum per concept; API keys exist only as hashes.

create extension if not exists pgcrypto;
create extension if not exists pg_trgm;
create extension if not exists age;

create schema if not exists core;
create schema if not exists audit;

-- ---------------------------------------------------------------- vocabulary
create type core.migration_kind as enum ('sql', 'cypher', 'function');
create type core.agent_status as enum ('active', 'paused', 'waiting_input', 'archived', 'deleted');
create type core.health_status as enum ('healthy', 'moderate', 'critical', 'unknown');
create type core.verdict as enum ('safe', 'caution', 'high-risk');
create type core.decision as enum ('proceed', 'guide', 'pause');
create type core.lifecycle_event_type as enum (
  'created', 'spawned', 'updated', 'paused', 'resumed', 'waiting_input', 'archived', 'deleted', 'imported');
create type core.dialectic_phase as enum ('thesis', 'antithesis', 'synthesis', 'resolved', 'escalated', 'failed');
create type core.dialectic_status as enum ('active', 'resolved', 'escalated', 'failed');
create type core.dialectic_type as enum ('recovery', 'review', 'dispute');
create type core.dialectic_message_type as enum ('thesis', 'antithesis', 'synthesis', 'system');

-- ---------------------------------------------------------------- ledger
create table core.schema_migrations (
  id bigint generated always as identity primary key,
  version integer,
  name text not null,
  kind core.migration_kind not null,
  file text not null,
  checksum text not null,
  applied_at timestamptz not null default now(),
  execution_ms integer,
  applied_by text not null default current_user,
  constraint schema_migrations_version_only_for_sql check ((kind = 'sql') = (version is not null))
);
comment on table core.schema_migrations is
  'Every applied ledger item. MAX(version) is the SQL schema version; cypher and function rows have no version.';
create unique index schema_migrations_sql_version_key on core.schema_migrations (version) where kind = 'sql';
create unique index schema_migrations_versioned_file_key on core.schema_migrations (file) where kind <> 'function';
create index schema_migrations_kind_file_idx on core.schema_migrations (kind, file, applied_at desc);

-- graphile-migrate inserts one row into graphile_migrate.migrations inside the transaction of each
-- committed migration; this trigger writes our ledger row in that same transaction, so DBAs who run
-- the graphile-migrate CLI directly keep the ledger complete too.
create function core.record_sql_migration() returns trigger
language plpgsql as $$
declare
  v_version integer := substring(new.filename from '^([0-9]+)')::integer;
begin
  insert into core.schema_migrations (version, name, kind, file, checksum)
  values (
    v_version,
    coalesce(nullif(current_setting('govdb.migration_name', true), ''), 'migration_' || v_version),
    'sql',
    coalesce(nullif(current_setting('govdb.migration_file', true), ''), 'migrations/committed/' || new.filename),
    new.hash);
  return new;
end;
$$;
create trigger record_sql_migration after insert on graphile_migrate.migrations
  for each row execute function core.record_sql_migration();

-- ---------------------------------------------------------------- agents
create table core.agents (
  id text primary key,
  label text,
  status core.agent_status not null default 'active',
  purpose text,
  notes text not null default '',
  tags text[] not null default '{}',
  parent_agent_id text references core.agents (id) on delete restrict,
  spawn_reason text,
  api_key_hash text,
  metadata jsonb not null default '{}',
  update_count bigint not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  paused_at timestamptz,
  archived_at timestamptz,
  deleted_at timestamptz,
  last_activity_at timestamptz,
  constraint agents_id_format check (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]{0,127}$'),
  constraint agents_label_length check (label is null or char_length(label) between 1 and 200),
  constraint agents_purpose_length check (purpose is null or char_length(purpose) <= 4000),
  constraint agents_notes_length check (char_length(notes) <= 20000),
  constraint agents_tags_count check (cardinality(tags) <= 64),
  constraint agents_api_key_hash_format check (api_key_hash is null or api_key_hash ~ '^sha256:[0-9a-f]{64}$'),
  constraint agents_metadata_object check (jsonb_typeof(metadata) = 'object'),
  constraint agents_update_count_nonnegative check (update_count >= 0),
  constraint agents_not_own_parent check (parent_agent_id is distinct from id),
  constraint agents_deleted_has_time check ((status = 'deleted') = (deleted_at is not null)),
  constraint agents_archived_has_time check (status <> 'archived' or archived_at is not null)
);
-- a label names one live agent; deleted agents free their label
create unique index agents_label_live_key on core.agents (lower(label)) where status <> 'deleted' and label is not null;
create unique index agents_api_key_hash_key on core.agents (api_key_hash) where api_key_hash is not null;
create index agents_status_idx on core.agents (status, last_activity_at desc);
create index agents_parent_idx on core.agents (parent_agent_id) where parent_agent_id is not null;
create index agents_tags_idx on core.agents using gin (tags);

create table core.agent_lifecycle_events (
  id bigint generated always as identity primary key,
  agent_id text not null references core.agents (id) on delete cascade,
  event core.lifecycle_event_type not null,
  from_status core.agent_status,
  to_status core.agent_status,
  reason text,
  actor text,
  occurred_at timestamptz not null default now(),
  details jsonb not null default '{}',
  constraint lifecycle_reason_length check (reason is null or char_length(reason) <= 4000)
);
create index agent_lifecycle_events_agent_idx on core.agent_lifecycle_events (agent_id, occurred_at desc);

-- ---------------------------------------------------------------- sessions
create table core.sessions (
  session_id text primary key,
  agent_id text not null references core.agents (id) on delete cascade,
  client_type text,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  last_active_at timestamptz not null default now(),
  expires_at timestamptz not null,
  constraint sessions_id_length check (char_length(session_id) between 8 and 256),
  constraint sessions_expiry_after_creation check (expires_at > created_at)
);
create index sessions_agent_idx on core.sessions (agent_id, last_active_at desc);
create index sessions_expires_idx on core.sessions (expires_at);

-- ---------------------------------------------------------------- EISV state history
create table core.agent_state (
  id bigint generated always as identity primary key,
  agent_id text not null references core.agents (id) on delete cascade,
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
  state jsonb not null default '{}',
  recorded_at timestamptz not null default now(),
  constraint agent_state_energy_range check (energy between 0 and 1),
  constraint agent_state_information_range check (information between 0 and 1),
  constraint agent_state_entropy_range check (entropy between 0 and 2),
  constraint agent_state_void_range check (void between -2 and 2),
  constraint agent_state_coherence_range check (coherence between 0 and 1),
  constraint agent_state_risk_range check (risk between 0 and 1),
  constraint agent_state_regime_format check (regime ~ '^[A-Z_]{1,32}$'),
  constraint agent_state_object check (jsonb_typeof(state) = 'object'),
  constraint agent_state_seq_positive check (seq > 0)
);
-- one index serves "latest state per agent" (first row per agent) and ordered history scans
create unique index agent_state_agent_seq_key on core.agent_state (agent_id, seq desc);
create index agent_state_recorded_idx on core.agent_state (recorded_at);

-- ---------------------------------------------------------------- dialectic
create table core.dialectic_sessions (
  id text primary key default encode(gen_random_bytes(8), 'hex'),
  paused_agent_id text not null references core.agents (id),
  reviewer_agent_id text references core.agents (id),
  session_type core.dialectic_type not null default 'recovery',
  phase core.dialectic_phase not null default 'thesis',
  status core.dialectic_status not null default 'active',
  topic text,
  reason text,
  synthesis_round integer not null default 0,
  max_synthesis_rounds integer not null default 5,
  resolution jsonb,
  discovery_id text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  phase_deadline timestamptz,
  resolved_at timestamptz,
  constraint dialectic_reviewer_not_paused check (reviewer_agent_id is distinct from paused_agent_id),
  constraint dialectic_rounds_range check (synthesis_round >= 0 and max_synthesis_rounds between 1 and 50
    and synthesis_round <= max_synthesis_rounds + 1),
  -- phase and status always move together
  constraint dialectic_phase_matches_status check (
    (status = 'active' and phase in ('thesis', 'antithesis', 'synthesis'))
    or (status = 'resolved' and phase = 'resolved')
    or (status = 'escalated' and phase = 'escalated')
    or (status = 'failed' and phase = 'failed')),
  constraint dialectic_resolution_when_resolved check ((status = 'resolved') = (resolution is not null)),
  constraint dialectic_topic_length check (topic is null or char_length(topic) <= 2000)
);
create index dialectic_sessions_paused_idx on core.dialectic_sessions (paused_agent_id, created_at desc);
create index dialectic_sessions_reviewer_idx on core.dialectic_sessions (reviewer_agent_id, created_at desc);
create index dialectic_sessions_active_idx on core.dialectic_sessions (phase_deadline) where status = 'active';

create table core.dialectic_messages (
  id bigint generated always as identity primary key,
  session_id text not null references core.dialectic_sessions (id) on delete cascade,
  seq integer not null,
  message_type core.dialectic_message_type not null,
  agent_id text references core.agents (id),
  root_cause text,
  proposed_conditions jsonb not null default '[]',
  reasoning text,
  observed_metrics jsonb not null default '{}',
  concerns jsonb not null default '[]',
  agrees boolean,
  signature text,
  created_at timestamptz not null default now(),
  constraint dialectic_messages_seq_key unique (session_id, seq),
  constraint dialectic_messages_system_has_no_agent check ((message_type = 'system') = (agent_id is null)),
  constraint dialectic_messages_text_length check (
    char_length(coalesce(root_cause, '')) <= 20000 and char_length(coalesce(reasoning, '')) <= 20000),
  constraint dialectic_messages_conditions_array check (jsonb_typeof(proposed_conditions) = 'array'),
  constraint dialectic_messages_concerns_array check (jsonb_typeof(concerns) = 'array'),
  constraint dialectic_messages_metrics_object check (jsonb_typeof(observed_metrics) = 'object')
);

-- ---------------------------------------------------------------- calibration
-- one row per (version, bin); a new version is written whenever the bins are recomputed
create table core.calibration (
  version integer not null,
  bin_lower numeric(3, 2) not null,
  bin_upper numeric(3, 2) not null,
  count bigint not null default 0,
  predicted_correct double precision not null default 0,
  actual_correct double precision not null default 0,
  confidence_sum double precision not null default 0,
  updated_at timestamptz not null default now(),
  primary key (version, bin_lower),
  constraint calibration_bin_range check (bin_lower >= 0 and bin_upper <= 1 and bin_lower < bin_upper),
  constraint calibration_counts check (count >= 0 and predicted_correct >= 0 and actual_correct >= 0
    and actual_correct <= count and confidence_sum >= 0 and confidence_sum <= count)
);

create table core.ground_truth (
  decision_id text primary key,
  agent_id text references core.agents (id),
  decision core.decision,
  confidence double precision not null,
  predicted_correct boolean not null default true,
  actual_correct double precision,
  recorded_at timestamptz not null default now(),
  outcome_at timestamptz,
  details jsonb not null default '{}',
  constraint ground_truth_confidence_range check (confidence between 0 and 1),
  constraint ground_truth_actual_range check (actual_correct is null or actual_correct between 0 and 1),
  constraint ground_truth_outcome_has_time check ((actual_correct is null) = (outcome_at is null))
);
create index ground_truth_agent_idx on core.ground_truth (agent_id, recorded_at desc);

-- ---------------------------------------------------------------- audit (partitioned by month)
create table audit.events (
  id bigint generated always as identity,
  occurred_at timestamptz not null,
  agent_id text,
  session_id text,
  event_type text not null,
  confidence double precision,
  details jsonb not null default '{}',
  content_hash text not null,
  prev_hash text,
  source text not null default 'server',
  ingested_at timestamptz not null default now(),
  constraint events_event_type_format check (event_type ~ '^[a-z][a-z0-9_.:-]{0,63}$'),
  constraint events_confidence_range check (confidence is null or confidence between 0 and 1),
  constraint events_content_hash_format check (content_hash ~ '^[0-9a-f]{64}$'),
  primary key (occurred_at, id)
) partition by range (occurred_at);

-- uniqueness of the content hash across partitions: a partitioned unique index must include the
-- partition key, so the guarantee lives in this small keyed table written in the same statement
create table audit.event_hashes (
  content_hash text primary key,
  occurred_at timestamptz not null
);

create table audit.tool_usage (
  id bigint generated always as identity,
  occurred_at timestamptz not null,
  tool_name text not null,
  agent_id text,
  session_id text,
  latency_ms double precision,
  success boolean not null,
  error_code text,
  content_hash text not null,
  source text not null default 'server',
  constraint tool_usage_tool_name_format check (tool_name ~ '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$'),
  constraint tool_usage_latency_nonnegative check (latency_ms is null or latency_ms >= 0),
  constraint tool_usage_content_hash_format check (content_hash ~ '^[0-9a-f]{64}$'),
  primary key (occurred_at, id)
) partition by range (occurred_at);

create table audit.tool_usage_hashes (
  content_hash text primary key,
  occurred_at timestamptz not null
);

create table audit.events_default partition of audit.events default;
create table audit.tool_usage_default partition of audit.tool_usage default;

create index events_agent_time_idx on audit.events (agent_id, occurred_at desc);
create index events_type_time_idx on audit.events (event_type, occurred_at desc);
create index tool_usage_agent_time_idx on audit.tool_usage (agent_id, occurred_at desc);
create index tool_usage_tool_time_idx on audit.tool_usage (tool_name, occurred_at desc);

-- Creates monthly partitions from p_from's month through p_months ahead. Rows already sitting in the
-- default partition for such a month are moved into the new partition so creation never fails.
create function audit.ensure_partitions(p_from timestamptz default now(), p_months integer default 3)
returns setof text
language plpgsql as $$
declare
  v_parent text;
  v_month date;
  v_name text;
  v_next date;
begin
  foreach v_parent in array array['events', 'tool_usage'] loop
    for i in 0 .. p_months loop
      v_month := (date_trunc('month', p_from at time zone 'UTC') + make_interval(months => i))::date;
      v_next := (v_month + interval '1 month')::date;
      v_name := format('%s_%s', v_parent, to_char(v_month, 'YYYY_MM'));
      if to_regclass(format('audit.%I', v_name)) is null then
        execute format('create table audit.%I (like audit.%I including defaults including constraints)', v_name, v_parent);
        execute format(
          'with moved as (delete from audit.%I where occurred_at >= %L::timestamptz and occurred_at < %L::timestamptz returning *) '
          'insert into audit.%I overriding system value select * from moved',
          v_parent || '_default', v_month::text || ' 00:00:00+00', v_next::text || ' 00:00:00+00', v_name);
        execute format('alter table audit.%I attach partition audit.%I for values from (%L) to (%L)',
          v_parent, v_name, v_month::text || ' 00:00:00+00', v_next::text || ' 00:00:00+00');
        return next v_name;
      end if;
    end loop;
  end loop;
end;
$$;

-- Detaches and drops monthly partitions that end before now() - p_keep; the JSONL archive remains
-- the long-term record. Returns the dropped partition names.
create function audit.drop_partitions_older_than(p_keep interval)
returns setof text
language plpgsql as $$
declare
  r record;
begin
  for r in
    select c.relname as name, p.relname as parent
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    join pg_class p on p.oid = i.inhparent
    join pg_namespace n on n.oid = p.relnamespace
    where n.nspname = 'audit' and p.relname in ('events', 'tool_usage')
      and c.relname ~ '_[0-9]{4}_[0-9]{2}$'
      and (to_date(right(c.relname, 7), 'YYYY_MM') + interval '1 month') <= (now() at time zone 'UTC') - p_keep
  loop
    execute format('alter table audit.%I detach partition audit.%I', r.parent, r.name);
    execute format('drop table audit.%I', r.name);
    -- the dedup keys of dropped rows go too, so the month could be backfilled again from JSONL
    execute format('delete from audit.%I where occurred_at < %L::timestamptz',
      case r.parent when 'events' then 'event_hashes' else 'tool_usage_hashes' end,
      (to_date(right(r.name, 7), 'YYYY_MM') + interval '1 month')::date::text || ' 00:00:00+00');
    return next r.name;
  end loop;
end;
$$;

select audit.ensure_partitions(now(), 3);

--! Previous: sha1:62c532642113fcae164ff9c24087a1c4dfd1b48f
--! Hash: sha1:a50780d8864940d5f25fc59f4547941f3f0382d8
--! Message: knowledge_schema

-- Schema v2: the shared knowledge graph (relational, canonical). The AGE graph governance_graph is a
-- projection of these tables kept consistent by the stored functions in sql/functions/knowledge.sql.

create schema if not exists knowledge;

create type knowledge.discovery_status as enum ('open', 'resolved', 'archived', 'disputed');
create type knowledge.severity as enum ('low', 'medium', 'high', 'critical');
create type knowledge.edge_type as enum ('related_to', 'responds_to', 'supersedes', 'disputes', 'extends');
create type knowledge.response_type as enum ('extend', 'question', 'disagree', 'support', 'answer');

create table knowledge.discoveries (
  id text primary key,
  agent_id text not null references core.agents (id),
  discovery_type text not null,
  severity knowledge.severity,
  status knowledge.discovery_status not null default 'open',
  summary text not null,
  details text not null default '',
  tags text[] not null default '{}',
  references_files text[] not null default '{}',
  response_to text references knowledge.discoveries (id),
  response_type knowledge.response_type,
  superseded_by text references knowledge.discoveries (id),
  confidence double precision,
  provenance jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  resolved_at timestamptz,
  search_vector tsvector generated always as (
    setweight(to_tsvector('english', coalesce(summary, '')), 'A')
    || setweight(to_tsvector('english', left(coalesce(details, ''), 100000)), 'B')) stored,
  constraint discoveries_id_format check (id ~ '^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$'),
  constraint discoveries_type_format check (discovery_type ~ '^[a-z][a-z0-9_]{0,63}$'),
  constraint discoveries_summary_length check (char_length(summary) between 1 and 2000),
  constraint discoveries_details_length check (char_length(details) <= 200000),
  constraint discoveries_tags_count check (cardinality(tags) <= 64),
  constraint discoveries_confidence_range check (confidence is null or confidence between 0 and 1),
  constraint discoveries_response_type_needs_target check (response_type is null or response_to is not null),
  constraint discoveries_not_own_response check (response_to is distinct from id),
  constraint discoveries_resolved_has_time check (status <> 'resolved' or resolved_at is not null),
  constraint discoveries_provenance_object check (jsonb_typeof(provenance) = 'object')
);
create index discoveries_search_idx on knowledge.discoveries using gin (search_vector);
create index discoveries_summary_trgm_idx on knowledge.discoveries using gin (summary gin_trgm_ops);
create index discoveries_agent_idx on knowledge.discoveries (agent_id, created_at desc);
create index discoveries_type_idx on knowledge.discoveries (discovery_type, created_at desc);
create index discoveries_status_idx on knowledge.discoveries (status, created_at desc);
create index discoveries_created_idx on knowledge.discoveries (created_at desc);
create index discoveries_response_to_idx on knowledge.discoveries (response_to) where response_to is not null;
create index discoveries_tags_idx on knowledge.discoveries using gin (tags);

-- normalised tags (lower case, trimmed); discoveries.tags is the same set, kept for cheap reads
create table knowledge.discovery_tags (
  discovery_id text not null references knowledge.discoveries (id) on delete cascade,
  tag text not null,
  primary key (discovery_id, tag),
  constraint discovery_tags_format check (tag = lower(btrim(tag)) and char_length(tag) between 1 and 100)
);
create index discovery_tags_tag_idx on knowledge.discovery_tags (tag, discovery_id);

create table knowledge.discovery_edges (
  src_id text not null references knowledge.discoveries (id) on delete cascade,
  dst_id text not null references knowledge.discoveries (id) on delete cascade,
  edge_type knowledge.edge_type not null,
  response_type knowledge.response_type,
  weight double precision not null default 1.0,
  created_by text references core.agents (id),
  created_at timestamptz not null default now(),
  metadata jsonb not null default '{}',
  primary key (src_id, dst_id, edge_type),
  constraint discovery_edges_no_self_loop check (src_id <> dst_id),
  constraint discovery_edges_weight_range check (weight >= 0 and weight <= 1000),
  constraint discovery_edges_metadata_object check (jsonb_typeof(metadata) = 'object')
);
create index discovery_edges_dst_idx on knowledge.discovery_edges (dst_id, edge_type);

create table knowledge.discovery_notes (
  id bigint generated always as identity primary key,
  discovery_id text not null references knowledge.discoveries (id) on delete cascade,
  agent_id text not null references core.agents (id),
  note text not null,
  created_at timestamptz not null default now(),
  constraint discovery_notes_length check (char_length(note) between 1 and 20000)
);
create index discovery_notes_discovery_idx on knowledge.discovery_notes (discovery_id, created_at);

alter table core.dialectic_sessions
  add constraint dialectic_sessions_discovery_fkey foreign key (discovery_id) references knowledge.discoveries (id);

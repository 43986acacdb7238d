--! Previous: sha1:7e72c81f883fcc87f9e9916074411aa7760271c0
--! Hash: sha1:926cec5ace3a69215a380dae49005a04b5fe08ee
--! Message: audit_durability

-- Audit lines the mirror could not load (docs/audit.md, "Bad lines"): the mirror records the line here
-- and goes on with the next one, so one bad line never stalls the PostgreSQL copy. One row per
-- (file, line, content): the mirror re-reading after a crash records nothing twice.
create table audit.mirror_rejects (
  id bigint generated always as identity primary key,
  file_name text not null,
  line_no integer not null,
  byte_offset bigint not null,
  line_sha256 text not null,
  reason text not null,
  excerpt text not null,
  recorded_at timestamptz not null default now(),
  constraint mirror_rejects_line_no_positive check (line_no > 0),
  constraint mirror_rejects_byte_offset_nonnegative check (byte_offset >= 0),
  constraint mirror_rejects_line_sha256_format check (line_sha256 ~ '^[0-9a-f]{64}$'),
  constraint mirror_rejects_unique_line unique (file_name, line_no, line_sha256)
);

-- Idempotency keys of retried tool calls (docs/audit.md, "Safe retries"). A key is claimed and its
-- result stored in the SAME transaction as the tool's write, so a write is never committed without
-- its key (a retry after a crash finds either both or neither). Scoped by caller: the same request_id
-- of two callers are two keys. `result` never holds an API key; an onboard's key is kept only as
-- AES-256-GCM ciphertext until secret_expires_at, then erased by core.idempotency_sweep().
create table core.idempotency_keys (
  caller text not null,
  request_id text not null,
  tool_name text not null,
  request_hash text not null,
  result jsonb,
  secret_ciphertext text,
  secret_expires_at timestamptz,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (caller, request_id),
  constraint idempotency_keys_request_id_format check (request_id ~ '^[A-Za-z0-9_.:-]{1,128}$'),
  constraint idempotency_keys_request_hash_format check (request_hash ~ '^[0-9a-f]{64}$'),
  constraint idempotency_keys_expiry_after_creation check (expires_at > created_at)
);
create index idempotency_keys_expires_idx on core.idempotency_keys (expires_at);

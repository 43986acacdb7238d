-- Idempotency keys of retried tool calls (docs/audit.md, "Safe retries"). The toolkit runs a keyed
-- call as ONE transaction: core.idempotency_claim, the tool's own writes, core.idempotency_complete,
-- commit. So a committed write always has its key and result, and a key without a committed write
-- does not exist: a retry after any crash either replays or runs the call for the first time.

create or replace function core.idempotency_claim(
  p_caller text, p_request_id text, p_tool_name text, p_request_hash text, p_ttl_seconds integer default 86400)
returns table (state text, result jsonb, secret_ciphertext text, secret_expires_at timestamptz, created_at timestamptz)
language plpgsql
as $$
declare
  v_row core.idempotency_keys%rowtype;
begin
  if p_request_id is null or char_length(p_request_id) not between 1 and 128 or p_request_id !~ '^[A-Za-z0-9_.:-]*$' then
    raise exception using errcode = 'GV400',
      message = format('request_id %s must be 1 to 128 characters of letters, digits and _ . : -', coalesce(quote_literal(p_request_id), 'null')),
      hint = 'Use a UUID or another unique token per logical request; reuse it only to retry that request.';
  end if;
  if p_ttl_seconds is null or p_ttl_seconds < 1 then
    raise exception using errcode = 'GV400', message = format('p_ttl_seconds %s must be at least 1', p_ttl_seconds);
  end if;
  delete from core.idempotency_keys k
  where k.caller = p_caller and k.request_id = p_request_id and k.expires_at <= now();
  insert into core.idempotency_keys (caller, request_id, tool_name, request_hash, expires_at)
  values (p_caller, p_request_id, p_tool_name, p_request_hash, now() + make_interval(secs => p_ttl_seconds))
  on conflict (caller, request_id) do nothing;
  if found then
    return query select 'new'::text, null::jsonb, null::text, null::timestamptz, now();
    return;
  end if;
  select * into v_row from core.idempotency_keys k where k.caller = p_caller and k.request_id = p_request_id for update;
  if v_row.tool_name <> p_tool_name or v_row.request_hash <> p_request_hash then
    raise exception using errcode = 'GV409',
      message = format('request_id %s was already used for %s with other arguments (at %s); a request_id names one request',
        p_request_id, case when v_row.tool_name = p_tool_name then 'this tool' else v_row.tool_name end, v_row.created_at),
      hint = 'Retry with exactly the original arguments, or use a new request_id for a new request.',
      detail = 'IDEMPOTENCY_KEY_REUSED';
  end if;
  return query select 'replay'::text, v_row.result, v_row.secret_ciphertext, v_row.secret_expires_at, v_row.created_at;
end;
$$;
comment on function core.idempotency_claim(text,text,text,text,integer) is
'Claims an idempotency key (p_caller, p_request_id) for this transaction, or finds its stored result.
state new: claimed (result and secret null) - run the call, then core.idempotency_complete in the same transaction; state replay: result and encrypted secret as stored. A concurrent claim of the same key waits until the first transaction ends. An expired key is replaced. p_ttl_seconds: how long the key is kept.
Errors: GV400 for a malformed request_id (1-128 of letters, digits, _ . : -) or ttl; GV409 IDEMPOTENCY_KEY_REUSED for another tool or other arguments.
@nonnull state, created_at';

create or replace function core.idempotency_complete(
  p_caller text, p_request_id text, p_result jsonb, p_secret_ciphertext text default null, p_secret_ttl_seconds integer default 600)
returns void
language plpgsql
as $$
begin
  update core.idempotency_keys k
  set result = p_result,
      secret_ciphertext = p_secret_ciphertext,
      secret_expires_at = case when p_secret_ciphertext is null then null else now() + make_interval(secs => p_secret_ttl_seconds) end
  where k.caller = p_caller and k.request_id = p_request_id and k.result is null;
  if not found then
    raise exception using errcode = 'GV409',
      message = format('idempotency key %s of %s is not claimed by this transaction', p_request_id, p_caller),
      detail = 'IDEMPOTENCY_NOT_CLAIMED';
  end if;
end;
$$;
comment on function core.idempotency_complete(text,text,jsonb,text,integer) is
'Stores the result of a claimed idempotency key, in the same transaction as the claim and the tool''s writes.
p_secret_ciphertext: the encrypted secret of the result (an onboard''s API key) or null; kept p_secret_ttl_seconds, then erased by core.idempotency_sweep.
Errors: GV409 IDEMPOTENCY_NOT_CLAIMED when this transaction holds no open claim of the key.';

create or replace function core.idempotency_sweep(out secrets_erased integer, out keys_deleted integer)
language plpgsql
as $$
begin
  update core.idempotency_keys k set secret_ciphertext = null
  where k.secret_ciphertext is not null and k.secret_expires_at <= now();
  get diagnostics secrets_erased = row_count;
  delete from core.idempotency_keys k where k.expires_at <= now();
  get diagnostics keys_deleted = row_count;
end;
$$;
comment on function core.idempotency_sweep() is
'Erases idempotency secrets past their window and deletes expired keys; returns both counts.
@nonnull *';

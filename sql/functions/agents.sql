-- Agents: onboarding, spawning, authentication, key rotation, profile updates, reads.
-- Every write is one function call = one transaction, and keeps the AGE projection (vertex
-- Agent {id, label, status}, edge SPAWNED parent→child in governance_graph) in step with core.agents.
--
-- Rules (docs/eisv.md covers EISV; these are documented here, next to the code):
-- * API keys: 'gvk_' + 64 hex characters (32 bytes from pgcrypto's gen_random_bytes), returned once
--   by onboard/spawn; only 'sha256:' || hex(sha256(key)) is stored.
-- * Labels are unique among non-deleted agents, case-insensitively (index agents_label_live_key). A
--   colliding label is rejected with GV409 naming the agent that holds it; nothing is renamed.
--   Archived agents keep their label; deleting an agent frees it. Labels are trimmed; '' means none.
-- * Tags are lower-cased, trimmed, de-duplicated and sorted; empty tags are dropped (core.normalize_tags,
--   tags.sql).
-- * Lifecycle and actors (who may write, the one writer of status): agent_lifecycle.sql.

create or replace function core.check_agent_tags(p_tags text[])
returns text[]
language plpgsql immutable
as $$
declare
  v_tags text[] := core.normalize_tags(p_tags, p_sorted => true);
  v_long text;
begin
  if cardinality(v_tags) > 64 then
    raise exception using errcode = 'GV400', detail = 'INVALID_TAGS',
      message = format('An agent has at most 64 tags, got %s', cardinality(v_tags));
  end if;
  select u.x into v_long from unnest(v_tags) as u(x) where char_length(u.x) > 64 limit 1;
  if v_long is not null then
    raise exception using errcode = 'GV400', detail = 'INVALID_TAGS',
      message = format('Tags are at most 64 characters, got "%s" (%s characters)', left(v_long, 80), char_length(v_long));
  end if;
  return v_tags;
end;
$$;
comment on function core.check_agent_tags(text[]) is
'Normalises an agent tag list (core.normalize_tags, sorted) and checks its limits.
Limits: at most 64 tags, each at most 64 characters. Errors: GV400 INVALID_TAGS naming the limit broken.
@nonnull *';

create or replace function core.check_agent_label_free(p_label text, p_except text default null)
returns void
language plpgsql stable
as $$
declare
  v_holder text;
begin
  if p_label is null then return; end if;
  select a.id into v_holder from core.agents a
  where lower(a.label) = lower(p_label) and a.status <> 'deleted' and a.id is distinct from p_except;
  if found then
    raise exception using errcode = 'GV409', detail = 'LABEL_TAKEN',
      message = format('Label "%s" is already used by agent "%s" (labels are unique among non-deleted agents, ignoring case)', p_label, v_holder),
      hint = 'Choose another label, or delete the agent that holds it.';
  end if;
end;
$$;
comment on function core.check_agent_label_free(text,text) is
'Raises GV409 LABEL_TAKEN when a live (non-deleted) agent other than p_except holds the label, ignoring case.
A null label is always free.';

-- Written straight into the label table, as knowledge.graph_rebuild() does, rather than through a
-- Cypher MERGE: this is on the onboarding hot path, where the Cypher call cost ~0.8 ms of a ~0.9 ms
-- onboard (docs/performance.md), and AGE 1.5's MERGE ... SET is known to drop properties in some
-- forms. The advisory lock is the one knowledge.graph_ensure_agent takes, so the two never create
-- the same vertex twice.
create or replace function core.project_agent(p_agent_id text)
returns void
language plpgsql volatile
set search_path = ag_catalog, core, knowledge, public
as $$
declare
  v_props agtype;
begin
  select jsonb_build_object('id', a.id, 'label', a.label, 'status', a.status::text)::text::agtype into v_props
  from core.agents a where a.id = p_agent_id;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND', message = format('No agent with id "%s"', p_agent_id);
  end if;
  perform pg_advisory_xact_lock(hashtextextended('govdb.graph.Agent:' || p_agent_id, 0));
  update governance_graph."Agent" v set properties = v_props
  where ag_catalog.agtype_access_operator(variadic array[v.properties, '"id"'::ag_catalog.agtype]) = to_jsonb(p_agent_id)::text::agtype;
  if not found then
    insert into governance_graph."Agent" (properties) values (v_props);
  end if;
end;
$$;
comment on function core.project_agent(text) is
'Creates or updates the AGE vertex Agent {id, label, status} of one agent from core.agents.
Errors: GV404 AGENT_NOT_FOUND for an unknown id.';

drop function if exists core.onboard_agent(text, text, text, text[], text, text, jsonb, text, bigint, text, text);
create or replace function core.onboard_agent(
  p_agent_id text default null,
  p_label text default null,
  p_purpose text default null,
  p_tags text[] default null,
  p_parent_agent_id text default null,
  p_spawn_reason text default null,
  p_metadata jsonb default null,
  p_session_id text default null,
  p_session_ttl_ms bigint default 86400000,
  p_client_type text default null,
  p_actor text default null,
  p_admin boolean default false,
  out agent_id text,
  out api_key text,
  out label text,
  out status core.agent_status,
  out tags text[],
  out parent_agent_id text,
  out created_at timestamptz,
  out session_id text,
  out session_expires_at timestamptz)
language plpgsql volatile
set search_path = ag_catalog, core, knowledge, public
as $$
declare
  v_id text := coalesce(nullif(btrim(p_agent_id), ''), gen_random_uuid()::text);
  v_label text := nullif(btrim(p_label), '');
  v_purpose text := nullif(btrim(p_purpose), '');
  v_reason text := nullif(btrim(p_spawn_reason), '');
  v_tags text[] := core.check_agent_tags(coalesce(p_tags, '{}'));
  v_parent core.agents;
  v_held record;
  v_problems text[] := '{}';
  v_key text;
  v_created timestamptz;
  v_params agtype;
begin
  if char_length(v_id) > 128 or v_id !~ '^[A-Za-z0-9][A-Za-z0-9_.:@+-]*$' then
    v_problems := v_problems || format('agent_id must be 1-128 characters of letters, digits and _ . : @ + - starting with a letter or digit, got "%s"', left(p_agent_id, 140));
  end if;
  if char_length(v_label) > 200 then
    v_problems := v_problems || format('label is at most 200 characters, got %s', char_length(v_label));
  end if;
  if char_length(v_purpose) > 4000 then
    v_problems := v_problems || format('purpose is at most 4000 characters, got %s', char_length(v_purpose));
  end if;
  if char_length(v_reason) > 4000 then
    v_problems := v_problems || format('spawn_reason is at most 4000 characters, got %s', char_length(v_reason));
  end if;
  if v_reason is not null and p_parent_agent_id is null then
    v_problems := v_problems || 'spawn_reason needs parent_agent_id'::text;
  end if;
  if p_metadata is not null and jsonb_typeof(p_metadata) <> 'object' then
    v_problems := v_problems || format('metadata must be a JSON object, got %s', jsonb_typeof(p_metadata));
  end if;
  if char_length(p_actor) > 256 then
    v_problems := v_problems || format('actor is at most 256 characters, got %s', char_length(p_actor));
  end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_AGENT',
      message = format('Invalid agent: %s', array_to_string(v_problems, '; '));
  end if;

  if p_parent_agent_id is not null then
    -- KEY SHARE is what the foreign key takes anyway; taking it first makes the status check hold
    -- SHARE: a concurrent pause or archive of the parent waits for this spawn (and the reverse)
    select * into v_parent from core.agents a where a.id = p_parent_agent_id for share;
    if not found then
      raise exception using errcode = 'GV404', detail = 'PARENT_NOT_FOUND',
        message = format('No parent agent with id "%s"', p_parent_agent_id), hint = 'Spawn from an existing agent.';
    end if;
    perform core.check_actor_status(v_parent.id, v_parent.status, 'parent');
  end if;
  if v_label is not null and not coalesce(p_admin, false) then
    select a.id, a.pause_hold_since into v_held from core.agents a
     where lower(a.label) = lower(v_label) and a.status = 'deleted' and a.pause_hold_since is not null
     order by a.deleted_at desc limit 1;
    if found then
      raise exception using errcode = 'GV423', detail = 'AGENT_PAUSED',
        message = format('Label "%s" belonged to agent "%s", deleted while paused (pause since %s); a new agent cannot take over a paused identity',
                         v_label, v_held.id, to_char(v_held.pause_hold_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
        hint = 'Choose another label; an admin may onboard with this label (admin_token).';
    end if;
  end if;
  if exists (select 1 from core.agents a where a.id = v_id) then
    raise exception using errcode = 'GV409', detail = 'AGENT_EXISTS',
      message = format('An agent with id "%s" already exists', v_id), hint = 'Omit agent_id to get a generated one.';
  end if;
  perform core.check_agent_label_free(v_label);

  v_key := 'gvk_' || encode(gen_random_bytes(32), 'hex');
  begin
    insert into core.agents as a (id, label, purpose, tags, parent_agent_id, spawn_reason, api_key_hash, metadata)
    values (v_id, v_label, v_purpose, v_tags, p_parent_agent_id, v_reason,
            'sha256:' || encode(sha256(convert_to(v_key, 'UTF8')), 'hex'), coalesce(p_metadata, '{}'))
    returning a.created_at into v_created;
  exception when unique_violation then
    -- a concurrent onboard took the id or the label between the checks above and the insert
    perform core.check_agent_label_free(v_label);
    raise exception using errcode = 'GV409', detail = 'AGENT_EXISTS',
      message = format('An agent with id "%s" already exists', v_id), hint = 'Omit agent_id to get a generated one.';
  end;

  insert into core.agent_lifecycle_events (agent_id, event, from_status, to_status, reason, actor, details)
  values (v_id, case when p_parent_agent_id is null then 'created' else 'spawned' end::core.lifecycle_event_type,
          null, 'active', v_reason, p_actor,
          jsonb_strip_nulls(jsonb_build_object('parent_agent_id', p_parent_agent_id, 'label', v_label, 'tags', to_jsonb(v_tags))));

  if p_session_id is not null then
    select s.session_id, s.expires_at into session_id, session_expires_at
    from core.bind_session(p_session_id, v_id, p_session_ttl_ms, p_client_type) s;
  end if;

  perform core.project_agent(v_id);
  if p_parent_agent_id is not null then
    perform core.project_agent(p_parent_agent_id);
    v_params := ag_catalog.agtype_build_map('parent', p_parent_agent_id, 'child', v_id, 'reason', v_reason);
    -- CREATE, not MERGE: the child is new in this transaction (and AGE 1.5 drops a SET on an edge
    -- that MERGE created in the same query)
    perform * from ag_catalog.cypher('governance_graph', $cy$
      MATCH (p:Agent {id: $parent}), (c:Agent {id: $child})
      CREATE (p)-[e:SPAWNED {reason: $reason}]->(c)
      RETURN c.id
    $cy$, v_params) as (id agtype);
  end if;

  agent_id := v_id;
  api_key := v_key;
  label := v_label;
  status := 'active';
  tags := v_tags;
  parent_agent_id := p_parent_agent_id;
  created_at := v_created;
end;
$$;
comment on function core.onboard_agent(text,text,text,text[],text,text,jsonb,text,bigint,text,text,boolean) is
'Creates an agent and returns its API key, the only time the key exists outside the caller.
agent_id is generated (a UUID) unless given (1-128 characters of letters, digits and _ . : @ + -). Labels are trimmed ('''' means none) and unique among non-deleted agents ignoring case; tags are normalised (core.check_agent_tags). The key is gvk_ + 64 hex characters; only its sha256 is stored.
With p_parent_agent_id it is a spawn: parent link, spawn reason, a spawned lifecycle event and a SPAWNED edge; the parent must be able to write. With p_session_id the session is bound to the new agent for p_session_ttl_ms milliseconds (core.bind_session); session_id and session_expires_at are null otherwise.
Errors: GV400 INVALID_AGENT / INVALID_TAGS listing every problem; GV404 PARENT_NOT_FOUND; GV409 AGENT_EXISTS or LABEL_TAKEN; GV423 when the parent cannot write or the label belonged to an agent deleted under a pause hold (unless p_admin).
@nonnull agent_id, api_key, status, tags, created_at';

create or replace function core.spawn_agent(
  p_parent_agent_id text,
  p_spawn_reason text,
  p_agent_id text default null,
  p_label text default null,
  p_purpose text default null,
  p_tags text[] default null,
  p_metadata jsonb default null,
  p_actor text default null,
  out agent_id text,
  out api_key text,
  out label text,
  out status core.agent_status,
  out tags text[],
  out parent_agent_id text,
  out created_at timestamptz)
language plpgsql volatile
as $$
declare
  r record;
begin
  if p_parent_agent_id is null or nullif(btrim(p_spawn_reason), '') is null then
    raise exception using errcode = 'GV400', detail = 'INVALID_SPAWN',
      message = format('Spawning needs parent_agent_id and spawn_reason, got parent "%s" and reason "%s"', p_parent_agent_id, p_spawn_reason);
  end if;
  select * into r from core.onboard_agent(
    p_agent_id => p_agent_id, p_label => p_label, p_purpose => p_purpose, p_tags => p_tags,
    p_parent_agent_id => p_parent_agent_id, p_spawn_reason => p_spawn_reason, p_metadata => p_metadata,
    p_actor => coalesce(p_actor, p_parent_agent_id));
  agent_id := r.agent_id; api_key := r.api_key; label := r.label; status := r.status; tags := r.tags;
  parent_agent_id := r.parent_agent_id; created_at := r.created_at;
end;
$$;
comment on function core.spawn_agent(text,text,text,text,text,text[],jsonb,text) is
'Spawns a child agent of p_parent_agent_id (core.onboard_agent with a parent); the spawn reason is required.
The actor recorded on the spawned event defaults to the parent. Returns the new agent and its API key (the only time it exists outside the caller).
Errors: GV400 INVALID_SPAWN without parent or reason, and every error of core.onboard_agent.
@nonnull agent_id, api_key, status, tags, parent_agent_id, created_at';

-- The key is hashed and the hash looked up through the unique index agents_api_key_hash_key: no step
-- compares the secret itself, so the time taken does not depend on how much of a guess matches.
create or replace function core.authenticate_agent(
  p_api_key text,
  out agent_id text,
  out label text,
  out status core.agent_status)
language plpgsql stable
as $$
declare
  r record;
begin
  if p_api_key is null or p_api_key = '' or char_length(p_api_key) > 512 then
    raise exception using errcode = 'GV401', detail = 'INVALID_API_KEY',
      message = 'Missing or malformed API key', hint = 'Send the api_key returned by the onboard tool.';
  end if;
  select a.id, a.label, a.status into r from core.agents a
  where a.api_key_hash = 'sha256:' || encode(sha256(convert_to(p_api_key, 'UTF8')), 'hex');
  if not found then
    raise exception using errcode = 'GV401', detail = 'INVALID_API_KEY',
      message = 'Unknown API key', hint = 'Send the api_key returned by the onboard tool; keys cannot be recovered: onboard again if it was lost.';
  end if;
  if r.status in ('deleted', 'archived') then
    -- GV423: the same codes (AGENT_ARCHIVED / AGENT_DELETED) as a write by a session bound earlier
    raise exception using errcode = 'GV423', detail = case r.status when 'deleted' then 'AGENT_DELETED' else 'AGENT_ARCHIVED' end,
      message = format('Agent "%s" is %s; its key is no longer accepted', r.id, r.status),
      hint = case r.status when 'archived' then 'An admin can resume the agent (resume_agent with admin_token and agent_id).'
                           else 'Onboard a new agent.' end;
  end if;
  agent_id := r.id; label := r.label; status := r.status;
end;
$$;
comment on function core.authenticate_agent(text) is
'Resolves an API key to its agent.
Paused and waiting_input agents authenticate (they take part in their own recovery, and read).
Errors: GV401 INVALID_API_KEY for a missing, malformed (over 512 characters) or unknown key; GV423 AGENT_ARCHIVED / AGENT_DELETED for keys of archived or deleted agents.
@nonnull agent_id, status';

create or replace function core.update_agent(
  p_agent_id text,
  p_label text default null,
  p_purpose text default null,
  p_notes text default null,
  p_tags text[] default null,
  p_reason text default null,
  p_actor text default null,
  out agent_id text,
  out label text,
  out purpose text,
  out notes text,
  out tags text[],
  out changed text[],
  out updated_at timestamptz)
language plpgsql volatile
set search_path = ag_catalog, core, knowledge, public
as $$
declare
  cur record;
  v_label text;
  v_purpose text;
  v_notes text;
  v_tags text[];
  v_changed text[] := '{}';
  v_problems text[] := '{}';
  v_updated timestamptz;
begin
  if p_label is null and p_purpose is null and p_notes is null and p_tags is null then
    raise exception using errcode = 'GV400', detail = 'NOTHING_TO_UPDATE',
      message = 'Nothing to update: give at least one of label, purpose, notes, tags';
  end if;
  select a.id, a.label, a.purpose, a.notes, a.tags, a.status, a.updated_at into cur
  from core.agents a where a.id = p_agent_id for no key update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
  perform core.check_actor_status(p_agent_id, cur.status, 'agent');

  v_label := case when p_label is null then cur.label else nullif(btrim(p_label), '') end;
  v_purpose := case when p_purpose is null then cur.purpose else nullif(btrim(p_purpose), '') end;
  v_notes := coalesce(p_notes, cur.notes);
  v_tags := case when p_tags is null then cur.tags else core.check_agent_tags(p_tags) end;
  if char_length(v_label) > 200 then v_problems := v_problems || format('label is at most 200 characters, got %s', char_length(v_label)); end if;
  if char_length(v_purpose) > 4000 then v_problems := v_problems || format('purpose is at most 4000 characters, got %s', char_length(v_purpose)); end if;
  if char_length(v_notes) > 20000 then v_problems := v_problems || format('notes are at most 20000 characters, got %s', char_length(v_notes)); end if;
  if char_length(p_reason) > 4000 then v_problems := v_problems || format('reason is at most 4000 characters, got %s', char_length(p_reason)); end if;
  if char_length(p_actor) > 256 then v_problems := v_problems || format('actor is at most 256 characters, got %s', char_length(p_actor)); end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_AGENT',
      message = format('Invalid agent update: %s', array_to_string(v_problems, '; '));
  end if;

  if v_label is distinct from cur.label then v_changed := v_changed || 'label'::text; end if;
  if v_purpose is distinct from cur.purpose then v_changed := v_changed || 'purpose'::text; end if;
  if v_notes is distinct from cur.notes then v_changed := v_changed || 'notes'::text; end if;
  if v_tags is distinct from cur.tags then v_changed := v_changed || 'tags'::text; end if;

  v_updated := cur.updated_at;
  if cardinality(v_changed) > 0 then
    if 'label' = any(v_changed) and lower(v_label) is distinct from lower(cur.label) then
      perform core.check_agent_label_free(v_label, p_agent_id);
    end if;
    begin
      update core.agents as a
      set label = v_label, purpose = v_purpose, notes = v_notes, tags = v_tags, updated_at = now()
      where a.id = p_agent_id
      returning a.updated_at into v_updated;
    exception when unique_violation then
      perform core.check_agent_label_free(v_label, p_agent_id);
      raise;
    end;
    insert into core.agent_lifecycle_events (agent_id, event, from_status, to_status, reason, actor, details)
    values (p_agent_id, 'updated', cur.status, cur.status, p_reason, p_actor, jsonb_build_object('changed', to_jsonb(v_changed)));
    if 'label' = any(v_changed) then
      perform core.project_agent(p_agent_id);
    end if;
  end if;

  agent_id := p_agent_id; label := v_label; purpose := v_purpose; notes := v_notes; tags := v_tags;
  changed := v_changed; updated_at := v_updated;
end;
$$;
comment on function core.update_agent(text,text,text,text,text[],text,text) is
'Updates label, purpose, notes and tags of an agent and records one updated lifecycle event naming the changed fields.
null leaves a field as it is; '''' clears label or purpose and empties notes; ''{}'' empties tags. changed lists the fields that changed (empty when nothing did; then nothing is written). Limits: label 200, purpose 4000, notes 20000, reason 4000, actor 256 characters.
Errors: GV400 NOTHING_TO_UPDATE / INVALID_AGENT / INVALID_TAGS; GV404 AGENT_NOT_FOUND; GV409 LABEL_TAKEN; GV423 when the agent cannot write.
@nonnull agent_id, notes, tags, changed, updated_at';

create or replace function core.rotate_api_key(
  p_agent_id text,
  p_actor_agent_id text default null,
  p_admin boolean default false,
  p_reason text default null,
  out agent_id text,
  out api_key text,
  out rotated_at timestamptz)
language plpgsql volatile
as $$
declare
  cur core.agents;
  v_key text := 'gvk_' || encode(gen_random_bytes(32), 'hex');
begin
  if not coalesce(p_admin, false) and p_actor_agent_id is distinct from p_agent_id then
    raise exception using errcode = 'GV403', detail = 'NOT_SELF',
      message = format('Agent "%s" cannot rotate the key of agent "%s": an agent rotates only its own key', coalesce(p_actor_agent_id, '(none)'), p_agent_id),
      hint = 'An admin (admin_token) may rotate any agent''s key.';
  end if;
  if char_length(p_reason) > 4000 then
    raise exception using errcode = 'GV400', detail = 'INVALID_INPUT', message = format('reason is at most 4000 characters, got %s', char_length(p_reason));
  end if;
  select * into cur from core.agents a where a.id = p_agent_id for no key update;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
  if cur.status = 'deleted' or (cur.status = 'archived' and not coalesce(p_admin, false)) then
    perform core.check_actor_status(cur.id, cur.status, 'agent');
  end if;
  update core.agents a set api_key_hash = 'sha256:' || encode(sha256(convert_to(v_key, 'UTF8')), 'hex'), updated_at = now()
   where a.id = p_agent_id;
  insert into core.agent_lifecycle_events (agent_id, event, from_status, to_status, reason, actor, details)
  values (p_agent_id, 'updated', cur.status, cur.status, nullif(btrim(p_reason), ''),
          case when coalesce(p_admin, false) then 'admin' else p_actor_agent_id end,
          jsonb_build_object('changed', jsonb_build_array('api_key')));
  agent_id := p_agent_id; api_key := v_key; rotated_at := now();
end;
$$;
comment on function core.rotate_api_key(text,text,boolean,text) is
'Replaces an agent''s API key and returns the new one (the only time it exists outside the caller); the old key stops authenticating at commit.
Allowed for the agent itself (p_actor_agent_id, also while paused, so a leaked key can be replaced) or an admin (p_admin); never for a deleted agent, and an archived one only by an admin. Records an updated lifecycle event.
Errors: GV400 INVALID_INPUT (reason over 4000 characters); GV403 NOT_SELF; GV404 AGENT_NOT_FOUND; GV423 AGENT_DELETED / AGENT_ARCHIVED.
@nonnull *';

create or replace function core.get_agent(
  p_agent_id text,
  out id text,
  out label text,
  out status core.agent_status,
  out purpose text,
  out notes text,
  out tags text[],
  out parent_agent_id text,
  out spawn_reason text,
  out metadata jsonb,
  out update_count bigint,
  out created_at timestamptz,
  out updated_at timestamptz,
  out paused_at timestamptz,
  out archived_at timestamptz,
  out deleted_at timestamptz,
  out last_activity_at timestamptz)
language plpgsql stable
as $$
begin
  select a.id, a.label, a.status, a.purpose, a.notes, a.tags, a.parent_agent_id, a.spawn_reason, a.metadata,
         coalesce(x.update_count, 0), a.created_at, a.updated_at, a.paused_at, a.archived_at, a.deleted_at, x.last_activity_at
  into id, label, status, purpose, notes, tags, parent_agent_id, spawn_reason, metadata,
       update_count, created_at, updated_at, paused_at, archived_at, deleted_at, last_activity_at
  from core.agents a left join core.agent_activity x on x.agent_id = a.id
  where a.id = p_agent_id;
  if not found then
    raise exception using errcode = 'GV404', detail = 'AGENT_NOT_FOUND',
      message = format('No agent with id "%s"', p_agent_id), hint = 'Check the id (the list_agents tool).';
  end if;
end;
$$;
comment on function core.get_agent(text) is
'One agent by id, including deleted ones (their status says so); never the API key hash.
Times are timestamptz; paused_at, archived_at, deleted_at and last_activity_at are null until they happen. update_count and last_activity_at come from core.agent_activity.
Errors: GV404 AGENT_NOT_FOUND.
@nonnull id, status, notes, tags, metadata, update_count, created_at, updated_at';

create or replace function core.list_agents(
  p_status text default null,
  p_tag text default null,
  p_parent_agent_id text default null,
  p_include_deleted boolean default false,
  p_limit integer default 50,
  p_offset integer default 0)
returns table (
  id text, label text, status core.agent_status, purpose text, tags text[], parent_agent_id text,
  update_count bigint, created_at timestamptz, last_activity_at timestamptz)
language plpgsql stable
rows 50
as $$
declare
  v_tag text := nullif(lower(btrim(p_tag)), '');
  v_problems text[] := '{}';
begin
  if p_status is not null and p_status not in ('active', 'paused', 'waiting_input', 'archived', 'deleted') then
    v_problems := v_problems || format('status must be one of active, paused, waiting_input, archived, deleted, got "%s"', p_status);
  end if;
  if p_limit is null or p_limit not between 1 and 1000 then
    v_problems := v_problems || format('limit must be in [1, 1000], got %s', coalesce(p_limit::text, 'null'));
  end if;
  if p_offset is null or p_offset < 0 then
    v_problems := v_problems || format('offset must be >= 0, got %s', coalesce(p_offset::text, 'null'));
  end if;
  if cardinality(v_problems) > 0 then
    raise exception using errcode = 'GV400', detail = 'INVALID_FILTER',
      message = format('Invalid agent list filter: %s', array_to_string(v_problems, '; '));
  end if;
  -- the page first, then its counters (core.agent_activity): joining before the limit would hash
  -- every agent's counters to return p_limit of them
  return query
    select p.id, p.label, p.status, p.purpose, p.tags, p.parent_agent_id, coalesce(x.update_count, 0), p.created_at, x.last_activity_at
    from (select a.id, a.label, a.status, a.purpose, a.tags, a.parent_agent_id, a.created_at
            from core.agents a
           where (p_status is null or a.status = p_status::core.agent_status)
             and (p_status is not null or coalesce(p_include_deleted, false) or a.status <> 'deleted')
             and (v_tag is null or a.tags @> array[v_tag])
             and (p_parent_agent_id is null or a.parent_agent_id = p_parent_agent_id)
           order by a.created_at desc, a.id
           limit p_limit offset p_offset) p
    left join core.agent_activity x on x.agent_id = p.id
    order by p.created_at desc, p.id;
end;
$$;
comment on function core.list_agents(text,text,text,boolean,integer,integer) is
'Agents newest first (created_at desc, id), filtered by status, tag and parent; one page of p_limit (1..1000) rows from p_offset.
Deleted agents appear only when asked for by status (deleted) or with p_include_deleted. The tag filter is lower-cased and trimmed like stored tags.
Errors: GV400 INVALID_FILTER listing every problem.
@nonnull id, status, tags, update_count, created_at';

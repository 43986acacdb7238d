-- The shared knowledge graph: helpers and write paths (each also updates the AGE projection, see
-- graph.sql, in the same transaction). Reads are in knowledge_read.sql, search in knowledge_search.sql.
-- Errors: GV400 invalid input (all problems of one call in one message), GV404 unknown
-- agent/discovery, GV409 conflict, GV422 a state that forbids the change.

-- ---------------------------------------------------------------- helpers

create or replace function knowledge.new_discovery_id() returns text
language sql volatile
as $fn$
  select 'kd_' || to_char(clock_timestamp() at time zone 'UTC', 'YYYYMMDD"T"HH24MISS') || '_'
    || encode(public.gen_random_bytes(8), 'hex')
$fn$;
comment on function knowledge.new_discovery_id() is
'A new discovery id: kd_<UTC yyyymmddThhmmss>_<16 random hex>.
Legacy ids are ISO timestamps (they start with a digit), so the two never collide.
@nonnull *';

create or replace function knowledge.require_agent(p_agent_id text, p_role text default 'agent') returns core.agents
language plpgsql volatile
set search_path = knowledge, core, public
as $fn$
begin
  return core.require_active_actor(p_agent_id, p_role);
end;
$fn$;
comment on function knowledge.require_agent(text,text) is
'The agent that writes knowledge, locked FOR SHARE: it must exist and be able to write now (core.require_active_actor).
Errors: GV404 AGENT_NOT_FOUND; GV423 AGENT_PAUSED / AGENT_ARCHIVED / AGENT_DELETED.
@nonnull id, status, notes, tags, metadata, update_count, created_at, updated_at, origin, anomalies';

create or replace function knowledge.require_discovery(p_id text, p_role text default 'discovery', p_lock boolean default false)
returns knowledge.discoveries
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  d knowledge.discoveries;
  v_closest text;
begin
  if p_lock then
    select * into d from knowledge.discoveries where id = p_id for update;
  else
    select * into d from knowledge.discoveries where id = p_id;
  end if;
  if not found then
    select x.id into v_closest from knowledge.discoveries x
    where x.id like left(coalesce(p_id, ''), 10) || '%'
    order by public.similarity(x.id, p_id) desc, x.id limit 1;
    raise exception using errcode = 'GV404',
      message = format('No discovery with id "%s" (the %s)', p_id, p_role),
      hint = case when v_closest is not null
        then format('Did you mean "%s"? Find ids with the search_knowledge tool.', v_closest)
        else 'Find ids with the search_knowledge tool.' end,
      detail = 'DISCOVERY_NOT_FOUND';
  end if;
  return d;
end;
$fn$;
comment on function knowledge.require_discovery(text,text,boolean) is
'A discovery that must exist (locked FOR UPDATE with p_lock).
Errors: GV404 DISCOVERY_NOT_FOUND naming p_role, with a hint naming the closest existing id when one is close.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';

create or replace function knowledge.agent_provenance(p_agent_id text) returns jsonb
language sql stable
set search_path = knowledge, core, public
as $fn$
  select coalesce((
    select jsonb_build_object(
      'source', 'core.agent_state', 'seq', s.seq, 'recorded_at', s.recorded_at,
      'energy', s.energy, 'information', s.information, 'entropy', s.entropy, 'void', s.void,
      'coherence', s.coherence, 'risk', s.risk, 'phi', s.phi, 'regime', s.regime,
      'verdict', s.verdict, 'decision', s.decision, 'health_status', s.health_status)
    from core.agent_state s where s.agent_id = p_agent_id
    order by s.seq desc limit 1), '{}'::jsonb)
$fn$;
comment on function knowledge.agent_provenance(text) is
'The author''s latest EISV snapshot (highest seq in core.agent_state) as a JSON object; {} when it has none.
@nonnull *';

create or replace function knowledge.raise_invalid(p_problems text[], p_hint text default null) returns void
language plpgsql
as $fn$
begin
  if cardinality(p_problems) > 0 then
    raise exception using errcode = 'GV400',
      message = array_to_string(p_problems, '; '),
      hint = coalesce(p_hint, 'Fix the values named above and retry.'),
      detail = 'INVALID_INPUT';
  end if;
end;
$fn$;
comment on function knowledge.raise_invalid(text[],text) is
'Raises GV400 INVALID_INPUT listing p_problems (joined with ; ) when there is any; returns otherwise.';

-- ---------------------------------------------------------------- writes

create or replace function knowledge.store_discovery(
  p_agent_id text,
  p_summary text,
  p_discovery_type text default 'insight',
  p_details text default '',
  p_tags text[] default '{}',
  p_severity text default null,
  p_references_files text[] default '{}',
  p_response_to text default null,
  p_response_type text default null,
  p_related_to text[] default '{}',
  p_confidence double precision default null,
  p_id text default null)
returns knowledge.discoveries
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  v_problems text[] := '{}';
  v_type text := lower(btrim(coalesce(p_discovery_type, 'insight')));
  v_tags text[] := core.normalize_tags(p_tags);
  v_related text[];
  v_files text[] := coalesce(p_references_files, '{}');
  v_id text := p_id;
  v_missing text[];
  v_target knowledge.discoveries;
  d knowledge.discoveries;
  r text;
begin
  -- ---- shape of the input (every problem reported at once)
  if p_agent_id is null or btrim(p_agent_id) = '' then
    v_problems := v_problems || 'agent_id is empty: expected the id of an onboarded agent'::text;
  end if;
  if p_summary is null or btrim(p_summary) = '' then
    v_problems := v_problems || 'summary is empty: expected 1..2000 characters'::text;
  elsif char_length(p_summary) > 2000 then
    v_problems := v_problems || format('summary has %s characters: at most 2000 allowed (put the rest in details)', char_length(p_summary));
  end if;
  if char_length(coalesce(p_details, '')) > 200000 then
    v_problems := v_problems || format('details has %s characters: at most 200000 allowed', char_length(p_details));
  end if;
  if char_length(v_type) > 64 or v_type !~ '^[a-z][a-z0-9_]*$' then
    v_problems := v_problems || format('discovery_type "%s" is invalid: expected lower-case letters, digits and "_", starting with a letter (e.g. insight, bug_found)', p_discovery_type);
  end if;
  v_problems := v_problems || knowledge.discovery_tag_problems(v_tags);
  if p_severity is not null and p_severity not in ('low', 'medium', 'high', 'critical') then
    v_problems := v_problems || format('severity "%s" is invalid: expected low, medium, high or critical (or none)', p_severity);
  end if;
  if p_response_type is not null and p_response_type not in ('extend', 'question', 'disagree', 'support', 'answer') then
    v_problems := v_problems || format('response_type "%s" is invalid: expected extend, question, disagree, support or answer', p_response_type);
  end if;
  if p_response_type is not null and p_response_to is null then
    v_problems := v_problems || 'response_type is given without response_to: name the discovery this one responds to'::text;
  end if;
  if p_confidence is not null and (p_confidence = 'NaN'::double precision or p_confidence < 0 or p_confidence > 1) then
    v_problems := v_problems || format('confidence %s is out of range: expected 0..1', p_confidence);
  end if;
  if cardinality(v_files) > 256 then
    v_problems := v_problems || format('%s references_files given: at most 256 allowed', cardinality(v_files));
  end if;
  if exists (select 1 from unnest(v_files) f where f is null or btrim(f) = '' or char_length(f) > 4096) then
    v_problems := v_problems || 'references_files has an empty entry or one longer than 4096 characters'::text;
  end if;
  if p_id is not null and (char_length(p_id) > 128 or p_id !~ '^[A-Za-z0-9][A-Za-z0-9_.:+-]*$') then
    v_problems := v_problems || format('id "%s" is invalid: expected 1..128 characters from A-Z a-z 0-9 _ . : + -, starting with a letter or digit (or omit it to get a generated id)', p_id);
  end if;
  select coalesce(array_agg(distinct x order by x), '{}') into v_related
  from unnest(coalesce(p_related_to, '{}')) x where x is not null and btrim(x) <> '';
  if cardinality(v_related) > 64 then
    v_problems := v_problems || format('%s related_to ids given: at most 64 allowed', cardinality(v_related));
  end if;
  if p_id is not null and (p_id = any(v_related) or p_id = p_response_to) then
    v_problems := v_problems || format('discovery "%s" cannot respond to or relate to itself', p_id);
  end if;
  perform knowledge.raise_invalid(v_problems);

  -- ---- references to existing rows
  perform knowledge.require_agent(p_agent_id, 'author');
  if p_response_to is not null then
    v_target := knowledge.require_discovery(p_response_to, 'response_to target');
  end if;
  select coalesce(array_agg(x order by x), '{}') into v_missing
  from unnest(v_related) x where not exists (select 1 from knowledge.discoveries k where k.id = x);
  if cardinality(v_missing) > 0 then
    raise exception using errcode = 'GV404',
      message = format('related_to names %s unknown discovery id(s): %s', cardinality(v_missing),
        (select string_agg(format('"%s"', m), ', ') from unnest(v_missing[1:10]) m)),
      hint = 'Link only existing discoveries; find ids with the search_knowledge tool.',
      detail = 'DISCOVERY_NOT_FOUND';
  end if;
  if v_id is null then
    v_id := knowledge.new_discovery_id();
  elsif exists (select 1 from knowledge.discoveries k where k.id = v_id) then
    raise exception using errcode = 'GV409',
      message = format('A discovery with id "%s" already exists', v_id),
      hint = 'Omit the id to get a generated one, or read the existing discovery with the get_discovery tool.',
      detail = 'DISCOVERY_EXISTS';
  end if;

  -- ---- relational rows
  insert into knowledge.discoveries (id, agent_id, discovery_type, severity, summary, details, tags,
    references_files, response_to, response_type, confidence, provenance)
  values (v_id, p_agent_id, v_type, p_severity::knowledge.severity, p_summary, coalesce(p_details, ''), v_tags,
    v_files, p_response_to, p_response_type::knowledge.response_type, p_confidence, knowledge.agent_provenance(p_agent_id))
  returning * into d;
  insert into knowledge.discovery_tags (discovery_id, tag) select v_id, t from unnest(v_tags) t;
  if p_response_to is not null then
    insert into knowledge.discovery_edges (src_id, dst_id, edge_type, response_type, created_by)
    values (v_id, p_response_to, 'responds_to', p_response_type::knowledge.response_type, p_agent_id);
  end if;
  insert into knowledge.discovery_edges (src_id, dst_id, edge_type, created_by)
  select v_id, x, 'related_to', p_agent_id from unnest(v_related) x;

  -- ---- projection
  perform knowledge.graph_add_discovery(v_id);
  if p_response_to is not null then
    perform knowledge.graph_put_edge(v_id, p_response_to, 'responds_to', 1.0, p_response_type::knowledge.response_type);
  end if;
  foreach r in array v_related loop
    perform knowledge.graph_put_edge(v_id, r, 'related_to', 1.0, null);
  end loop;
  return d;
end;
$fn$;
comment on function knowledge.store_discovery(text,text,text,text,text[],text,text[],text,text,text[],double precision,text) is
'Stores one discovery with its tags, response link and related links, projects it into the AGE graph and returns the stored row.
Tags are normalised (core.normalize_tags, first-seen order kept). p_id is optional (import, idempotent retries). The author must be able to write.
Errors: GV400 INVALID_INPUT listing every problem; GV404 AGENT_NOT_FOUND / DISCOVERY_NOT_FOUND (a linked discovery); GV409 DISCOVERY_EXISTS; GV423 when the author cannot write.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';

create or replace function knowledge.store_discoveries(p_items jsonb)
returns setof knowledge.discoveries
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  v_allowed text[] := array['id', 'agent_id', 'summary', 'discovery_type', 'type', 'details', 'tags', 'severity',
    'references_files', 'response_to', 'response_type', 'related_to', 'confidence'];
  v_item jsonb;
  v_index integer := 0;
  v_problems text[];
  v_state text;
  v_message text;
  v_hint text;
  v_detail text;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' then
    perform knowledge.raise_invalid(array[format('items must be a JSON array of discovery objects, got %s',
      coalesce(jsonb_typeof(p_items), 'null'))]);
  end if;
  if jsonb_array_length(p_items) = 0 or jsonb_array_length(p_items) > 1000 then
    perform knowledge.raise_invalid(array[format('items has %s entries: expected 1..1000 (split larger loads)', jsonb_array_length(p_items))]);
  end if;

  -- the shape of every item is checked before anything is written
  v_problems := '{}';
  for v_item in select value from jsonb_array_elements(p_items) loop
    if jsonb_typeof(v_item) <> 'object' then
      v_problems := v_problems || format('items[%s]: expected an object, got %s', v_index, jsonb_typeof(v_item));
    else
      v_problems := v_problems || coalesce((
        select array_agg(format('items[%s]: unknown key "%s" (expected one of %s)', v_index, k, array_to_string(v_allowed, ', ')))
        from jsonb_object_keys(v_item) k where k <> all (v_allowed)), '{}');
      v_problems := v_problems || coalesce((
        select array_agg(format('items[%s].%s: expected an array of strings', v_index, k))
        from unnest(array['tags', 'references_files', 'related_to']) k
        where v_item ? k and jsonb_typeof(v_item -> k) <> 'null' and (jsonb_typeof(v_item -> k) <> 'array'
          or exists (select 1 from jsonb_array_elements(v_item -> k) e where jsonb_typeof(e) <> 'string'))), '{}');
      v_problems := v_problems || coalesce((
        select array_agg(format('items[%s].%s: expected a string', v_index, k))
        from unnest(array['id', 'agent_id', 'summary', 'discovery_type', 'type', 'details', 'severity', 'response_to', 'response_type']) k
        where v_item ? k and jsonb_typeof(v_item -> k) not in ('string', 'null')), '{}');
      if v_item ? 'confidence' and jsonb_typeof(v_item -> 'confidence') not in ('number', 'null') then
        v_problems := v_problems || format('items[%s].confidence: expected a number in 0..1', v_index);
      end if;
    end if;
    v_index := v_index + 1;
  end loop;
  perform knowledge.raise_invalid(v_problems[1:50]);

  -- take the graph locks of the whole batch up front, agents then tags, each in sorted order (the order
  -- a single store uses), so two batches with overlapping agents or tags cannot deadlock
  perform pg_advisory_xact_lock(hashtextextended('govdb.graph.Agent:' || a, 0))
  from (select distinct i ->> 'agent_id' as a from jsonb_array_elements(p_items) i where i ->> 'agent_id' is not null) x
  order by a;
  perform pg_advisory_xact_lock(hashtextextended('govdb.graph.Tag:' || t, 0))
  from unnest(core.normalize_tags(array(
    select jsonb_array_elements_text(i -> 'tags') from jsonb_array_elements(p_items) i
    where jsonb_typeof(i -> 'tags') = 'array'))) t
  order by t;

  v_index := 0;
  for v_item in select value from jsonb_array_elements(p_items) loop
    begin
      return next knowledge.store_discovery(
        p_agent_id => v_item ->> 'agent_id',
        p_summary => v_item ->> 'summary',
        p_discovery_type => coalesce(v_item ->> 'discovery_type', v_item ->> 'type', 'insight'),
        p_details => coalesce(v_item ->> 'details', ''),
        p_tags => coalesce((select array_agg(e) from jsonb_array_elements_text(
          case jsonb_typeof(v_item -> 'tags') when 'array' then v_item -> 'tags' else '[]' end) e), '{}'),
        p_severity => v_item ->> 'severity',
        p_references_files => coalesce((select array_agg(e) from jsonb_array_elements_text(
          case jsonb_typeof(v_item -> 'references_files') when 'array' then v_item -> 'references_files' else '[]' end) e), '{}'),
        p_response_to => v_item ->> 'response_to',
        p_response_type => v_item ->> 'response_type',
        p_related_to => coalesce((select array_agg(e) from jsonb_array_elements_text(
          case jsonb_typeof(v_item -> 'related_to') when 'array' then v_item -> 'related_to' else '[]' end) e), '{}'),
        p_confidence => (v_item ->> 'confidence')::double precision,
        p_id => v_item ->> 'id');
    exception when sqlstate 'GV400' or sqlstate 'GV404' or sqlstate 'GV409' or sqlstate 'GV422' then
      -- re-raised with the item index; the whole call still fails, so nothing of the batch is kept
      get stacked diagnostics v_state = returned_sqlstate, v_message = message_text, v_hint = pg_exception_hint,
        v_detail = pg_exception_detail;
      raise exception using errcode = v_state, message = format('items[%s]: %s', v_index, v_message),
        hint = v_hint, detail = v_detail;
    end;
    v_index := v_index + 1;
  end loop;
end;
$fn$;
comment on function knowledge.store_discoveries(jsonb) is
'Stores a JSON array of discoveries in order, all or nothing, and returns the stored rows.
Each item is an object with the keys of store_discovery without the p_ prefix (type is accepted for discovery_type); later items may respond to or relate to earlier ones. Errors: those of store_discovery, naming the item index.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';

drop function if exists knowledge.update_discovery_status(text, text);
create or replace function knowledge.update_discovery_status(p_id text, p_status text, p_actor_agent_id text default null, p_admin boolean default false)
returns knowledge.discoveries
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  d knowledge.discoveries;
begin
  if p_status is null or p_status not in ('open', 'resolved', 'archived', 'disputed') then
    perform knowledge.raise_invalid(array[format('status "%s" is invalid: expected open, resolved, archived or disputed',
      coalesce(p_status, 'null'))]);
  end if;
  if not coalesce(p_admin, false) then
    perform knowledge.require_agent(p_actor_agent_id, 'actor');
  end if;
  d := knowledge.require_discovery(p_id, 'discovery', true);
  if not coalesce(p_admin, false) and d.agent_id is distinct from p_actor_agent_id and p_status <> 'disputed' then
    raise exception using errcode = 'GV403', detail = 'NOT_AUTHOR',
      message = format('Agent "%s" cannot set discovery "%s" (author "%s") to %s: only its author or an admin may; other agents may only mark it disputed',
                       p_actor_agent_id, d.id, d.agent_id, p_status),
      hint = 'Mark it disputed, or ask its author or an admin.';
  end if;
  if d.status::text = p_status then
    return d;
  end if;
  if d.superseded_by is not null then
    raise exception using errcode = 'GV422',
      message = format('Discovery "%s" was superseded by "%s" and stays archived; cannot set status %s', d.id, d.superseded_by, p_status),
      hint = format('Change the status of "%s" instead.', d.superseded_by),
      detail = 'DISCOVERY_SUPERSEDED';
  end if;
  update knowledge.discoveries
  set status = p_status::knowledge.discovery_status,
      resolved_at = case p_status when 'resolved' then now() when 'archived' then resolved_at else null end,
      updated_at = now()
  where id = p_id
  returning * into d;
  perform knowledge.graph_set_discovery_props(p_id);
  return d;
end;
$fn$;
comment on function knowledge.update_discovery_status(text,text,text,boolean) is
'Sets a discovery''s status (open, resolved, archived, disputed) and returns the row.
resolved stamps resolved_at (kept when later archived); open and disputed clear it; a superseded discovery stays archived; the current status again changes nothing. Who: the author (p_actor_agent_id) or an admin (p_admin); any other writing agent may only mark it disputed.
Errors: GV400 INVALID_INPUT; GV403 NOT_AUTHOR; GV404 DISCOVERY_NOT_FOUND; GV422 DISCOVERY_SUPERSEDED; GV423 when the actor cannot write.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';

drop function if exists knowledge.supersede_discovery(text, text, text);
create or replace function knowledge.supersede_discovery(p_old_id text, p_new_id text, p_agent_id text default null, p_admin boolean default false)
returns knowledge.discoveries
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  v_old knowledge.discoveries;
  v_new knowledge.discoveries;
  v_cycle boolean;
begin
  if p_old_id is null or p_new_id is null or p_old_id = p_new_id then
    perform knowledge.raise_invalid(array[format('supersede needs two different discovery ids, got old "%s" and new "%s"',
      coalesce(p_old_id, 'null'), coalesce(p_new_id, 'null'))]);
  end if;
  if p_agent_id is not null then
    perform knowledge.require_agent(p_agent_id, 'actor');
  end if;
  -- lock both rows in id order so two opposite supersedes cannot deadlock
  perform 1 from knowledge.discoveries where id in (p_old_id, p_new_id) order by id for update;
  v_old := knowledge.require_discovery(p_old_id, 'superseded discovery');
  v_new := knowledge.require_discovery(p_new_id, 'superseding discovery');
  if not coalesce(p_admin, false) and v_new.agent_id is distinct from p_agent_id then
    raise exception using errcode = 'GV403', detail = 'NOT_AUTHOR',
      message = format('Agent "%s" cannot supersede with discovery "%s": its author is "%s"; only the author of the superseding discovery or an admin may',
                       coalesce(p_agent_id, '(none)'), p_new_id, v_new.agent_id),
      hint = 'Supersede with a discovery you wrote, or pass admin_token.';
  end if;
  if v_old.superseded_by = p_new_id then
    return v_old;
  end if;
  if v_old.superseded_by is not null then
    raise exception using errcode = 'GV409',
      message = format('Discovery "%s" is already superseded by "%s"', p_old_id, v_old.superseded_by),
      hint = format('Supersede "%s" instead.', v_old.superseded_by),
      detail = 'ALREADY_SUPERSEDED';
  end if;
  with recursive chain (id, depth) as (
    select v_new.superseded_by, 1 where v_new.superseded_by is not null
    union all
    select k.superseded_by, c.depth + 1 from chain c join knowledge.discoveries k on k.id = c.id
    where k.superseded_by is not null and c.depth < 1000
  )
  select exists (select 1 from chain where id = p_old_id) into v_cycle;
  if v_cycle then
    raise exception using errcode = 'GV422',
      message = format('Discovery "%s" is itself (transitively) superseded by "%s"; superseding it back would make a cycle', p_new_id, p_old_id),
      hint = 'Supersede in the other direction, or pick the newest discovery of the chain.',
      detail = 'SUPERSEDE_CYCLE';
  end if;
  update knowledge.discoveries
  set superseded_by = p_new_id, status = 'archived', updated_at = now()
  where id = p_old_id
  returning * into v_old;
  insert into knowledge.discovery_edges (src_id, dst_id, edge_type, created_by)
  values (p_new_id, p_old_id, 'supersedes', p_agent_id)
  on conflict (src_id, dst_id, edge_type) do nothing;
  perform knowledge.graph_set_discovery_props(p_old_id);
  perform knowledge.graph_put_edge(p_new_id, p_old_id, 'supersedes', 1.0, null);
  return v_old;
end;
$fn$;
comment on function knowledge.supersede_discovery(text,text,text,boolean) is
'Marks p_old_id as superseded by p_new_id and returns the old discovery: superseded_by = new, status archived, a supersedes edge new -> old (SUPERSEDES in the graph).
Repeating the same call is a no-op. Who: the author of the superseding discovery (p_agent_id) or an admin (p_admin).
Errors: GV400 INVALID_INPUT; GV403 NOT_AUTHOR; GV404 DISCOVERY_NOT_FOUND; GV409 ALREADY_SUPERSEDED (by another discovery); GV422 SUPERSEDE_CYCLE; GV423 when the actor cannot write.
@nonnull id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';

create or replace function knowledge.link_discoveries(
  p_src_id text,
  p_dst_id text,
  p_edge_type text default 'related_to',
  p_weight double precision default 1.0,
  p_created_by text default null,
  p_metadata jsonb default '{}')
returns knowledge.discovery_edges
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  v_problems text[] := '{}';
  e knowledge.discovery_edges;
begin
  if p_edge_type is null or p_edge_type not in ('related_to', 'disputes', 'extends') then
    v_problems := v_problems || case
      when p_edge_type = 'responds_to' then 'edge type "responds_to" is set when storing a discovery (response_to), not by linking'
      when p_edge_type = 'supersedes' then 'edge type "supersedes" is set by knowledge.supersede_discovery, not by linking'
      else format('edge type "%s" is invalid: expected related_to, disputes or extends', coalesce(p_edge_type, 'null')) end;
  end if;
  if p_weight is null or p_weight = 'NaN'::double precision or p_weight < 0 or p_weight > 1000 then
    v_problems := v_problems || format('weight %s is out of range: expected 0..1000', coalesce(p_weight::text, 'null'));
  end if;
  if p_src_id is not distinct from p_dst_id then
    v_problems := v_problems || format('cannot link discovery "%s" to itself', coalesce(p_src_id, 'null'));
  end if;
  if p_metadata is null or jsonb_typeof(p_metadata) <> 'object' then
    v_problems := v_problems || 'metadata must be a JSON object'::text;
  end if;
  perform knowledge.raise_invalid(v_problems);
  if p_created_by is not null then
    perform knowledge.require_agent(p_created_by, 'creator of the link');
  end if;
  perform knowledge.require_discovery(p_src_id, 'link source');
  perform knowledge.require_discovery(p_dst_id, 'link target');
  insert into knowledge.discovery_edges (src_id, dst_id, edge_type, weight, created_by, metadata)
  values (p_src_id, p_dst_id, p_edge_type::knowledge.edge_type, p_weight, p_created_by, p_metadata)
  on conflict (src_id, dst_id, edge_type) do update
    set weight = excluded.weight, metadata = excluded.metadata,
        created_by = coalesce(knowledge.discovery_edges.created_by, excluded.created_by)
  returning * into e;
  perform knowledge.graph_put_edge(p_src_id, p_dst_id, p_edge_type::knowledge.edge_type, p_weight, null);
  return e;
end;
$fn$;
comment on function knowledge.link_discoveries(text,text,text,double precision,text,jsonb) is
'Links two discoveries with a typed edge (related_to, disputes, extends; projected as RELATED_TO with kind) and returns the edge.
Linking the same pair with the same type again updates weight and metadata (a JSON object).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND / AGENT_NOT_FOUND; GV423 when p_created_by cannot write.
@nonnull src_id, dst_id, edge_type, weight, created_at, metadata';

create or replace function knowledge.add_discovery_note(p_discovery_id text, p_agent_id text, p_note text)
returns knowledge.discovery_notes
language plpgsql
set search_path = knowledge, core, public
as $fn$
declare
  n knowledge.discovery_notes;
begin
  if p_note is null or btrim(p_note) = '' then
    perform knowledge.raise_invalid(array['note is empty: expected 1..20000 characters']);
  elsif char_length(p_note) > 20000 then
    perform knowledge.raise_invalid(array[format('note has %s characters: at most 20000 allowed', char_length(p_note))]);
  end if;
  perform knowledge.require_agent(p_agent_id, 'author of the note');
  perform knowledge.require_discovery(p_discovery_id, 'discovery');
  insert into knowledge.discovery_notes (discovery_id, agent_id, note)
  values (p_discovery_id, p_agent_id, p_note)
  returning * into n;
  return n;
end;
$fn$;
comment on function knowledge.add_discovery_note(text,text,text) is
'Leaves a note on a discovery and returns it (notes are not projected into the graph).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND / AGENT_NOT_FOUND; GV423 when the agent cannot write.
@nonnull *';

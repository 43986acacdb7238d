-- The AGE projection of the knowledge graph (graph governance_graph): incremental projection helpers
-- called by the write functions in knowledge.sql, plus graph_verify and graph_rebuild.
--
-- Relational tables are canonical. The projection is:
--   (:Agent {id})                               one per core.agents row
--   (:Discovery {id, type, status, severity})   one per knowledge.discoveries row (null severity omitted)
--   (:Tag {id})                                 one per distinct knowledge.discovery_tags.tag
--   (Agent)-[:AUTHORED]->(Discovery)            discoveries.agent_id
--   (Discovery)-[:TAGGED]->(Tag)                discovery_tags
--   (Discovery)-[:RESPONDS_TO]->(Discovery)     discoveries.response_to, plus discovery_edges 'responds_to'
--   (new)-[:SUPERSEDES]->(old)                  discoveries.superseded_by, plus discovery_edges 'supersedes'
--   (Discovery)-[:RELATED_TO {kind}]->(Discovery) discovery_edges 'related_to' / 'disputes' / 'extends'
--   (parent:Agent)-[:SPAWNED]->(child:Agent)    core.agents.parent_agent_id
-- Every Discovery-to-Discovery edge carries scope = 'discovery': AGE 1.5 cannot match several edge
-- labels in one variable-length pattern, so related_discoveries filters on that property instead.
--
-- AGE 1.5 notes (measured): MERGE after UNWIND, and SET after MERGE, silently lose properties
-- (apache/age#1709, #1691), so the incremental path never uses MERGE: it MATCHes, then CREATEs what is
-- missing, under an advisory lock per Agent/Tag id so concurrent writers cannot create duplicates.
-- Cypher CREATE of edges over UNWIND lists costs ~1 ms per edge at 100k vertices, so graph_rebuild
-- writes the label tables with set-based SQL instead (about 1 s per 100k edges).

-- ---------------------------------------------------------------- incremental projection

create or replace function knowledge.graph_ensure_agent(p_agent_id text) returns void
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $fn$
declare
  v_params agtype := ag_catalog.agtype_build_map('id', p_agent_id);
  v_found bigint;
begin
  perform pg_advisory_xact_lock(hashtextextended('govdb.graph.Agent:' || p_agent_id, 0));
  select count(*) into v_found from ag_catalog.cypher('governance_graph', $cy$
    MATCH (a:Agent) WHERE a.id = $id RETURN a.id
  $cy$, v_params) as (id agtype);
  if v_found = 0 then
    perform * from ag_catalog.cypher('governance_graph', $cy$
      CREATE (:Agent {id: $id})
    $cy$, v_params) as (v agtype);
  end if;
end;
$fn$;
comment on function knowledge.graph_ensure_agent(text) is
'Makes sure one AGE Agent vertex exists for p_agent_id.
The agents functions create it on onboarding; agents loaded without one (a bulk import) get it on their first knowledge write.';

create or replace function knowledge.graph_ensure_tags(p_tags text[]) returns void
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $fn$
declare
  v_tags text[];
  v_missing jsonb;
  v_params agtype;
begin
  select coalesce(array_agg(distinct t order by t), '{}') into v_tags from unnest(p_tags) t;
  if cardinality(v_tags) = 0 then
    return;
  end if;
  perform pg_advisory_xact_lock(hashtextextended('govdb.graph.Tag:' || t, 0)) from unnest(v_tags) t order by t;
  v_params := ag_catalog.agtype_build_map('tags', to_jsonb(v_tags)::text::agtype);
  select coalesce(jsonb_agg(t), '[]') into v_missing
  from unnest(v_tags) t
  where t not in (
    select existing.tag::text from ag_catalog.cypher('governance_graph', $cy$
      MATCH (g:Tag) WHERE g.id IN $tags RETURN g.id
    $cy$, v_params) as existing(tag agtype));
  if jsonb_array_length(v_missing) > 0 then
    v_params := ag_catalog.agtype_build_map('tags', v_missing::text::agtype);
    perform * from ag_catalog.cypher('governance_graph', $cy$
      UNWIND $tags AS t CREATE (:Tag {id: t})
    $cy$, v_params) as (v agtype);
  end if;
end;
$fn$;
comment on function knowledge.graph_ensure_tags(text[]) is
'Makes sure one AGE Tag vertex exists per tag (tags already normalised).
Locks are taken in sorted order, so two writers with overlapping tag sets cannot deadlock.';

create or replace function knowledge.graph_add_discovery(p_id text) returns void
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $fn$
declare
  d knowledge.discoveries;
  v_params agtype;
begin
  select * into strict d from knowledge.discoveries where id = p_id;
  perform knowledge.graph_ensure_agent(d.agent_id);
  perform knowledge.graph_ensure_tags(d.tags);
  v_params := (jsonb_build_object('id', d.id, 'agent_id', d.agent_id, 'type', d.discovery_type,
    'status', d.status, 'severity', d.severity, 'tags', to_jsonb(d.tags)))::text::agtype;
  -- LIMIT 1: even a duplicated Agent vertex must not yield two Discovery vertices
  perform * from ag_catalog.cypher('governance_graph', $cy$
    MATCH (a:Agent) WHERE a.id = $agent_id
    WITH a LIMIT 1
    CREATE (a)-[:AUTHORED]->(:Discovery {id: $id, type: $type, status: $status, severity: $severity})
  $cy$, v_params) as (v agtype);
  if cardinality(d.tags) > 0 then
    perform * from ag_catalog.cypher('governance_graph', $cy$
      MATCH (d:Discovery) WHERE d.id = $id
      WITH d LIMIT 1
      UNWIND $tags AS t
      MATCH (g:Tag) WHERE g.id = t
      CREATE (d)-[:TAGGED]->(g)
    $cy$, v_params) as (v agtype);
  end if;
end;
$fn$;
comment on function knowledge.graph_add_discovery(text) is
'Projects a discovery that was just inserted into the AGE graph: its vertex, AUTHORED and TAGGED edges.
Its Discovery-to-Discovery edges are projected by the caller with knowledge.graph_put_edge.';

create or replace function knowledge.graph_set_discovery_props(p_id text) returns void
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $fn$
declare
  d knowledge.discoveries;
  v_params agtype;
begin
  select * into strict d from knowledge.discoveries where id = p_id;
  v_params := (jsonb_build_object('id', d.id, 'type', d.discovery_type, 'status', d.status,
    'severity', d.severity))::text::agtype;
  perform * from ag_catalog.cypher('governance_graph', $cy$
    MATCH (d:Discovery) WHERE d.id = $id
    SET d.type = $type, d.status = $status, d.severity = $severity
  $cy$, v_params) as (v agtype);
end;
$fn$;
comment on function knowledge.graph_set_discovery_props(text) is
'Copies type, status and severity of a discovery onto its AGE vertex (after a status change or supersede).';

create or replace function knowledge.graph_edge_props(
  p_edge_type knowledge.edge_type, p_weight double precision, p_response_type knowledge.response_type)
returns jsonb
language sql immutable
as $fn$
  select case
    when p_edge_type in ('related_to', 'disputes', 'extends') then
      jsonb_build_object('scope', 'discovery', 'kind', p_edge_type::text, 'weight', coalesce(p_weight, 1.0))
    when p_edge_type = 'responds_to' then
      jsonb_strip_nulls(jsonb_build_object('scope', 'discovery', 'response_type', p_response_type::text))
    else jsonb_build_object('scope', 'discovery')
  end
$fn$;
comment on function knowledge.graph_edge_props(knowledge.edge_type,double precision,knowledge.response_type) is
'The properties (JSON object) a projected Discovery-to-Discovery edge carries, by relational edge type.';

-- AGE cannot SET a whole map from a parameter, hence one SET per property; SET to null removes one.
create or replace function knowledge.graph_put_edge(
  p_src_id text, p_dst_id text, p_edge_type knowledge.edge_type,
  p_weight double precision default 1.0, p_response_type knowledge.response_type default null)
returns void
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $fn$
declare
  v_props jsonb := knowledge.graph_edge_props(p_edge_type, p_weight, p_response_type);
  v_params agtype := (jsonb_build_object('src', p_src_id, 'dst', p_dst_id, 'scope', v_props -> 'scope',
    'kind', v_props -> 'kind', 'weight', v_props -> 'weight', 'response_type', v_props -> 'response_type'))::text::agtype;
  v_found bigint;
begin
  if p_edge_type in ('related_to', 'disputes', 'extends') then
    select count(*) into v_found from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[e:RELATED_TO]->(d:Discovery)
      WHERE s.id = $src AND d.id = $dst AND e.kind = $kind
      SET e.scope = $scope, e.weight = $weight
      RETURN id(e)
    $cy$, v_params) as (id agtype);
    if v_found = 0 then
      perform * from ag_catalog.cypher('governance_graph', $cy$
        MATCH (s:Discovery), (d:Discovery) WHERE s.id = $src AND d.id = $dst
        WITH s, d LIMIT 1
        CREATE (s)-[:RELATED_TO {scope: $scope, kind: $kind, weight: $weight}]->(d)
      $cy$, v_params) as (v agtype);
    end if;
  elsif p_edge_type = 'responds_to' then
    select count(*) into v_found from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[e:RESPONDS_TO]->(d:Discovery)
      WHERE s.id = $src AND d.id = $dst
      SET e.scope = $scope, e.response_type = $response_type
      RETURN id(e)
    $cy$, v_params) as (id agtype);
    if v_found = 0 then
      perform * from ag_catalog.cypher('governance_graph', $cy$
        MATCH (s:Discovery), (d:Discovery) WHERE s.id = $src AND d.id = $dst
        WITH s, d LIMIT 1
        CREATE (s)-[:RESPONDS_TO {scope: $scope, response_type: $response_type}]->(d)
      $cy$, v_params) as (v agtype);
    end if;
  else
    select count(*) into v_found from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[e:SUPERSEDES]->(d:Discovery)
      WHERE s.id = $src AND d.id = $dst
      SET e.scope = $scope
      RETURN id(e)
    $cy$, v_params) as (id agtype);
    if v_found = 0 then
      perform * from ag_catalog.cypher('governance_graph', $cy$
        MATCH (s:Discovery), (d:Discovery) WHERE s.id = $src AND d.id = $dst
        WITH s, d LIMIT 1
        CREATE (s)-[:SUPERSEDES {scope: $scope}]->(d)
      $cy$, v_params) as (v agtype);
    end if;
  end if;
end;
$fn$;
comment on function knowledge.graph_put_edge(text,text,knowledge.edge_type,double precision,knowledge.response_type) is
'Creates, or updates the properties of, the projected AGE edge of one relational discovery edge.
related_to, disputes and extends become RELATED_TO {kind}; responds_to RESPONDS_TO; supersedes SUPERSEDES. The caller holds the relational row, which serializes writers of the same edge.';

-- ---------------------------------------------------------------- what the projection should be

create or replace function knowledge.graph_expected_vertices()
returns table (label text, id text, props jsonb, create_props jsonb)
language sql stable
rows 100000
set search_path = knowledge, core, public
as $fn$
  select 'Agent', a.id, null::jsonb,
    jsonb_strip_nulls(jsonb_build_object('id', a.id, 'label', a.label, 'status', a.status::text))
  from core.agents a
  union all
  select 'Discovery', d.id, x.props, x.props || jsonb_build_object('id', d.id)
  from knowledge.discoveries d
  cross join lateral (select jsonb_strip_nulls(jsonb_build_object(
    'type', d.discovery_type, 'status', d.status::text, 'severity', d.severity::text)) as props) x
  union all
  select 'Tag', t.tag, null::jsonb, jsonb_build_object('id', t.tag) from (select distinct tag from knowledge.discovery_tags) t
$fn$;
comment on function knowledge.graph_expected_vertices() is
'The AGE vertices the relational tables call for (Agent, Discovery, Tag).
props is compared only where not null (Discovery); create_props is what graph_rebuild writes for a missing vertex.';

create or replace function knowledge.graph_expected_edges()
returns table (label text, src_id text, dst_id text, kind text, props jsonb, create_props jsonb)
language sql stable
rows 500000
set search_path = knowledge, core, public
as $fn$
  select 'AUTHORED', d.agent_id, d.id, null::text, null::jsonb, '{}'::jsonb from knowledge.discoveries d
  union all
  select 'TAGGED', t.discovery_id, t.tag, null, null, '{}' from knowledge.discovery_tags t
  union all
  select 'RESPONDS_TO', r.src, r.dst, null, r.props, r.props
  from (
    select distinct on (src, dst) src, dst, knowledge.graph_edge_props('responds_to', null, response_type) as props
    from (
      select d.id as src, d.response_to as dst, d.response_type, 0 as pref
      from knowledge.discoveries d where d.response_to is not null
      union all
      select e.src_id, e.dst_id, e.response_type, 1 from knowledge.discovery_edges e where e.edge_type = 'responds_to'
    ) x
    order by src, dst, pref
  ) r
  union all
  select 'SUPERSEDES', s.src, s.dst, null, s.props, s.props
  from (
    select x.src, x.dst, knowledge.graph_edge_props('supersedes', null, null) as props
    from (
      select d.superseded_by as src, d.id as dst from knowledge.discoveries d where d.superseded_by is not null
      union
      select e.src_id, e.dst_id from knowledge.discovery_edges e where e.edge_type = 'supersedes'
    ) x
  ) s
  union all
  select 'RELATED_TO', e.src_id, e.dst_id, e.edge_type::text, p.props, p.props
  from knowledge.discovery_edges e
  cross join lateral (select knowledge.graph_edge_props(e.edge_type, e.weight, null) as props) p
  where e.edge_type in ('related_to', 'disputes', 'extends')
  union all
  select 'SPAWNED', a.parent_agent_id, a.id, null, null, jsonb_strip_nulls(jsonb_build_object('reason', a.spawn_reason))
  from core.agents a where a.parent_agent_id is not null
$fn$;
comment on function knowledge.graph_expected_edges() is
'The AGE edges the relational tables call for.
kind is part of an edge''s identity (RELATED_TO only); props is compared where not null; create_props is what graph_rebuild writes for a missing edge.';

-- ---------------------------------------------------------------- what the projection is (read through Cypher)

create or replace function knowledge.graph_actual_vertices()
returns table (label text, id text, props jsonb)
language plpgsql stable
rows 100000
set search_path = ag_catalog, core, knowledge, public
as $fn$
begin
  return query
  select v.label::text, v.id::text,
    jsonb_strip_nulls(jsonb_build_object('type', v.type::text, 'status', v.status::text, 'severity', v.severity::text))
  from ag_catalog.cypher('governance_graph', $cy$
    MATCH (n) RETURN label(n), n.id, n.type, n.status, n.severity
  $cy$) as v(label agtype, id agtype, type agtype, status agtype, severity agtype)
  where v.label::text in ('Agent', 'Discovery', 'Tag');
end;
$fn$;
comment on function knowledge.graph_actual_vertices() is
'The vertices of the AGE graph (label, id, props), read through Cypher, for comparison with knowledge.graph_expected_vertices.';

create or replace function knowledge.graph_actual_edges()
returns table (label text, src_id text, dst_id text, kind text, props jsonb)
language plpgsql stable
rows 500000
set search_path = ag_catalog, core, knowledge, public
as $fn$
begin
  return query
  select e.label::text, e.src::text, e.dst::text,
    case when e.label::text = 'RELATED_TO' then e.kind::text end,
    jsonb_strip_nulls(jsonb_build_object('scope', e.scope::text, 'kind', e.kind::text,
      'weight', e.weight::text::double precision, 'response_type', e.response_type::text))
  from ag_catalog.cypher('governance_graph', $cy$
    MATCH (a)-[r]->(b) RETURN label(r), a.id, b.id, r.kind, r.scope, r.weight, r.response_type
  $cy$) as e(label agtype, src agtype, dst agtype, kind agtype, scope agtype, weight agtype, response_type agtype)
  where e.label::text in ('AUTHORED', 'TAGGED', 'RESPONDS_TO', 'SUPERSEDES', 'RELATED_TO', 'SPAWNED');
end;
$fn$;
comment on function knowledge.graph_actual_edges() is
'The edges of the AGE graph (label, src_id, dst_id, kind, props), read through Cypher, for comparison with knowledge.graph_expected_edges.';

-- ---------------------------------------------------------------- verify

create or replace function knowledge.graph_verify_sampled(p_sample_limit integer)
returns table (
  element text, label text, expected_count bigint, actual_count bigint,
  missing_count bigint, extra_count bigint, duplicate_count bigint, stale_count bigint,
  missing_ids text[], extra_ids text[], stale_ids text[], ok boolean)
language plpgsql
rows 10
set search_path = ag_catalog, core, knowledge, public
as $fn$
#variable_conflict use_column
begin
  if p_sample_limit is null or p_sample_limit < 0 or p_sample_limit > 10000 then
    raise exception using errcode = 'GV400',
      message = format('sample limit %s is out of range: expected 0..10000', coalesce(p_sample_limit::text, 'null')),
      detail = 'INVALID_LIMIT';
  end if;
  return query
  with expected as materialized (
    select 'vertex' as element, v.label, coalesce(v.id, '(no id)') as key, v.props from knowledge.graph_expected_vertices() v
    union all
    select 'edge', e.label, knowledge.graph_edge_key(e.src_id, e.dst_id, e.kind), e.props from knowledge.graph_expected_edges() e
  ),
  actual as materialized (
    select 'vertex' as element, v.label, coalesce(v.id, '(no id)') as key, v.props from knowledge.graph_actual_vertices() v
    union all
    select 'edge', e.label, knowledge.graph_edge_key(e.src_id, e.dst_id, e.kind), e.props from knowledge.graph_actual_edges() e
  ),
  actual_keys as (
    select a.element, a.label, a.key, count(*) as n, (array_agg(a.props))[1] as props
    from actual a group by a.element, a.label, a.key
  ),
  labels (element, label, ord) as (
    values ('vertex', 'Agent', 1), ('vertex', 'Discovery', 2), ('vertex', 'Tag', 3),
      ('edge', 'AUTHORED', 4), ('edge', 'TAGGED', 5), ('edge', 'RESPONDS_TO', 6),
      ('edge', 'RELATED_TO', 7), ('edge', 'SUPERSEDES', 8), ('edge', 'SPAWNED', 9)
  ),
  diff as (
    select coalesce(x.element, k.element) as element, coalesce(x.label, k.label) as label,
      coalesce(x.key, k.key) as key,
      case
        when k.key is null then 'missing'
        when x.key is null then 'extra'
        when x.props is not null and x.props is distinct from k.props then 'stale'
        else 'same'
      end as state,
      coalesce(k.n, 0) as n
    from expected x
    full join actual_keys k on k.element = x.element and k.label = x.label and k.key = x.key
  ),
  per_label as (
    select d.element, d.label,
      count(*) filter (where d.state <> 'extra') as expected_count,
      coalesce(sum(d.n), 0)::bigint as actual_count,
      count(*) filter (where d.state = 'missing') as missing_count,
      count(*) filter (where d.state = 'extra') as extra_count,
      coalesce(sum(d.n - 1) filter (where d.n > 1), 0)::bigint as duplicate_count,
      count(*) filter (where d.state = 'stale') as stale_count,
      (array_agg(d.key order by d.key) filter (where d.state = 'missing'))[1:p_sample_limit] as missing_ids,
      (array_agg(d.key order by d.key) filter (where d.state = 'extra'))[1:p_sample_limit] as extra_ids,
      (array_agg(d.key order by d.key) filter (where d.state = 'stale'))[1:p_sample_limit] as stale_ids
    from diff d group by d.element, d.label
  )
  select l.element, l.label,
    coalesce(p.expected_count, 0), coalesce(p.actual_count, 0),
    coalesce(p.missing_count, 0), coalesce(p.extra_count, 0),
    coalesce(p.duplicate_count, 0), coalesce(p.stale_count, 0),
    coalesce(p.missing_ids, '{}'), coalesce(p.extra_ids, '{}'), coalesce(p.stale_ids, '{}'),
    coalesce(p.missing_count + p.extra_count + p.duplicate_count + p.stale_count, 0) = 0
  from labels l left join per_label p on p.element = l.element and p.label = l.label
  order by l.ord;
end;
$fn$;
comment on function knowledge.graph_verify_sampled(integer) is
'Compares the relational tables with the AGE projection, with id samples of at most p_sample_limit keys.
One row per element and label. A key is the id (vertices) or src -> dst (src -[kind]-> dst for RELATED_TO). missing: expected but not in the graph; extra: in the graph but not expected; duplicate_count: graph elements beyond the first with the same key; stale: present with other properties. Counts are exact; id lists are sorted samples; ok when nothing is missing, extra, duplicate or stale.
@nonnull *';

create or replace function knowledge.graph_verify()
returns table (
  element text, label text, expected_count bigint, actual_count bigint,
  missing_count bigint, extra_count bigint, duplicate_count bigint, stale_count bigint,
  missing_ids text[], extra_ids text[], stale_ids text[], ok boolean)
language sql
rows 10
as $fn$
  select * from knowledge.graph_verify_sampled(20)
$fn$;
comment on function knowledge.graph_verify() is
'knowledge.graph_verify_sampled with samples of 20 keys (the legacy importer calls it).
One row per element and label. A key is the id (vertices) or src -> dst (src -[kind]-> dst for RELATED_TO). missing: expected but not in the graph; extra: in the graph but not expected; duplicate_count: graph elements beyond the first with the same key; stale: present with other properties. Counts are exact; id lists are sorted samples; ok when nothing is missing, extra, duplicate or stale.
@nonnull *';

create or replace function knowledge.graph_edge_key(p_src text, p_dst text, p_kind text) returns text
language sql immutable
as $fn$
  select coalesce(p_src, '(no id)')
    || case when p_kind is null then ' -> ' else ' -[' || p_kind || ']-> ' end
    || coalesce(p_dst, '(no id)')
$fn$;
comment on function knowledge.graph_edge_key(text,text,text) is
'The comparison key of an edge: src -> dst, or src -[kind]-> dst when kind is given; (no id) stands in for a missing end.
@nonnull *';

-- ---------------------------------------------------------------- rebuild

-- Set-based SQL into the label tables (graph ids from each label's own sequence, the default AGE's
-- CREATE uses too) is what makes it fast enough for bulk loads; graph_verify reads the result back
-- through Cypher, so the two do not share a code path.
create or replace function knowledge.graph_rebuild()
returns table (element text, label text, deleted bigint, created bigint, updated bigint)
language plpgsql
set search_path = ag_catalog, core, knowledge, public
as $fn$
#variable_conflict use_column
declare
  v_label text;
  v_deleted bigint;
  v_created bigint;
  v_updated bigint;
begin
  lock table core.agents, knowledge.discoveries, knowledge.discovery_tags, knowledge.discovery_edges
    in share row exclusive mode;

  -- (a second rebuild in the same transaction finds the previous one's tables)
  if to_regclass('pg_temp.rebuild_vertices') is not null then
    drop table pg_temp.rebuild_expected_vertices, pg_temp.rebuild_vertices,
      pg_temp.rebuild_expected_edges, pg_temp.rebuild_edges;
  end if;

  -- ---- vertices
  create temp table rebuild_expected_vertices on commit drop as
    select x.label, x.id, x.props, x.create_props from knowledge.graph_expected_vertices() x;
  create temp table rebuild_vertices on commit drop as
    select 'Agent'::text as label, v.id as gid, ag_catalog.agtype_access_operator(variadic array[v.properties, '"id"'::agtype])::text as id, v.properties
    from governance_graph."Agent" v
    union all
    select 'Discovery', v.id, ag_catalog.agtype_access_operator(variadic array[v.properties, '"id"'::agtype])::text, v.properties
    from governance_graph."Discovery" v
    union all
    select 'Tag', v.id, ag_catalog.agtype_access_operator(variadic array[v.properties, '"id"'::agtype])::text, v.properties
    from governance_graph."Tag" v;
  analyze rebuild_expected_vertices;
  analyze rebuild_vertices;

  foreach v_label in array array['Agent', 'Discovery', 'Tag'] loop
    -- extra vertices and duplicates (the lowest graph id of an id is kept), with every edge touching them
    create temp table rebuild_doomed on commit drop as
      select g.gid from (
        select r.gid, r.id, row_number() over (partition by r.id order by r.gid) as nth
        from rebuild_vertices r where r.label = v_label) g
      left join rebuild_expected_vertices x on x.label = v_label and x.id = g.id
      where g.id is null or x.id is null or g.nth > 1;
    delete from governance_graph._ag_label_edge e where e.start_id in (select gid from rebuild_doomed);
    delete from governance_graph._ag_label_edge e where e.end_id in (select gid from rebuild_doomed);
    delete from governance_graph._ag_label_vertex v where v.id in (select gid from rebuild_doomed);
    get diagnostics v_deleted = row_count;
    delete from rebuild_vertices r where r.gid in (select gid from rebuild_doomed);
    drop table rebuild_doomed;

    -- stale Discovery properties (found from the snapshot, then rewritten by graph id)
    v_updated := 0;
    if v_label = 'Discovery' then
      create temp table rebuild_stale on commit drop as
        select g.gid, x.create_props from rebuild_vertices g
        join rebuild_expected_vertices x on x.label = 'Discovery' and x.id = g.id
        where g.label = 'Discovery'
          and x.props is distinct from jsonb_strip_nulls(jsonb_build_object(
            'type', ag_catalog.agtype_access_operator(variadic array[g.properties, '"type"'::agtype])::text,
            'status', ag_catalog.agtype_access_operator(variadic array[g.properties, '"status"'::agtype])::text,
            'severity', ag_catalog.agtype_access_operator(variadic array[g.properties, '"severity"'::agtype])::text));
      analyze rebuild_stale;
      update governance_graph."Discovery" v set properties = s.create_props::text::agtype
      from rebuild_stale s where v.id = s.gid;
      get diagnostics v_updated = row_count;
      drop table rebuild_stale;
    end if;

    -- missing vertices (label names come from the fixed list above)
    execute format($sql$
      with made as (
        insert into governance_graph.%1$I (properties)
        select x.create_props::text::ag_catalog.agtype
        from pg_temp.rebuild_expected_vertices x
        left join pg_temp.rebuild_vertices g on g.label = x.label and g.id = x.id
        where x.label = %2$L and g.id is null
        returning id, properties
      )
      insert into pg_temp.rebuild_vertices (label, gid, id, properties)
      select %2$L, m.id, ag_catalog.agtype_access_operator(variadic array[m.properties, '"id"'::ag_catalog.agtype])::text, m.properties
      from made m
    $sql$, v_label, v_label);
    get diagnostics v_created = row_count;

    element := 'vertex'; label := v_label; deleted := v_deleted; created := v_created; updated := v_updated;
    return next;
  end loop;
  analyze rebuild_vertices;

  -- ---- edges: expected ones resolved to graph ids, and the actual ones
  create temp table rebuild_expected_edges on commit drop as
    select x.label, s.gid as start_id, d.gid as end_id, coalesce(x.kind, '') as kind, x.props, x.create_props
    from knowledge.graph_expected_edges() x
    join rebuild_vertices s on s.label = case when x.label in ('AUTHORED', 'SPAWNED') then 'Agent' else 'Discovery' end
      and s.id = x.src_id
    join rebuild_vertices d on d.label = case x.label when 'TAGGED' then 'Tag' when 'SPAWNED' then 'Agent' else 'Discovery' end
      and d.id = x.dst_id;
  create temp table rebuild_edges on commit drop as
    select 'AUTHORED'::text as label, e.id as gid, e.start_id, e.end_id, e.properties from governance_graph."AUTHORED" e
    union all select 'TAGGED', e.id, e.start_id, e.end_id, e.properties from governance_graph."TAGGED" e
    union all select 'RESPONDS_TO', e.id, e.start_id, e.end_id, e.properties from governance_graph."RESPONDS_TO" e
    union all select 'RELATED_TO', e.id, e.start_id, e.end_id, e.properties from governance_graph."RELATED_TO" e
    union all select 'SUPERSEDES', e.id, e.start_id, e.end_id, e.properties from governance_graph."SUPERSEDES" e
    union all select 'SPAWNED', e.id, e.start_id, e.end_id, e.properties from governance_graph."SPAWNED" e;
  alter table rebuild_edges add column kind text not null default '';
  update rebuild_edges r
  set kind = coalesce(ag_catalog.agtype_access_operator(variadic array[r.properties, '"kind"'::agtype])::text, '')
  where r.label = 'RELATED_TO';
  analyze rebuild_expected_edges;
  analyze rebuild_edges;

  foreach v_label in array array['AUTHORED', 'TAGGED', 'RESPONDS_TO', 'RELATED_TO', 'SUPERSEDES', 'SPAWNED'] loop
    -- extra edges and duplicates (lowest graph id kept)
    create temp table rebuild_doomed on commit drop as
      select g.gid from (
        select r.*, row_number() over (partition by r.start_id, r.end_id, r.kind order by r.gid) as nth
        from rebuild_edges r where r.label = v_label) g
      left join rebuild_expected_edges x
        on x.label = v_label and x.start_id = g.start_id and x.end_id = g.end_id and x.kind = g.kind
      where x.label is null or g.nth > 1;
    delete from governance_graph._ag_label_edge e where e.id in (select gid from rebuild_doomed);
    get diagnostics v_deleted = row_count;
    delete from rebuild_edges r where r.gid in (select gid from rebuild_doomed);
    drop table rebuild_doomed;

    -- stale properties, only where the expected edge has properties (found from the snapshot, then
    -- rewritten by graph id)
    create temp table rebuild_stale on commit drop as
      select g.gid, x.props from rebuild_edges g
      join rebuild_expected_edges x
        on x.label = g.label and x.start_id = g.start_id and x.end_id = g.end_id and x.kind = g.kind
      where g.label = v_label and x.props is not null
        and x.props is distinct from jsonb_strip_nulls(jsonb_build_object(
          'scope', ag_catalog.agtype_access_operator(variadic array[g.properties, '"scope"'::agtype])::text,
          'kind', ag_catalog.agtype_access_operator(variadic array[g.properties, '"kind"'::agtype])::text,
          'weight', ag_catalog.agtype_access_operator(variadic array[g.properties, '"weight"'::agtype])::text::double precision,
          'response_type', ag_catalog.agtype_access_operator(variadic array[g.properties, '"response_type"'::agtype])::text));
    analyze rebuild_stale;
    execute format($sql$
      update governance_graph.%1$I e set properties = s.props::text::ag_catalog.agtype
      from pg_temp.rebuild_stale s where e.id = s.gid
    $sql$, v_label);
    get diagnostics v_updated = row_count;
    drop table rebuild_stale;

    -- missing edges
    execute format($sql$
      insert into governance_graph.%1$I (start_id, end_id, properties)
      select x.start_id, x.end_id, x.create_props::text::ag_catalog.agtype
      from pg_temp.rebuild_expected_edges x
      left join pg_temp.rebuild_edges g
        on g.label = x.label and g.start_id = x.start_id and g.end_id = x.end_id and g.kind = x.kind
      where x.label = %2$L and g.gid is null
    $sql$, v_label, v_label);
    get diagnostics v_created = row_count;

    element := 'edge'; label := v_label; deleted := v_deleted; created := v_created; updated := v_updated;
    return next;
  end loop;
end;
$fn$;
comment on function knowledge.graph_rebuild() is
'Re-projects the relational tables into the AGE graph and returns what it changed per element and label (deleted, created, updated counts).
It repairs rather than wipes: right vertices keep their graph ids, extra and duplicate vertices are removed with their edges, stale properties are rewritten, missing elements are created. Writers are blocked for its duration; readers are not.';

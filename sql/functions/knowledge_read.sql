-- Knowledge reads: a discovery with its response chain, its notes, discoveries similar by tags or
-- near in the graph, and counts. Read-only (stable); the write paths are in knowledge.sql, full-text
-- search in knowledge_search.sql. Errors: GV400 invalid input (all problems of one call in one
-- message), GV404 unknown discovery.

create or replace function knowledge.get_discovery(p_id text, p_max_depth integer default 20)
returns table (
  relation text, depth integer, id text, agent_id text, discovery_type text, severity text, status text,
  summary text, details text, tags text[], references_files text[], response_to text, response_type text,
  superseded_by text, confidence double precision, provenance jsonb,
  created_at timestamptz, updated_at timestamptz, resolved_at timestamptz)
language plpgsql stable
rows 3
set search_path = knowledge, core, public
as $fn$
#variable_conflict use_column
begin
  if p_max_depth is null or p_max_depth < 0 or p_max_depth > 1000 then
    perform knowledge.raise_invalid(array[format('max_depth %s is out of range: expected 0..1000', coalesce(p_max_depth::text, 'null'))]);
  end if;
  perform knowledge.require_discovery(p_id);
  return query
  with recursive ancestors (id, depth, path) as (
    select d.response_to, 1, array[d.id] from knowledge.discoveries d where d.id = p_id and d.response_to is not null
    union all
    select d.response_to, a.depth + 1, a.path || d.id
    from ancestors a join knowledge.discoveries d on d.id = a.id
    where d.response_to is not null and a.depth < p_max_depth and not d.response_to = any(a.path)
  ),
  chain (relation, depth, id, ord) as (
    select 'self', 0, p_id, 0::bigint
    union all
    select 'ancestor', a.depth, a.id, a.depth::bigint from ancestors a
    union all
    select 'response', 1, r.id, 1000000 + row_number() over (order by r.created_at, r.id)
    from knowledge.discoveries r where r.response_to = p_id
  )
  select c.relation, c.depth, d.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text,
    d.summary, d.details, d.tags, d.references_files, d.response_to, d.response_type::text,
    d.superseded_by, d.confidence, d.provenance, d.created_at, d.updated_at, d.resolved_at
  from chain c join knowledge.discoveries d on d.id = c.id
  order by c.ord;
end;
$fn$;
comment on function knowledge.get_discovery(text,integer) is
'A discovery with its response chain.
relation self (depth 0), ancestor (depth 1 = the discovery it responds to, 2 = that one''s target, ...; at most p_max_depth, 0..1000) and response (direct responses, depth 1, oldest first).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull relation, depth, id, agent_id, discovery_type, status, summary, details, tags, references_files, provenance, created_at, updated_at';

create or replace function knowledge.list_discovery_notes(p_discovery_id text, p_limit integer default 100)
returns setof knowledge.discovery_notes
language plpgsql stable
rows 20
set search_path = knowledge, core, public
as $fn$
begin
  if p_limit is null or p_limit < 1 or p_limit > 1000 then
    perform knowledge.raise_invalid(array[format('limit %s is out of range: expected 1..1000', coalesce(p_limit::text, 'null'))]);
  end if;
  perform knowledge.require_discovery(p_discovery_id);
  return query
  select * from knowledge.discovery_notes n where n.discovery_id = p_discovery_id
  order by n.created_at, n.id limit p_limit;
end;
$fn$;
comment on function knowledge.list_discovery_notes(text,integer) is
'The notes of a discovery, oldest first, at most p_limit (1..1000).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull *';

create or replace function knowledge.similar_discoveries(p_id text, p_limit integer default 10)
returns table (
  id text, agent_id text, discovery_type text, status text, summary text, tags text[],
  shared_tags text[], shared_count integer, score double precision, created_at timestamptz)
language plpgsql stable
rows 10
set search_path = knowledge, core, public
as $fn$
#variable_conflict use_column
declare
  v_self knowledge.discoveries;
begin
  if p_limit is null or p_limit < 1 or p_limit > 500 then
    perform knowledge.raise_invalid(array[format('limit %s is out of range: expected 1..500', coalesce(p_limit::text, 'null'))]);
  end if;
  v_self := knowledge.require_discovery(p_id);
  return query
  with shared as (
    select t.discovery_id, array_agg(t.tag order by t.tag) as tags, count(*)::integer as n
    from knowledge.discovery_tags t
    where t.tag = any(v_self.tags) and t.discovery_id <> p_id
    group by t.discovery_id
  )
  select d.id, d.agent_id, d.discovery_type, d.status::text, d.summary, d.tags, s.tags, s.n,
    s.n::double precision / (cardinality(d.tags) + cardinality(v_self.tags) - s.n), d.created_at
  from shared s join knowledge.discoveries d on d.id = s.discovery_id
  order by s.n desc, 9 desc, d.created_at desc, d.id
  limit p_limit;
end;
$fn$;
comment on function knowledge.similar_discoveries(text,integer) is
'Discoveries sharing tags with p_id, most shared tags first, at most p_limit (1..500).
shared_tags sorted; score: the Jaccard index of the two tag sets, in (0, 1].
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull *';

create or replace function knowledge.related_discoveries(p_id text, p_max_hops integer default 2, p_limit integer default 50)
returns table (
  id text, hops integer, agent_id text, discovery_type text, status text, summary text, created_at timestamptz)
language plpgsql stable
rows 20
set search_path = knowledge, core, public
as $fn$
#variable_conflict use_column
declare
  v_problems text[] := '{}';
begin
  if p_max_hops is null or p_max_hops < 1 or p_max_hops > 3 then
    v_problems := v_problems || format('max_hops %s is out of range: expected 1..3', coalesce(p_max_hops::text, 'null'));
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 500 then
    v_problems := v_problems || format('limit %s is out of range: expected 1..500', coalesce(p_limit::text, 'null'));
  end if;
  perform knowledge.raise_invalid(v_problems);
  perform knowledge.require_discovery(p_id);
  return query
  select d.id, h.hops, d.agent_id, d.discovery_type, d.status::text, d.summary, d.created_at
  from knowledge.graph_related_ids(p_id, p_max_hops) h join knowledge.discoveries d on d.id = h.id
  order by h.hops, d.created_at desc, d.id
  limit p_limit;
end;
$fn$;
comment on function knowledge.related_discoveries(text,integer,integer) is
'Discoveries within p_max_hops (1..3) of p_id over RELATED_TO, RESPONDS_TO and SUPERSEDES edges in either direction, nearest first, at most p_limit (1..500).
hops is the shortest distance found (knowledge.graph_related_ids).
Errors: GV400 INVALID_INPUT; GV404 DISCOVERY_NOT_FOUND.
@nonnull *';

-- Why not a variable-length match (s)-[*1..N]-(o): AGE 1.5 answers it by loading the whole graph into
-- a per-transaction context first (0.3-1.8 s at 100k discoveries / 500k edges). And why not undirected
-- fixed-length edges (s)-[]-(o): their join cannot use the start_id/end_id indexes and is planned as a
-- scan of every edge (seconds). So every hop count is spelled out as directed fixed-length patterns,
-- one UNION ALL branch per combination of directions (2 + 4 + 8 for three hops), each walking the edge
-- labels' start_id/end_id indexes; the hop bound must be a constant of the Cypher text, hence one query
-- per bound. Parallel workers and JIT cost more than these small index walks save; planning the union
-- (~15 ms) costs more than running it (~3 ms), so the cached generic plan is always used.
create or replace function knowledge.graph_related_ids(p_id text, p_max_hops integer)
returns table (id text, hops integer)
language plpgsql stable
rows 20
set search_path = ag_catalog, core, knowledge, public
set max_parallel_workers_per_gather = 0
set jit = off
set plan_cache_mode = force_generic_plan
as $fn$
#variable_conflict use_column
declare
  v_params agtype := ag_catalog.agtype_build_map('id', p_id);
begin
  if p_max_hops = 1 then
    return query
    select r.id::text, min(r.hops::text::integer) from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 1
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 1
    $cy$, v_params) as r(id agtype, hops agtype)
    group by 1 having r.id::text <> p_id;
  elsif p_max_hops = 2 then
    return query
    select r.id::text, min(r.hops::text::integer) from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 1
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 1
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 2
    $cy$, v_params) as r(id agtype, hops agtype)
    group by 1 having r.id::text <> p_id;
  elsif p_max_hops = 3 then
    return query
    select r.id::text, min(r.hops::text::integer) from ag_catalog.cypher('governance_graph', $cy$
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 1
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 1
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 2
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)-[{scope: 'discovery'}]->(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)-[{scope: 'discovery'}]->(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)<-[{scope: 'discovery'}]-(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)-[{scope: 'discovery'}]->(:Discovery)<-[{scope: 'discovery'}]-(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)-[{scope: 'discovery'}]->(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)-[{scope: 'discovery'}]->(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)<-[{scope: 'discovery'}]-(:Discovery)-[{scope: 'discovery'}]->(o:Discovery) WHERE s.id = $id RETURN o.id, 3
      UNION ALL
      MATCH (s:Discovery)<-[{scope: 'discovery'}]-(:Discovery)<-[{scope: 'discovery'}]-(:Discovery)<-[{scope: 'discovery'}]-(o:Discovery) WHERE s.id = $id RETURN o.id, 3
    $cy$, v_params) as r(id agtype, hops agtype)
    group by 1 having r.id::text <> p_id;
  else
    perform knowledge.raise_invalid(array[format('max_hops %s is out of range: expected 1..3', coalesce(p_max_hops::text, 'null'))]);
  end if;
end;
$fn$;
comment on function knowledge.graph_related_ids(text,integer) is
'The Cypher half of related_discoveries: ids within p_max_hops (1..3) of p_id in the AGE graph, each with its shortest distance.
Errors: GV400 INVALID_INPUT for another hop count.
@nonnull *';

create or replace function knowledge.discovery_stats(p_top integer default 20)
returns table (dimension text, key text, count bigint)
language plpgsql stable
rows 60
set search_path = knowledge, core, public
as $fn$
#variable_conflict use_column
begin
  if p_top is null or p_top < 1 or p_top > 1000 then
    perform knowledge.raise_invalid(array[format('top %s is out of range: expected 1..1000', coalesce(p_top::text, 'null'))]);
  end if;
  return query
  select 'total', 'discoveries', count(*) from knowledge.discoveries
  union all select 'total', 'tags', count(distinct t.tag) from knowledge.discovery_tags t
  union all select 'total', 'edges', count(*) from knowledge.discovery_edges
  union all select 'total', 'notes', count(*) from knowledge.discovery_notes
  union all (select 'type', d.discovery_type, count(*) from knowledge.discoveries d group by 2 order by 3 desc, 2)
  union all (select 'status', d.status::text, count(*) from knowledge.discoveries d group by 2 order by 3 desc, 2)
  union all (select 'severity', coalesce(d.severity::text, 'none'), count(*) from knowledge.discoveries d group by 2 order by 3 desc, 2)
  union all (select 'tag', t.tag, count(*) from knowledge.discovery_tags t group by 2 order by 3 desc, 2 limit p_top)
  union all (select 'agent', d.agent_id, count(*) from knowledge.discoveries d group by 2 order by 3 desc, 2 limit p_top);
end;
$fn$;
comment on function knowledge.discovery_stats(integer) is
'Discovery counts by dimension: total (keys discoveries, tags, edges, notes), type, status, severity (none for no severity), and the p_top (1..1000) most used tag and most active agent.
Errors: GV400 INVALID_INPUT.
@nonnull *';

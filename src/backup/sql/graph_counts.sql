-- Vertices/edges per label of every AGE graph (rows of the label table itself, not of its children),
-- with the catalog references restore repairs: graphid must be the oid of the graph's namespace.
select g.name::text as graph_name,
       g.graphid::bigint as graphid,
       g.namespace::oid::bigint as namespace_oid,
       l.name::text as label,
       l.kind::text as kind,
       (xpath('/row/c/text()',
              query_to_xml(format('select count(*) as c from only %s', l.relation), false, true, '')))[1]::text::bigint as element_count
  from ag_catalog.ag_graph g
  join ag_catalog.ag_label l on l.graph = g.graphid
 where l.name not in ('_ag_label_vertex', '_ag_label_edge')
 order by 1, 4

-- AGE catalog integrity: each graph's graphid is its namespace's oid, each label row points at an
-- existing graph and an existing relation in that namespace.
select g.name::text as graph_name,
       g.graphid = g.namespace::oid as graphid_matches_namespace,
       (select count(*) from ag_catalog.ag_label l where l.graph = g.graphid)::bigint as labels,
       (select count(*) from ag_catalog.ag_label l join pg_class c on c.oid = l.relation
         where l.graph = g.graphid and c.relnamespace = g.namespace::oid)::bigint as labels_in_namespace,
       (select count(*) from ag_catalog.ag_label l where not exists (select 1 from ag_catalog.ag_graph g2 where g2.graphid = l.graph))::bigint as orphan_labels
  from ag_catalog.ag_graph g
 order by 1

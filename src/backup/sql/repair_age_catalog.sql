-- AGE keeps a graph's namespace twice in ag_catalog: ag_graph.namespace (regnamespace, restored by
-- name) and ag_graph.graphid / ag_label.graph (bare oids, restored with the SOURCE server's value).
-- Point both at the namespace's oid on this server. ag_label.graph references ag_graph.graphid
-- without ON UPDATE, so the two updates run with replication-role triggers off (this transaction
-- only); the caller checks the references afterwards. Returns the graphs it changed.
with changed as (
  select graphid as old_id, namespace::oid as new_id, name from ag_catalog.ag_graph where graphid <> namespace::oid
), labels as (
  update ag_catalog.ag_label l set graph = c.new_id from changed c where l.graph = c.old_id returning l.graph
), graphs as (
  update ag_catalog.ag_graph g set graphid = c.new_id from changed c where g.graphid = c.old_id returning g.name
)
select c.name::text as graph_name, c.old_id::bigint as old_graphid, c.new_id::bigint as new_graphid,
       (select count(*) from labels)::bigint as labels_updated
  from changed c

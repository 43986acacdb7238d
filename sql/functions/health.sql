-- Cheap reads behind GET /health and the health_check tool: is the graph there, does the Discovery
-- projection match the relational table by count, is there calibration data. One round trip.
create or replace function core.health_snapshot(
  out graph_present boolean,
  out discoveries bigint,
  out discovery_vertices bigint,
  out calibration_bins integer,
  out calibration_samples bigint)
language plpgsql stable
as $$
begin
  graph_present := exists (select 1 from ag_catalog.ag_graph g where g.name = 'governance_graph');
  discoveries := (select count(*) from knowledge.discoveries);
  discovery_vertices := case when graph_present then (select count(*) from governance_graph."Discovery") end;
  select count(*)::integer, coalesce(sum(c.count), 0)::bigint into calibration_bins, calibration_samples from core.calibration c;
end;
$$;

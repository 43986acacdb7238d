drop function if exists core.health_snapshot();
create or replace function core.health_snapshot(
  out graph_present boolean,
  out discoveries bigint,
  out discovery_vertices bigint,
  out calibration_bins integer,
  out calibration_samples bigint,
  out mirror_rejects bigint,
  out last_mirror_reject jsonb)
language plpgsql stable
as $$
begin
  graph_present := exists (select 1 from ag_catalog.ag_graph g where g.name = 'governance_graph');
  discoveries := (select count(*) from knowledge.discoveries);
  discovery_vertices := case when graph_present then (select count(*) from governance_graph."Discovery") end;
  select count(*)::integer, coalesce(sum(c.count), 0)::bigint into calibration_bins, calibration_samples from core.calibration c;
  mirror_rejects := (select count(*) from audit.mirror_rejects);
  last_mirror_reject := (select jsonb_build_object('file_name', r.file_name, 'line_no', r.line_no, 'reason', r.reason, 'recorded_at', r.recorded_at)
                         from audit.mirror_rejects r order by r.id desc limit 1);
end;
$$;
comment on function core.health_snapshot() is
'Cheap reads behind GET /health and the health_check tool, in one round trip.
graph_present: the AGE graph exists; discoveries / discovery_vertices: row and vertex counts (vertices null without the graph); calibration_bins / calibration_samples; mirror_rejects: audit lines the mirror could not load; last_mirror_reject: the newest one as {file_name, line_no, reason, recorded_at}, or null.
@nonnull graph_present, discoveries, calibration_bins, calibration_samples, mirror_rejects';

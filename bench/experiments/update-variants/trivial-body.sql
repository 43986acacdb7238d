-- Variant for bench/experiments/update-cpu-ab.js --sql (experiment, not product code).
-- N "trivial body": core.process_agent_update with the same signature and result row but a constant body (no
-- lock, no read, no write): what is left is the call through the service layer and the pg driver, and the
-- backend's per-call floor (parse/bind/execute of the named statement, one-row result, implicit commit).
create or replace function core.process_agent_update(
  p_agent_id text, p_complexity double precision, p_confidence double precision,
  p_response_length integer default null, p_response_text text default null, p_task_type text default null,
  p_ethical_drift double precision[] default null, p_apply_pause boolean default false,
  out seq bigint, out energy double precision, out information double precision, out entropy double precision,
  out void double precision, out coherence double precision, out risk double precision, out phi double precision,
  out regime text, out verdict core.verdict, out health_status core.health_status, out decision core.decision,
  out drift_norm double precision, out update_count bigint, out agent_status core.agent_status, out recorded_at timestamptz)
language sql volatile
as $$
  select 20001::bigint, 0.7::float8, 0.8::float8, 0.2::float8, 0.0::float8, 0.5::float8, 0.3::float8, 0.1::float8,
         'STABLE'::text, 'safe'::core.verdict, 'healthy'::core.health_status, 'proceed'::core.decision,
         0.05::float8, 20001::bigint, 'active'::core.agent_status, now()
$$;

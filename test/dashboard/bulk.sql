-- Bulk, real-shaped rows for the dashboard's render measurements (test/dashboard/dashboard.test.ts):
-- 2,000 agents across every status, and a 10,000-state EISV trajectory for agent 'perf-trajectory'
-- (values inside the live ranges, decisions and verdicts mixed like a real run).
insert into core.agents (id, label, status, paused_at, archived_at, deleted_at, last_activity_at, update_count, tags)
select format('perf-%s', lpad(i::text, 4, '0')), format('perf agent %s', i),
  (array['active', 'active', 'active', 'paused', 'waiting_input', 'archived'])[1 + i % 6]::core.agent_status,
  case when i % 6 = 3 then now() end, case when i % 6 = 5 then now() end, null,
  now() - make_interval(secs => i), i % 50, array['perf']
from generate_series(1, 2000) as i;

insert into core.agents (id, label, status, last_activity_at, update_count)
values ('perf-trajectory', 'ten thousand states', 'active', now(), 10000);

insert into core.agent_state (agent_id, seq, energy, information, entropy, void, coherence, risk, phi, regime, verdict, decision, health_status, recorded_at)
select 'perf-trajectory', s,
  0.5 + 0.4 * sin(s / 300.0), 0.5 + 0.4 * cos(s / 500.0), 0.8 + 0.6 * sin(s / 700.0), 0.3 * sin(s / 200.0),
  0.5 + 0.45 * cos(s / 900.0), 0.3 + 0.25 * sin(s / 150.0), 0.1, 'STABLE',
  (array['safe', 'safe', 'caution', 'high-risk'])[1 + s % 4]::core.verdict,
  (case when s % 97 = 0 then 'pause' when s % 13 = 0 then 'guide' else 'proceed' end)::core.decision,
  'healthy'::core.health_status,
  now() - interval '2 days' + make_interval(secs => s * 10)
from generate_series(1, 10000) as s;

-- Benchmark data: p_agents agents, p_discoveries discoveries and p_edges typed edges, reproducible
-- from p_seed. Words follow a skewed (Zipf-like) distribution over a 4,000-word vocabulary so that a
-- query mix has both very common and rare terms. Written straight into the relational tables; the
-- AGE projection is built afterwards by knowledge.graph_rebuild().
create or replace function pg_temp.bench_generate_knowledge(p_agents int, p_discoveries int, p_edges int, p_seed float8)
returns void language plpgsql as $$
declare
  v_vocab text[];
begin
  perform setseed(p_seed);
  select array_agg(w order by i) into v_vocab
  from (select i, substr(md5('w' || i), 1, 3 + (i % 7)) || (case when i % 11 = 0 then 'ion' when i % 7 = 0 then 'ing' else '' end) as w
        from generate_series(1, 4000) i) s;
  -- a few real words at the top of the distribution for readable phrase queries
  v_vocab[1] := 'governance'; v_vocab[2] := 'agent'; v_vocab[3] := 'threshold'; v_vocab[4] := 'calibration';
  v_vocab[5] := 'drift'; v_vocab[6] := 'entropy'; v_vocab[7] := 'coherence'; v_vocab[8] := 'risk';

  insert into core.agents (id, label, status)
  select 'bench_agent_' || i, 'Bench agent ' || i, 'active' from generate_series(1, p_agents) i
  on conflict do nothing;

  insert into knowledge.discoveries (id, agent_id, discovery_type, severity, status, summary, details, tags, created_at, updated_at, resolved_at)
  select 'bench_d_' || i,
         'bench_agent_' || (1 + (i % p_agents)),
         (array['insight', 'improvement', 'pattern', 'bug_found', 'question'])[1 + (i % 5)],
         (array['low', 'medium', 'high']::knowledge.severity[])[1 + (i % 3)],
         (array['open', 'resolved', 'archived']::knowledge.discovery_status[])[1 + (i % 3)],
         (select string_agg(v_vocab[1 + floor(4000 * power(random(), 3))::int], ' ') from generate_series(1, 8 + (i % 5)) w where i > 0),
         (select string_agg(v_vocab[1 + floor(4000 * power(random(), 3))::int], ' ') from generate_series(1, 40 + (i % 60)) w where i > 0),
         array[v_vocab[1 + (i % 50)], v_vocab[51 + (i % 200)]],
         timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => i * 30),
         timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => i * 30),
         case when i % 3 = 1 then timestamptz '2025-01-02 00:00:00+00' + make_interval(secs => i * 30) end
  from generate_series(1, p_discoveries) i;

  insert into knowledge.discovery_tags (discovery_id, tag)
  select d.id, t from knowledge.discoveries d, unnest(d.tags) t where d.id like 'bench\_d\_%'
  on conflict do nothing;

  insert into knowledge.discovery_edges (src_id, dst_id, edge_type, weight)
  select 'bench_d_' || s, 'bench_d_' || d, 'related_to', 1
  from (select 1 + floor(random() * p_discoveries)::int as s, 1 + floor(random() * p_discoveries)::int as d
        from generate_series(1, p_edges)) e
  where s <> d
  on conflict do nothing;
end;
$$;

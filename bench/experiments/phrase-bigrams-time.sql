-- Alternating timing of two variants of knowledge.search_discoveries on one connection (PGOPTIONS:
-- bench.fa, bench.fb = function names, bench.rounds = calls each per query): the order of the two
-- calls swaps every round; server-side wall time (clock_timestamp) of each call, limit 20, after 3
-- warm-up calls each.
create temp table t (q text, fn text, ms double precision);
do $$
declare
  qs text[] := array['"risk drift"', '"governance agent"', 'agent risk', 'calibration threshold', 'governance', 'threshold'];
  fs text[] := array[current_setting('bench.fa'), current_setting('bench.fb')];
  q text; r integer; k integer; f text; t0 timestamptz; n integer;
begin
  foreach q in array qs loop
    for r in 1..3 loop
      foreach f in array fs loop
        execute format('select count(*) from knowledge.%I($1)', f) into n using q;
      end loop;
    end loop;
    for r in 1..current_setting('bench.rounds')::integer loop
      for k in 0..1 loop
        f := fs[1 + (r + k) % 2];
        t0 := clock_timestamp();
        execute format('select count(*) from knowledge.%I($1)', f) into n using q;
        insert into t values (q, f, extract(epoch from clock_timestamp() - t0) * 1000);
      end loop;
    end loop;
  end loop;
end $$;
select q, fn, count(*) as n,
  round(percentile_cont(0.5) within group (order by ms)::numeric, 2) as p50,
  round(percentile_cont(0.95) within group (order by ms)::numeric, 2) as p95
from t group by q, fn order by q, fn;

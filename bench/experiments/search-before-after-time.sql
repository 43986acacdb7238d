-- Alternating timing of knowledge.search_discoveries_before and knowledge.search_discoveries (as
-- the removed phrase-bigrams-time.sql, with the growth query mix): bench.fa, bench.fb, bench.rounds via PGOPTIONS.
create temp table t (q text, fn text, ms double precision);
do $$
declare
  qs text[] := array['governance', 'agent risk', '"governance agent"', 'calibration threshold', 'drift -entropy', 'coherence', 'a3f1e', 'entropy OR void', 'threshold', '"risk drift"'];
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
select fn, count(*) as n,
  round(percentile_cont(0.5) within group (order by ms)::numeric, 2) as mix_p50,
  round(percentile_cont(0.95) within group (order by ms)::numeric, 2) as mix_p95
from t group by fn order by fn;

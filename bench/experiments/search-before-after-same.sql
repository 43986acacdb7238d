-- search-before-after.sh: the same ids, order, ranks and match from both functions (same = t), per query and limit
select q, l, (select array_agg(row(id, rank, match)::text) from knowledge.search_discoveries_before(q, p_limit => l)) is not distinct from
             (select array_agg(row(id, rank, match)::text) from knowledge.search_discoveries(q, p_limit => l)) as same,
       (select count(*) from knowledge.search_discoveries(q, p_limit => l)) as n
from unnest(array['governance', 'agent risk', '"governance agent"', 'calibration threshold', 'drift -entropy', 'coherence', 'a3f1e', 'entropy OR void', 'threshold', '"risk drift"',
  '"agent risk"', '"drift risk"', '"risk of drift"', '"calibration threshold"', '"threshold calibration"', '"governance agent risk"', '"agent governance"', '"coherence drift"', '"entropy void"', '"void entropy"']) q,
  unnest(array[1, 20, 250]) l
order by same, q, l;

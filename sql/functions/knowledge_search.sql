-- Knowledge search: full text over summaries and details in tiers, with a fuzzy fallback through the
-- summary vocabulary (knowledge.summary_words, maintained by a trigger of migration 000010).
-- docs/knowledge.md describes the tiers and the ranking. Read-only (stable).

-- A KNN walk of the GiST index (a few pages; `word % w` compared every word, ~2 us each) and GIN for
-- containment; the planner would rather scan the small table, hence enable_seqscan = off. plpgsql,
-- so that the plan is cached for the session.
drop function if exists knowledge.vocabulary_matches(text);
create or replace function knowledge.vocabulary_matches(p_query text)
returns table (word text, query_word integer, similarity real)
language plpgsql stable
rows 10
set enable_seqscan = off
as $fn$
begin
  return query
  select v.word, q.i::integer, max(v.sim)::real
  from (select u.w, row_number() over (order by min(u.o)) as i
        from regexp_split_to_table(lower(p_query), '[^[:alnum:]]+') with ordinality as u(w, o)
        where u.w <> '' and char_length(u.w) <= 64
        group by u.w order by min(u.o) limit 16) q
  cross join lateral (
    (select n.word, 1 - n.dist as sim
       from (select sw.word, sw.word <-> q.w as dist from knowledge.summary_words sw order by sw.word <-> q.w limit 5) n
      where n.dist <= 0.7)
    union all
    (select sw.word, public.similarity(sw.word, q.w)
       from knowledge.summary_words sw
      where char_length(q.w) >= 3 and sw.word like '%' || replace(replace(replace(q.w, '\', '\\'), '%', '\%'), '_', '\_') || '%'
      limit 50)
  ) v
  group by v.word, q.i;
end;
$fn$;
comment on function knowledge.vocabulary_matches(text) is
'The words of the summary vocabulary (knowledge.summary_words) near the words of a query.
query_word: the word''s position among the query''s first 16 distinct words; similarity: trigram similarity in [0, 1]. Per query word: the 5 nearest with similarity >= 0.3, and up to 50 that contain it when it has 3+ characters.
@nonnull *';

-- The adjacent lexeme pairs of a query that is one phrase of plain lexemes ('a' <-> 'b' <-> 'c': 'a b',
-- 'b c'), in the form of knowledge.tsv_bigrams (migration 000017); null for any other query. The
-- pairs of every summary the phrase matches, tsv_bigrams(summary_vector) (GIN-indexed, 000018), hold
-- all of them: a match has the phrase's lexemes at consecutive positions, and tsv_bigrams pairs any
-- two lexemes at consecutive positions. For two lexemes holding the pair is the match; for more, the
-- pairs may lie apart ('a b x b c'), so the candidates are rechecked with @@
-- (test/domain/searchBigrams.test.ts). Null, so the caller takes its
-- loose path, for: lexemes the tsquery text quotes ('' or \\) or that hold a space (their text
-- form is not the lexeme), prefixes and weights (':*', ':A' after the quote), <N> gaps (a stop word
-- inside the phrase), and any other operator.
create or replace function knowledge.tsquery_phrase_pairs(p_query tsquery)
returns text[]
language sql immutable strict parallel safe
as $fn$
  select case when p_query::text ~ $r$^'[^' \\]+'( <-> '[^' \\]+')+$$r$ then
    (select array_agg(distinct l.w || ' ' || l.nxt)
       from (select m.w[1] as w, lead(m.w[1]) over (order by m.o) as nxt
               from regexp_matches(p_query::text, $r$'([^']+)'$r$, 'g') with ordinality as m(w, o)) l
      where l.nxt is not null)
  end
$fn$;
comment on function knowledge.tsquery_phrase_pairs(tsquery) is
'The adjacent lexeme pairs (''a b'') of a query that is one phrase of plain lexemes, as knowledge.tsv_bigrams writes them; null for any other query.';

-- docs/knowledge.md has the tiers. Ranking is exact within the newest candidates, not over every match:
-- ranking every match of a common word meant detoasting and scoring tens of thousands of vectors
-- (0.5-0.8 s at 100k discoveries). The vocabulary fallback replaced a trigram KNN over every summary
-- (40-53 ms at 100k for a term found nowhere).
-- Each tier's candidates (its newest greatest(limit, 200) matches) are found by a plan shape fixed in
-- the SQL, not by the planner's estimate of the query (a phrase of two common words was estimated at
-- 60x its matches, and the planner walked every row newest-first):
--   summary tier: walk the covering created_at index (index-only) over the 4,000 newest rows,
--     stopping at the cap; with fewer matches there, those rows are a sample that prices a GIN
--     collection (a heap visit per candidate) against walking on, and the cheaper runs, bounded.
--   details tier (runs when the summary matched fewer than the limit, so the query is rare): collect
--     up to 5,000 matches through the GIN index; more than that, walk created_at newest-first.
-- Without filters these are static statements planned once per session (plan_cache_mode =
-- force_generic_plan: the same plan for every query); with a filter the tiers run as dynamic SQL
-- (EXECUTE ... USING), planned per call, so that an agent, type or status index can serve a filter.
create or replace function knowledge.search_discoveries(
  p_query text default null,
  p_agent_id text default null,
  p_discovery_type text default null,
  p_tags text[] default null,
  p_status text default null,
  p_since timestamptz default null,
  p_until timestamptz default null,
  p_limit integer default 20)
returns table (
  id text, agent_id text, discovery_type text, severity text, status text, summary text,
  details_excerpt text, tags text[], response_to text, superseded_by text,
  created_at timestamptz, updated_at timestamptz, rank real, match text)
language plpgsql stable
rows 20
set search_path = knowledge, core, public
set pg_trgm.similarity_threshold = 0.3
set plan_cache_mode = force_generic_plan
as $fn$
#variable_conflict use_column
declare
  v_problems text[] := '{}';
  v_query text := nullif(btrim(coalesce(p_query, '')), '');
  v_tags text[] := case when p_tags is null then null else core.normalize_tags(p_tags) end;
  v_status knowledge.discovery_status;
  v_tsq tsquery;
  v_like text;
  v_filters text := '';
  v_cap integer;
  v_found integer := 0;
  v_tier2 integer := 0;
  v_words text[];
  v_word_q integer[];
  v_word_tsq tsquery[];
  v_word_sim real[];
  v_nq integer;
  v_freq real;
  v_ids text[];
  v_n integer;
  v_gin integer;
  v_loose tsquery;
  v_pairs text[];
  v_ca timestamptz[];
  v_rk real[];
  v_rows real;
  v_sample integer;
  v_cols constant text := 'd.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text, d.summary, '
    'left(d.details, 500), d.tags, d.response_to, d.superseded_by, d.created_at, d.updated_at';
begin
  if p_limit is null or p_limit < 1 or p_limit > 500 then
    v_problems := v_problems || format('limit %s is out of range: expected 1..500', coalesce(p_limit::text, 'null'));
  end if;
  if char_length(coalesce(v_query, '')) > 1000 then
    v_problems := v_problems || format('query has %s characters: at most 1000 allowed', char_length(v_query));
  end if;
  if p_status is not null and p_status not in ('open', 'resolved', 'archived', 'disputed') then
    v_problems := v_problems || format('status "%s" is invalid: expected open, resolved, archived or disputed', p_status);
  end if;
  if p_since is not null and p_until is not null and p_since >= p_until then
    v_problems := v_problems || format('time range is empty: since %s is not before until %s', to_char(p_since at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), to_char(p_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
  end if;
  perform knowledge.raise_invalid(v_problems);
  v_status := p_status::knowledge.discovery_status;

  if v_query is null then
    return query
    select d.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text, d.summary, left(d.details, 500),
      d.tags, d.response_to, d.superseded_by, d.created_at, d.updated_at, 0::real, 'filter'::text
    from knowledge.discoveries d
    where (p_agent_id is null or d.agent_id = p_agent_id)
      and (p_discovery_type is null or d.discovery_type = p_discovery_type)
      and (v_tags is null or d.tags @> v_tags)
      and (p_status is null or d.status = v_status)
      and (p_since is null or d.created_at >= p_since)
      and (p_until is null or d.created_at < p_until)
    order by d.created_at desc, d.id
    limit p_limit;
    return;
  end if;

  -- only the filters that are set, so that the planner sees the real predicates (parameters $1..$6)
  if p_agent_id is not null then v_filters := v_filters || ' and d.agent_id = $1'; end if;
  if p_discovery_type is not null then v_filters := v_filters || ' and d.discovery_type = $2'; end if;
  if v_tags is not null then v_filters := v_filters || ' and d.tags @> $3'; end if;
  if v_status is not null then v_filters := v_filters || ' and d.status = $4'; end if;
  if p_since is not null then v_filters := v_filters || ' and d.created_at >= $5'; end if;
  if p_until is not null then v_filters := v_filters || ' and d.created_at < $6'; end if;
  v_cap := greatest(p_limit, 200);

  v_tsq := websearch_to_tsquery('english', v_query);
  if numnode(v_tsq) > 0 and v_filters = '' then
    -- tier 1, static. The newest v_cap matches, in up to three bounded steps: 1. walk the 4,000 newest
    -- rows (index-only on discoveries_created_summary_vector_idx), stopping at v_cap ...
    v_loose := case when v_tsq::text ~ '!' then v_tsq else regexp_replace(v_tsq::text, '<(-|[0-9]+)>', '&', 'g')::tsquery end;
    v_pairs := knowledge.tsquery_phrase_pairs(v_tsq);  -- null unless a phrase of plain lexemes alone
    if v_pairs is not null and not exists (select 1 from pg_index i
        where i.indexrelid = to_regclass('knowledge.discoveries_summary_bigrams_idx') and i.indisvalid) then
      v_pairs := null;  -- no valid index (e.g. a failed concurrent build): the loose path, not a scan computing every row's pairs
    end if;
    if v_loose = v_tsq then
      select array_agg(w.id order by w.created_at desc, w.id), array_agg(w.created_at order by w.created_at desc, w.id),
             array_agg((1 + ts_rank(w.summary_vector, v_tsq))::real order by w.created_at desc, w.id), count(*)
        into v_ids, v_ca, v_rk, v_n
      from (select n.id, n.created_at, n.summary_vector
            from (select d.id, d.created_at, d.summary_vector from knowledge.discoveries d
                  order by d.created_at desc, d.id limit 4000) n
            where n.summary_vector @@ v_tsq
            limit v_cap) w;
      v_sample := v_n;
    else
      -- (a phrase: the same walk, over all 4,000, also counts its candidates for step 2: the rows with
      -- all its words, or its matches when it has pairs)
      select (array_agg(n.id order by n.created_at desc, n.id) filter (where n.hit))[1:v_cap],
             (array_agg(n.created_at order by n.created_at desc, n.id) filter (where n.hit))[1:v_cap],
             (array_agg((1 + ts_rank(n.sv, v_tsq))::real order by n.created_at desc, n.id) filter (where n.hit))[1:v_cap],
             least(v_cap, count(*) filter (where n.hit)), count(*) filter (where case when v_pairs is null then n.loose else n.hit end)
        into v_ids, v_ca, v_rk, v_n, v_sample
      from (select d.id, d.created_at, d.summary_vector as sv, d.summary_vector @@ v_tsq as hit, d.summary_vector @@ v_loose as loose
            from knowledge.discoveries d order by d.created_at desc, d.id limit 4000) n;
    end if;
    if v_n < v_cap then
      -- 2. ... too few there: the 4,000 newest rows are a sample (of the data, not the planner's
      -- statistics). A GIN collection costs a heap visit per candidate (about 15 index entries of the
      -- walk); a phrase's candidates are the rows with all its pairs (tsv_bigrams, nearly only
      -- its matches) or else the rows with all its words (v_loose: the phrase as &, not under a
      -- negation, where & would not contain the phrase's matches), often far more than its
      -- matches. The walk costs v_cap / (the sample's match share) entries, at most the table. The
      -- cheaper one runs; the collection is bounded at twice its sampled size (at least v_gin,
      -- 1,000-10,000: rows / 300), beyond which the walk runs after all ...
      v_rows := greatest(4000, (select c.reltuples from pg_class c where c.oid = 'knowledge.discoveries'::regclass));
      v_gin := greatest(greatest(1000, least(10000, v_rows / 300)), 2 * v_sample * v_rows / 4000)::integer;
      if 15 * v_sample * v_rows / 4000 > least(v_rows, v_cap * 4000.0 / greatest(v_n, 1)) then
        v_n := v_gin + 1;
      elsif v_pairs is not null then
        -- (a phrase of plain lexemes: the rows holding all its pairs, nearly only its matches; the
        -- sample above counted matches)
        with g as materialized (
          select d.id, d.created_at, d.summary_vector as sv, d.summary_vector @@ v_tsq as hit from knowledge.discoveries d
          where knowledge.tsv_bigrams(d.summary_vector) @> v_pairs limit v_gin + 1)  -- discoveries_summary_bigrams_idx
        select t.ids, t.cas, t.rks, (select count(*) from g)
          into v_ids, v_ca, v_rk, v_n
        from (select array_agg(t.id order by t.created_at desc, t.id) as ids, array_agg(t.created_at order by t.created_at desc, t.id) as cas,
                     array_agg((1 + ts_rank(t.sv, v_tsq))::real order by t.created_at desc, t.id) as rks
                from (select g.id, g.created_at, g.sv from g where g.hit order by g.created_at desc, g.id limit v_cap) t) t;
      else
        with g as materialized (
          select d.id, d.created_at, d.summary_vector as sv, d.summary_vector @@ v_tsq as hit from knowledge.discoveries d
          where d.summary_vector @@ v_loose limit v_gin + 1)
        select t.ids, t.cas, t.rks, (select count(*) from g)
          into v_ids, v_ca, v_rk, v_n
        from (select array_agg(t.id order by t.created_at desc, t.id) as ids, array_agg(t.created_at order by t.created_at desc, t.id) as cas,
                     array_agg((1 + ts_rank(t.sv, v_tsq))::real order by t.created_at desc, t.id) as rks
                from (select g.id, g.created_at, g.sv from g where g.hit order by g.created_at desc, g.id limit v_cap) t) t;
      end if;
      if v_n > v_gin then
        -- 3. ... more than that: the newest v_cap are within about v_cap / v_gin of the table, walked
        select array_agg(w.id order by w.created_at desc, w.id), array_agg(w.created_at order by w.created_at desc, w.id),
               array_agg((1 + ts_rank(w.summary_vector, v_tsq))::real order by w.created_at desc, w.id)
          into v_ids, v_ca, v_rk
        from (select d.id, d.created_at, d.summary_vector from knowledge.discoveries d
              where (d.summary_vector @@ v_tsq) is true  -- not indexable: the created_at walk
              order by d.created_at desc, d.id limit v_cap) w;
      end if;
    end if;
    -- ranked from the vectors the step above already read (v_ca, v_rk beside v_ids): fetching the
    -- candidates again by id cost a heap visit each (0.1-0.4 ms for 200 at 100k, bench/experiments)
    return query
    select d.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text, d.summary, left(d.details, 500),
      d.tags, d.response_to, d.superseded_by, d.created_at, d.updated_at, top.rank, 'fulltext'::text
    from (select c.id, c.created_at, c.rank
          from unnest(v_ids, v_ca, v_rk) as c(id, created_at, rank)
          order by 3 desc, c.created_at desc, c.id limit p_limit) top
    join knowledge.discoveries d on d.id = top.id
    order by top.rank desc, d.created_at desc, d.id;
    get diagnostics v_found = row_count;
    if v_found < p_limit then
      -- tier 2, static: up to 5,000 matches through the GIN index (the query matched fewer than the
      -- limit in summaries, so it is most likely rare in details too) ...
      with g as materialized (
        select d.id, d.created_at from knowledge.discoveries d
        where d.search_vector @@ v_tsq and not (d.summary_vector @@ v_tsq)
        limit 5001)
      select array_agg(t.id order by t.created_at desc, t.id), max(t.n) into v_ids, v_n
      from (select g.id, g.created_at, count(*) over () as n from g order by g.created_at desc, g.id limit v_cap) t;
      if v_n > 5000 then
        -- ... more: common enough that the newest v_cap are near, walked newest-first (not indexable)
        select array_agg(w.id order by w.created_at desc, w.id) into v_ids
        from (select d.id, d.created_at from knowledge.discoveries d
              where (d.search_vector @@ v_tsq) is true and not (d.summary_vector @@ v_tsq)
              order by d.created_at desc, d.id limit v_cap) w;
      end if;
      return query
      select d.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text, d.summary, left(d.details, 500),
        d.tags, d.response_to, d.superseded_by, d.created_at, d.updated_at, top.rank, 'fulltext'::text
      from (select c.id, c.created_at, ts_rank('{0.05, 0.05, 0.1, 1.0}'::real[], c.search_vector, v_tsq) as rank
            from knowledge.discoveries c where c.id = any(v_ids)
            order by 3 desc, c.created_at desc, c.id limit p_limit - v_found) top
      join knowledge.discoveries d on d.id = top.id
      order by top.rank desc, d.created_at desc, d.id;
      get diagnostics v_tier2 = row_count;
    end if;
    if v_found + v_tier2 > 0 then
      return;
    end if;
  elsif numnode(v_tsq) > 0 then
      -- tier 1: the summary alone matches ($7 query, $8 candidates, $9 limit)
      return query execute format($q$
        select %s, (1 + ts_rank(c.summary_vector, $7))::real, 'fulltext'::text
        from (select d.id, d.summary_vector, d.created_at from knowledge.discoveries d
              where d.summary_vector @@ $7 %s
              order by d.created_at desc, d.id limit $8) c
        join knowledge.discoveries d on d.id = c.id
        order by 13 desc, d.created_at desc, d.id
        limit $9 $q$, v_cols, v_filters)
        using p_agent_id, p_discovery_type, v_tags, v_status, p_since, p_until, v_tsq, v_cap, p_limit;
      get diagnostics v_found = row_count;
      if v_found < p_limit then
        -- tier 2: summary and details together match, the summary alone does not
        return query execute format($q$
          select %s, ts_rank('{0.05, 0.05, 0.1, 1.0}'::real[], c.search_vector, $7), 'fulltext'::text
          from (select d.id, d.search_vector, d.created_at from knowledge.discoveries d
                where d.search_vector @@ $7 and not (d.summary_vector @@ $7) %s
                order by d.created_at desc, d.id limit $8) c
          join knowledge.discoveries d on d.id = c.id
          order by 13 desc, d.created_at desc, d.id
          limit $9 $q$, v_cols, v_filters)
          using p_agent_id, p_discovery_type, v_tags, v_status, p_since, p_until, v_tsq, v_cap, p_limit - v_found;
        get diagnostics v_tier2 = row_count;
      end if;
      if v_found + v_tier2 > 0 then
        return;
      end if;
  end if;

  -- trigram fallback, only for plain text (operators mean the caller wanted exact websearch semantics)
  if v_query ~ '"' or v_query ~ '(^|\s)-\S' or v_query ~* '(^|\s)or(\s|$)' then
    return;
  end if;
  -- Fuzzy path, static SQL. 1. The vocabulary words near the query words (knowledge.vocabulary_matches:
  -- trigram similarity >= 0.3, or containing the word). None: nothing matches, answered from the
  -- small vocabulary alone.
  select array_agg(m.word), array_agg(m.tsq), array_agg(m.query_word), array_agg(m.similarity) into v_words, v_word_tsq, v_word_q, v_word_sim
  from (select vm.word, vm.query_word, vm.similarity, to_tsquery('english', quote_literal(vm.word)) as tsq
          from knowledge.vocabulary_matches(v_query) vm) m
  where numnode(m.tsq) > 0;  -- a stop word cannot be searched
  if v_words is null then
    return;
  end if;
  v_tsq := to_tsquery('english', array_to_string(array(select quote_literal(w) from unnest(v_words) w), ' | '));
  v_nq := (select count(distinct q) from unnest(v_word_q) q);
  -- 2. Candidates: discoveries whose summary has one of those words, the newest greatest(limit, 200). A
  -- word in more than 2% of summaries (pg_stats) is walked newest-first on the covering created_at
  -- index; a rarer one is collected through the GIN index.
  select coalesce(max(st.most_common_elem_freqs[array_position(e.elems, l.lexeme)]), 0) into v_freq
  from pg_stats st
  cross join lateral (select st.most_common_elems::text::text[] as elems) e
  cross join unnest(tsvector_to_array(to_tsvector('english', array_to_string(v_words, ' ')))) as l(lexeme)
  where st.schemaname = 'knowledge' and st.tablename = 'discoveries' and st.attname = 'summary_vector';
  -- 3. Rank: for each query word the similarity of the nearest vocabulary word the summary has (0 if
  -- none), averaged over the query words that have a searchable near word (a stop word has none);
  -- nearest first, then newest. Each candidate costs a few
  -- tsvector look-ups, not a trigram pass over its summary.
  if v_freq > 0.02 then
    return query
    with c as materialized (
      select d.id, d.summary_vector, d.created_at from knowledge.discoveries d
      where (d.summary_vector @@ v_tsq) is true  -- not indexable: walks created_at desc (index-only), stops at v_cap
        and (p_agent_id is null or d.agent_id = p_agent_id)
        and (p_discovery_type is null or d.discovery_type = p_discovery_type)
        and (v_tags is null or d.tags @> v_tags)
        and (v_status is null or d.status = v_status)
        and (p_since is null or d.created_at >= p_since)
        and (p_until is null or d.created_at < p_until)
      order by d.created_at desc, d.id limit v_cap),
    top as (
      select c.id, c.created_at, r.rank from c
      cross join lateral (
        select (sum(b.best) / v_nq)::real as rank
        from (select max(m.sim) as best from unnest(v_word_tsq, v_word_q, v_word_sim) as m(tsq, qi, sim)
               where c.summary_vector @@ m.tsq group by m.qi) b) r
      order by r.rank desc, c.created_at desc, c.id
      limit p_limit)
    select d.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text, d.summary, left(d.details, 500),
      d.tags, d.response_to, d.superseded_by, d.created_at, d.updated_at, top.rank, 'trigram'::text
    from top join knowledge.discoveries d on d.id = top.id
    order by top.rank desc, d.created_at desc, d.id;
  else
    return query
    with c as materialized (
      select d.id, d.summary_vector, d.created_at from knowledge.discoveries d
      where d.summary_vector @@ v_tsq
        and (p_agent_id is null or d.agent_id = p_agent_id)
        and (p_discovery_type is null or d.discovery_type = p_discovery_type)
        and (v_tags is null or d.tags @> v_tags)
        and (v_status is null or d.status = v_status)
        and (p_since is null or d.created_at >= p_since)
        and (p_until is null or d.created_at < p_until)),
    n as (select c.id, c.summary_vector, c.created_at from c order by c.created_at desc, c.id limit v_cap),
    top as (
      select n.id, n.created_at, r.rank from n
      cross join lateral (
        select (sum(b.best) / v_nq)::real as rank
        from (select max(m.sim) as best from unnest(v_word_tsq, v_word_q, v_word_sim) as m(tsq, qi, sim)
               where n.summary_vector @@ m.tsq group by m.qi) b) r
      order by r.rank desc, n.created_at desc, n.id
      limit p_limit)
    select d.id, d.agent_id, d.discovery_type, d.severity::text, d.status::text, d.summary, left(d.details, 500),
      d.tags, d.response_to, d.superseded_by, d.created_at, d.updated_at, top.rank, 'trigram'::text
    from top join knowledge.discoveries d on d.id = top.id
    order by top.rank desc, d.created_at desc, d.id;
  end if;
end;
$fn$;
comment on function knowledge.search_discoveries(text,text,text,text[],text,timestamp with time zone,timestamp with time zone,integer) is
'Searches discoveries: full text with websearch syntax (quoted phrase, -exclusion, or) in tiers, a fuzzy fallback, or, without a query, a filtered list newest first.
Tier 1: the query matches the summary (rank >= 1); tier 2, only when tier 1 found fewer than the limit: summary + details match (rank < 1); each tier ranks its newest greatest(limit, 200) matches. Fallback, when the text search finds nothing and the query uses no operators: summaries sharing vocabulary words trigram-similar to a query word; rank = mean nearest similarity. match says which answered (fulltext, trigram, filter). Filters: agent, type, tags (all of them), status, created_at in [since, until). details_excerpt: the first 500 characters.
Errors: GV400 INVALID_INPUT listing every problem.
@nonnull id, agent_id, discovery_type, status, summary, details_excerpt, tags, created_at, updated_at, match';

-- summary_words_capture is defined by a migration; its description lives here with the functions it serves.
comment on function knowledge.summary_words_capture() is
'Statement trigger on knowledge.discoveries (migration 000010): adds the words of new and changed summaries (lower-cased, split on non-alphanumerics, at most 64 characters) to the search vocabulary knowledge.summary_words.';

-- The one tag normaliser, used by agent tags (core.check_agent_tags) and discovery tags
-- (knowledge.store_discovery, store_discoveries, search_discoveries). The two keep the order each
-- stored value had before they shared this function, because both orders are visible to users:
-- agent tags are returned sorted (onboard, update_agent, list_agents), discovery tags in the order
-- the author gave them (first-seen; search and get return them as stored).

create or replace function core.normalize_tags(p_tags text[], p_sorted boolean default false)
returns text[]
language sql immutable parallel safe
as $$
  select coalesce(array_agg(t.tag order by case when p_sorted then t.tag end, t.first_seen), '{}')
  from (
    select lower(btrim(u.x)) as tag, min(u.ord) as first_seen
    from unnest(p_tags) with ordinality as u(x, ord)
    where btrim(u.x) <> ''
    group by 1
  ) t
$$;
comment on function core.normalize_tags(text[],boolean) is
'Tags as stored: each lower-cased and trimmed of spaces, blank and null tags dropped, duplicates removed.
Order: first-seen (the position of the first tag that normalises to it) unless p_sorted, then sorted by the database collation. Idempotent. A null or empty array gives an empty array. Limits are the caller''s (core.check_agent_tags, knowledge.store_discovery).
@nonnull *';

-- the two normalisers this one replaced
drop function if exists core.normalize_agent_tags(text[]);
drop function if exists knowledge.normalize_tags(text[]);

-- The one tag normaliser, used by agent tags (core.check_agent_tags, core.import_agents) and
-- discovery tags (knowledge.store_discovery, store_discoveries, search_discoveries,
-- import_discoveries). The two keep the order each
-- stored value had before they shared this function, because both orders are visible to users:
-- agent tags are returned sorted (onboard, update_agent, list_agents), discovery tags in the order
-- the author gave them (first-seen; search and get return them as stored).

-- White space that a tag is trimmed of: the characters ECMAScript's String.prototype.trim removes
-- (WhiteSpace and LineTerminator: tab, line feed, vertical tab, form feed, carriage return, space,
-- no-break space, ogham space mark, U+2000-U+200A, line and paragraph separators, narrow no-break
-- space, medium mathematical space, ideographic space, byte order mark), so a tag written by an MCP
-- client and the same tag in a legacy file normalise alike. btrim alone trims only spaces.
create or replace function core.trim_tag(p_tag text)
returns text
language sql immutable parallel safe strict
as $$
  select btrim(p_tag, E' \t\n\u000b\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff')
$$;
comment on function core.trim_tag(text) is
'One tag without its leading and trailing white space (the set String.prototype.trim removes: ASCII white space, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF). Null for null.';

-- One tag as stored. Characters the MCP tools refuse in names (src/mcp/boundary.ts UNSAFE_IDENTIFIER)
-- can still arrive from legacy files: invisible ones (zero-width, bidirectional marks, overrides and
-- isolates, soft hyphen, BOM) are removed and control characters become a space, so the stored tag is
-- one a client can type, search for and send back; then NFC, trimming and lower case (NFC again: a
-- lower-cased letter can decompose).
create or replace function core.clean_tag(p_tag text)
returns text
language sql immutable parallel safe strict
as $$
  select normalize(lower(core.trim_tag(normalize(
           regexp_replace(
             regexp_replace(p_tag, E'[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]', '', 'g'),
             E'[\x01-\x1f\x7f-\u009f]', ' ', 'g'),
           NFC))), NFC)
$$;
comment on function core.clean_tag(text) is
'One tag as stored (before de-duplication): invisible characters removed (U+00AD, U+061C, U+180E, U+200B-U+200F, U+202A-U+202E, U+2060-U+2064, U+2066-U+206F, U+FEFF, U+FFF9-U+FFFB: what the MCP tools refuse in names), control characters (U+0001-U+001F, U+007F-U+009F) replaced by a space, NFC, trimmed (core.trim_tag), lower-cased, NFC. Null for null.';

create or replace function core.normalize_tags(p_tags text[], p_sorted boolean default false)
returns text[]
language sql immutable parallel safe
as $$
  select coalesce(array_agg(t.tag order by case when p_sorted then t.tag end, t.first_seen), '{}')
  from (
    select core.clean_tag(u.x) as tag, min(u.ord) as first_seen
    from unnest(p_tags) with ordinality as u(x, ord)
    where core.clean_tag(u.x) <> ''
    group by 1
  ) t
$$;
comment on function core.normalize_tags(text[],boolean) is
'Tags as stored: each cleaned by core.clean_tag (invisible characters removed, control characters to spaces, NFC, trimmed of white space, lower-cased), blank and null tags dropped, duplicates removed.
Order: first-seen (the position of the first tag that normalises to it) unless p_sorted, then sorted by the database collation. Idempotent. A null or empty array gives an empty array. Limits are the caller''s (core.check_agent_tags, knowledge.discovery_tag_problems, the legacy importers).
@nonnull *';

create or replace function knowledge.discovery_tag_problems(p_tags text[])
returns text[]
language sql immutable parallel safe
as $$
  select case when cardinality(p_tags) > 64 then array[format('%s distinct tags given: at most 64 allowed', cardinality(p_tags))] else '{}' end
      || coalesce((select array_agg(format('tag "%s" has %s characters: at most 100 allowed', left(t, 40) || '...', char_length(t)) order by o)
                     from unnest(p_tags) with ordinality as u(t, o) where char_length(t) > 100), '{}')
$$;
comment on function knowledge.discovery_tag_problems(text[]) is
'The limits of a discovery''s normalised tag list (core.normalize_tags): at most 64 tags, each at most 100 characters. Returns one message per problem (empty when the list is within the limits), for knowledge.store_discovery and knowledge.import_discoveries.
@nonnull *';

-- the two normalisers this one replaced
drop function if exists core.normalize_agent_tags(text[]);
drop function if exists knowledge.normalize_tags(text[]);

-- How many of the given audit_log.jsonl line hashes are mirrored rows (source 'server') of
-- audit.events; called with the log's hashes in batches. Through audit.event_hashes (primary key
-- content_hash) to the event's partition key, so each batch is index lookups, not a scan.
select count(*)::bigint as matched
  from unnest($1::text[]) as h(content_hash)
  join audit.event_hashes eh on eh.content_hash = h.content_hash
  join audit.events e on e.occurred_at = eh.occurred_at and e.content_hash = eh.content_hash
 where e.source = 'server'

-- audit.events per source (server = mirrored from audit_log.jsonl).
select source, count(*)::bigint as row_count from audit.events group by source order by source

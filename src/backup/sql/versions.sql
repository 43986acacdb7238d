-- Server and extension versions, the database's size on disk, and the moment of the snapshot.
select current_setting('server_version') as server_version,
       current_setting('server_version_num')::int as server_version_num,
       current_database()::text as database_name,
       pg_database_size(current_database())::bigint as database_bytes,
       now() as snapshot_at,
       (select coalesce(jsonb_object_agg(extname, extversion), '{}'::jsonb) from pg_extension) as extensions

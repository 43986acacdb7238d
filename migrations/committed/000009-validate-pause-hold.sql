--! Previous: sha1:c847fb0df8831ed9ee57d30b865a2ac45c872ee8
--! Hash: sha1:a86be7cc993ad4d2e97d2fcc9d9312c2cc100f2d
--! Message: validate_pause_hold

-- Validates the check 000008 added NOT VALID (SHARE UPDATE EXCLUSIVE: reads and writes continue).
alter table core.agents validate constraint agents_pause_hold_status;

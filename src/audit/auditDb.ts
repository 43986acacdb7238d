import { audit } from '../db/generated/functions';
import type { Queryable } from '../db/pool';
import type * as s from 'zapatos/schema';

/** The audit trail's database calls: the stored functions of sql/functions/audit.sql (loading events, mirror rejects, partition maintenance), through the generated typed wrappers. */

/**
 * One element of audit.insert_events' jsonb input: a row of audit.events as JSON (its columns and
 * their nullability come from the generated Zapatos schema), without the ids the database assigns;
 * `source` defaults to the call's source.
 */
export type EventRow = Omit<s.audit.events.JSONSelectable, 'id' | 'ingested_at' | 'occurred_at' | 'details' | 'source'> & {
  /** ISO 8601 */
  occurred_at: string;
  details: unknown;
  source?: string;
};

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

/** One round trip, one transaction: inserts the rows whose content_hash is new, skips the others. */
export async function insertEvents(db: Queryable, events: EventRow[], source: string): Promise<InsertResult> {
  const [row] = await audit.insertEvents(db, { events, source });
  return { inserted: row?.inserted ?? 0, duplicates: row?.duplicates ?? 0 };
}

export interface PartitionAction {
  action: 'created' | 'dropped';
  partition_name: string;
}

export async function maintainPartitions(db: Queryable, keep: string, monthsAhead: number): Promise<PartitionAction[]> {
  const rows = await audit.maintainPartitions(db, { keep, monthsAhead });
  return rows.map((r) => ({ action: r.action as PartitionAction['action'], partition_name: r.partition_name ?? '' }));
}

/**
 * A line of audit_log.jsonl the mirror could not load: a row of audit.mirror_rejects (line_no 1-based,
 * byte_offset of the line's start, line_sha256 hex of its text, excerpt its first 200 characters).
 */
export type MirrorReject = Omit<s.audit.mirror_rejects.JSONSelectable, 'id' | 'recorded_at'>;

/** Records bad lines (idempotent per file, line and content); returns how many were new. */
export async function recordMirrorRejects(db: Queryable, rejects: MirrorReject[]): Promise<number> {
  return (await audit.recordMirrorRejects(db, { rejects })) ?? 0;
}

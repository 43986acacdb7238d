import { audit } from '../db/generated/functions';
import type { Queryable } from '../db/pool';

/** The audit trail's database calls: the stored functions of sql/functions/audit.sql (loading events, mirror rejects, partition maintenance), through the generated typed wrappers. */

/** One element of audit.insert_events' jsonb input. */
export interface EventRow {
  occurred_at: string;
  agent_id: string | null;
  session_id: string | null;
  event_type: string;
  confidence: number | null;
  details: unknown;
  content_hash: string;
  prev_hash: string | null;
  source?: string;
}

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

/** A line of audit_log.jsonl the mirror could not load (a row of audit.mirror_rejects). */
export interface MirrorReject {
  file_name: string;
  /** 1-based line number in its file */
  line_no: number;
  /** byte offset of the line's start */
  byte_offset: number;
  /** sha256 hex of the line's text */
  line_sha256: string;
  reason: string;
  /** the line's first 200 characters, PostgreSQL-safe */
  excerpt: string;
}

/** Records bad lines (idempotent per file, line and content); returns how many were new. */
export async function recordMirrorRejects(db: Queryable, rejects: MirrorReject[]): Promise<number> {
  return (await audit.recordMirrorRejects(db, { rejects })) ?? 0;
}

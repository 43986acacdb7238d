import { audit } from '../db/generated/functions';
import type { Queryable } from '../db/pool';

/** Calls of the stored functions in sql/functions/audit.sql, through the generated typed wrappers. */

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

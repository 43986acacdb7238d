import { audit } from '../db/generated/functions';
import { Queryable } from '../db/pool';

/**
 * Reads of the audit trail (audit.events, audit.tool_usage): filtered by agent, type and time range,
 * newest first, at most 1000 rows a page, keyset-paginated by an opaque cursor. The queries live in
 * sql/functions/audit_queries.sql; the writers are in sql/functions/audit.sql.
 */

/** A stored row of audit.events, as read back (the MCP port's AuditEvent is what a tool records). */
export interface AuditEventRow {
  /** bigint, as a string */
  id: string;
  occurredAt: Date;
  agentId: string | null;
  sessionId: string | null;
  eventType: string;
  confidence: number | null;
  details: Record<string, unknown>;
  contentHash: string;
  prevHash: string | null;
  source: string;
  ingestedAt: Date;
}

/** A stored row of audit.tool_usage, as read back (the MCP port's ToolUsage is what the server reports). */
export interface ToolUsageRow {
  id: string;
  occurredAt: Date;
  toolName: string;
  agentId: string | null;
  sessionId: string | null;
  latencyMs: number | null;
  success: boolean;
  errorCode: string | null;
  contentHash: string;
  source: string;
}

export interface Page<T> {
  rows: T[];
  /** pass as `cursor` for the next page; null when this page was not full */
  nextCursor: string | null;
}

interface Window {
  agentId?: string;
  /** inclusive */
  since?: Date;
  /** exclusive */
  until?: Date;
  /** 1 to 1000, default 100 */
  limit?: number;
  cursor?: string;
}

export interface EventQuery extends Window {
  eventType?: string;
}

export interface ToolUsageQuery extends Window {
  toolName?: string;
  success?: boolean;
}

function page<R extends { cursor: string | null }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const last = rows[rows.length - 1];
  return { rows: rows.map(map), nextCursor: last && rows.length === limit ? last.cursor : null };
}

async function queryEvents(db: Queryable, query: EventQuery = {}): Promise<Page<AuditEventRow>> {
  const limit = query.limit ?? 100;
  const rows = await audit.queryEvents(db, { ...query, limit });
  return page(rows, limit, (r) => ({
    id: r.id,
    occurredAt: r.occurred_at,
    agentId: r.agent_id,
    sessionId: r.session_id,
    eventType: r.event_type,
    confidence: r.confidence,
    details: (r.details as Record<string, unknown>) ?? {},
    contentHash: r.content_hash,
    prevHash: r.prev_hash,
    source: r.source,
    ingestedAt: r.ingested_at,
  }));
}

async function queryToolUsage(db: Queryable, query: ToolUsageQuery = {}): Promise<Page<ToolUsageRow>> {
  const limit = query.limit ?? 100;
  const rows = await audit.queryToolUsage(db, { ...query, limit });
  return page(rows, limit, (r) => ({
    id: r.id,
    occurredAt: r.occurred_at,
    toolName: r.tool_name,
    agentId: r.agent_id,
    sessionId: r.session_id,
    latencyMs: r.latency_ms,
    success: r.success,
    errorCode: r.error_code,
    contentHash: r.content_hash,
    source: r.source,
  }));
}

export type AuditQueryService = ReturnType<typeof createAuditQueryService>;

/** Reads of the audit trail over `db`. INVALID_INPUT for a limit outside 1..1000, an empty window or a malformed cursor (decided in SQL). */
export function createAuditQueryService(db: Queryable) {
  return {
    /** audit.events, newest first */
    queryEvents: (query: EventQuery = {}) => queryEvents(db, query),
    /** audit.tool_usage, newest first */
    queryToolUsage: (query: ToolUsageQuery = {}) => queryToolUsage(db, query),
  };
}

import { randomUUID } from 'crypto';
import { audit as auditFns } from '../db/generated/functions';
import type { Queryable } from '../db/types';
import { canonicalJson, sha256Hex } from './canonicalJson';

/** One MCP tool call, as the MCP server reports it (the ToolUsageSink port of src/mcp/ports.ts). */
export interface ToolUsage {
  toolName: string;
  agentId: string | null;
  sessionId: string | null;
  /** wall time of the call (ms; stored rounded to µs) */
  latencyMs: number;
  success: boolean;
  /** the error's stable code; null on success */
  errorCode: string | null;
  occurredAt: Date;
}

/**
 * Records tool usage in audit.tool_usage off the request path: rows are buffered and inserted in
 * batches (one stored-function call per batch). The buffer is bounded; when PostgreSQL is down
 * longer than the buffer lasts, the oldest rows are counted in `dropped` (the audit JSONL, not
 * this table, is the compliance record).
 */
export class ToolUsageWriter {
  private buffer: Record<string, unknown>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  dropped = 0;
  written = 0;
  lastError: string | null = null;

  constructor(private readonly db: Queryable, private readonly options: { flushIntervalMs?: number; maxBuffered?: number } = {}) {}

  record(usage: ToolUsage): void {
    const row = {
      occurred_at: usage.occurredAt.toISOString(),
      tool_name: usage.toolName,
      agent_id: usage.agentId,
      session_id: usage.sessionId,
      latency_ms: Math.round(usage.latencyMs * 1000) / 1000,
      success: usage.success,
      error_code: usage.errorCode,
      // a per-call nonce: two identical calls in the same millisecond are two rows, not one
      call_id: randomUUID(),
    };
    this.buffer.push({ ...row, content_hash: sha256Hex(canonicalJson(row)) });
    if (this.buffer.length > (this.options.maxBuffered ?? 50_000)) {
      this.buffer.shift();
      this.dropped++;
    }
    if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs ?? 200);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // a running flush may start the next one when it ends (the rest of the buffer): wait until none
    // runs, so a caller gets every row recorded before its call written (or left buffered on error)
    while (this.flushing) await this.flushing;
    if (!this.buffer.length) return;
    const batch = this.buffer.splice(0, 1000);
    this.flushing = auditFns
      .insertToolUsage(this.db, { rows: batch.map(({ call_id: _c, ...r }) => r), source: 'server' })
      .then(() => {
        this.written += batch.length;
        this.lastError = null;
      })
      .catch((err: Error) => {
        this.lastError = err.message;
        this.buffer.unshift(...batch);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
    if (this.buffer.length && !this.lastError) await this.flush();
    else if (this.buffer.length && !this.timer) this.timer = setTimeout(() => void this.flush(), 1000);
  }

  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

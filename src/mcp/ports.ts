import type { ToolUsage } from '../audit/toolUsageWriter';

/**
 * What the MCP server needs from the rest of the system, as small interfaces. The runtime
 * (src/server/runtime.ts) adapts the real implementations (PostgreSQL, the Redis layer, the audit
 * trail) to them; tests use the same real implementations.
 */
export interface SessionBindings {
  /** agent bound to an MCP session, or null */
  resolve(sessionId: string): Promise<string | null>;
  bind(sessionId: string, agentId: string, client: string): Promise<void>;
  /** live session ids of an agent */
  listSessions(agentId: string): Promise<string[]>;
  unbind(sessionId: string): Promise<void>;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  retryAfterMs: number;
}

export interface ToolRateLimiter {
  /** consumes one unit of `operation` for the agent (or the anonymous session) */
  consume(subject: string, operation: string): Promise<RateDecision>;
}

export interface AuditEvent {
  agentId: string | null;
  sessionId: string | null;
  eventType: string;
  confidence?: number | null;
  details: Record<string, unknown>;
}

export interface AuditSink {
  /**
   * Appends to the compliance log; resolves once the line is fsynced (group commit: concurrent
   * calls share one sync). Rejects when the log refuses the event (e.g. a failed disk).
   */
  record(event: AuditEvent): Promise<void>;
}

/** One tool call; src/audit/toolUsageWriter.ts writes it to audit.tool_usage. */
export type { ToolUsage };

export interface ToolUsageSink {
  record(usage: ToolUsage): void;
}

import { canonicalJson, scrubSecrets, sha256Hex } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { isObject, num, str, ts } from './common';

const EVENT_TYPE = /^[a-z][a-z0-9_.:-]{0,63}$/;
const TOOL_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;

export interface AuditEventRecord {
  content_hash: string;
  occurred_at: string;
  agent_id: string | null;
  session_id: string | null;
  event_type: string;
  confidence: number | null;
  details: Record<string, unknown>;
}

export interface ToolUsageRecord {
  content_hash: string;
  occurred_at: string;
  tool_name: string;
  agent_id: string | null;
  session_id: string | null;
  latency_ms: number | null;
  success: boolean;
  error_code: string | null;
}

/**
 * The content hash of a legacy audit or tool-usage record: sha256 of the canonical JSON of its
 * logical form (the JSONL line object; SQLite rows rebuilt into the same object), with top-level
 * null fields dropped so that the same event read from audit_log.jsonl and from governance.db hashes
 * alike. The kind is part of the hashed text so an event and a tool call never collide.
 */
export function contentHash(kind: 'audit_event' | 'tool_usage', logical: Record<string, unknown>): string {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(logical)) if (v !== null && v !== undefined) clean[k] = v;
  return sha256Hex(`${kind}\n${canonicalJson(clean)}`);
}

const AUDIT_MAPPED = new Set(['timestamp', 'agent_id', 'session_id', 'event_type', 'confidence', 'details']);

export function normalizeAuditEvent(line: unknown, ctx: NormalizeContext): Normalized<AuditEventRecord> {
  if (!isObject(line)) return { ok: false, reason: 'line is not a JSON object' };
  const occurred = ts(line.timestamp, ctx);
  if (!occurred) return { ok: false, reason: `timestamp ${JSON.stringify(line.timestamp ?? null)} is not a timestamp` };
  const type = str(line.event_type);
  if (!type || !EVENT_TYPE.test(type)) return { ok: false, reason: `event_type ${JSON.stringify(line.event_type ?? null)} does not match ^[a-z][a-z0-9_.:-]{0,63}$` };
  const confidence = line.confidence === null || line.confidence === undefined ? null : num(line.confidence);
  if (confidence === undefined || (confidence !== null && (confidence < 0 || confidence > 1))) return { ok: false, reason: `confidence ${JSON.stringify(line.confidence)} is not between 0 and 1` };
  const details: Record<string, unknown> = isObject(line.details) ? { ...line.details } : line.details === null || line.details === undefined ? {} : { value: line.details };
  const extra = Object.fromEntries(Object.entries(line).filter(([k, v]) => !AUDIT_MAPPED.has(k) && v !== null && v !== undefined));
  if (Object.keys(extra).length) details._legacy = extra;
  return {
    ok: true,
    value: {
      content_hash: contentHash('audit_event', line), occurred_at: occurred, agent_id: str(line.agent_id) ?? null,
      session_id: str(line.session_id) ?? null, event_type: type, confidence, details: scrubSecrets(details),
    },
  };
}

export function normalizeToolUsage(line: unknown, ctx: NormalizeContext): Normalized<ToolUsageRecord> {
  if (!isObject(line)) return { ok: false, reason: 'line is not a JSON object' };
  const occurred = ts(line.timestamp, ctx);
  if (!occurred) return { ok: false, reason: `timestamp ${JSON.stringify(line.timestamp ?? null)} is not a timestamp` };
  const tool = str(line.tool_name);
  if (!tool || !TOOL_NAME.test(tool)) return { ok: false, reason: `tool_name ${JSON.stringify(line.tool_name ?? null)} does not match ^[A-Za-z][A-Za-z0-9_.:-]{0,127}$` };
  const success = typeof line.success === 'boolean' ? line.success : line.success === 1 || line.success === 0 ? line.success === 1 : undefined;
  if (success === undefined) return { ok: false, reason: `success ${JSON.stringify(line.success ?? null)} is not a boolean` };
  const latency = line.latency_ms === null || line.latency_ms === undefined ? null : num(line.latency_ms);
  if (latency === undefined || (latency !== null && latency < 0)) return { ok: false, reason: `latency_ms ${JSON.stringify(line.latency_ms)} is not a non-negative number` };
  return {
    ok: true,
    value: {
      content_hash: contentHash('tool_usage', { ...line, success }), occurred_at: occurred, tool_name: tool, agent_id: str(line.agent_id) ?? null,
      session_id: str(line.session_id) ?? null, latency_ms: latency, success, error_code: str(line.error_type) ?? str(line.error_code) ?? null,
    },
  };
}

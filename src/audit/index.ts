/**
 * The audit trail: audit_log.jsonl (hash-chained, group-committed) is the compliance record;
 * AuditMirror copies it into audit.events; ToolUsageWriter batches tool calls into audit.tool_usage.
 * docs/audit.md describes the format and guarantees. The server (src/server/runtime.ts) starts the
 * trail with startAuditTrail, as the tests do.
 *
 *   const trail = await startAuditTrail(pool, { path: config.auditLogPath });
 *   await trail.log.record({ agentId, sessionId, eventType: 'lifecycle.paused', confidence, details });
 *   trail.state();      // for /health and /metrics
 *   await trail.close();
 */
import type { Queryable } from '../db/pool';
import { AuditLog, AuditLogOptions, AuditLogState } from './auditLog';
import { AuditMirror, AuditMirrorOptions, AuditMirrorState } from './auditMirror';

export { AuditLog } from './auditLog';
export type { AuditLogOptions, AuditLogState, AuditReceipt, TornTailRecovery } from './auditLog';
export { AuditMirror } from './auditMirror';
export type { AuditMirrorOptions, AuditMirrorState } from './auditMirror';
export type { AuditEventInput, AuditLine } from './auditLine';
export { verifyChain } from './verify';
export type { VerifyResult } from './verify';
export { backfillFiles } from './backfill';
export { listLogFiles } from './logFiles';
export { ToolUsageWriter } from './toolUsageWriter';
export type { ToolUsage } from './toolUsageWriter';

export interface AuditTrail {
  log: AuditLog;
  mirror: AuditMirror;
  state(): { log: AuditLogState; mirror: AuditMirrorState };
  /** Flushes the log, lets the mirror send what it can within mirrorTimeoutMs, then stops both. */
  close(mirrorTimeoutMs?: number): Promise<void>;
}

/** Opens the log and starts its mirror in this process (the mirror reads only durable lines). */
export async function startAuditTrail(
  db: Queryable,
  options: AuditLogOptions & { mirror?: Omit<AuditMirrorOptions, 'logPath' | 'writer'> },
): Promise<AuditTrail> {
  const log = await AuditLog.open(options);
  const mirror = new AuditMirror(db, { ...options.mirror, logPath: log.path, writer: log });
  mirror.start();
  return {
    log,
    mirror,
    state: () => ({ log: log.state(), mirror: mirror.state() }),
    async close(mirrorTimeoutMs = 2000) {
      await log.flush().catch(() => undefined);
      // whatever is not mirrored now stays in the file and is sent after the next start
      await mirror.caughtUp(mirrorTimeoutMs).catch(() => undefined);
      try {
        await mirror.stop();
      } finally {
        // the log's file lock is released even when the mirror fails to stop
        await log.close();
      }
    },
  };
}

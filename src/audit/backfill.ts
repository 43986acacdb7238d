import type { Queryable } from '../db/pool';
import { normalizeAuditEvent } from '../import/normalize/audit';
import type { SourceZone } from '../import/timezone';
import type { NormalizeContext } from '../import/types';
import { checkLine, pgProblem } from './auditLine';
import { EventRow, insertEvents } from './auditDb';
import { forEachLine } from './logFiles';
import { isDataError } from '../db/sqlErrors';

export interface BackfillOptions {
  /** Zone of legacy timestamps without one (the old server ran at UTC-07:00). */
  sourceZone: SourceZone;
  batchSize?: number;
}

export interface BackfillFileReport {
  file: string;
  lines: number;
  ours: number;
  legacy: number;
  inserted: number;
  duplicates: number;
  rejected: Array<{ line: number; reason: string }>;
  tornTail: { line: number; bytes: number } | null;
}

type Converted = { row: EventRow; kind: 'ours' | 'legacy' } | { reason: string };

/**
 * Loads JSONL files into audit.events, idempotently: every row's content_hash is a function of the
 * line alone, and audit.insert_events skips hashes it has. Two shapes are accepted per line:
 * - ours (audit_log.jsonl): checked like `govdb audit verify` checks a line; content_hash = its hash.
 * - legacy `{timestamp, agent_id, event_type, confidence, details, metadata?}`: normalised exactly
 *   as the legacy importer does (src/import/normalize/audit.ts: same content hash, same details
 *   shape, secrets scrubbed), so a legacy file loaded by both tools still gives one row per event.
 *   Zone-less timestamps are read in options.sourceZone.
 * Lines that fit neither shape are reported with their line number and not loaded.
 */
export async function backfillFiles(db: Queryable, files: string[], options: BackfillOptions): Promise<BackfillFileReport[]> {
  const batchSize = options.batchSize ?? 1000;
  const reports: BackfillFileReport[] = [];
  for (const file of files) {
    const report: BackfillFileReport = { file, lines: 0, ours: 0, legacy: 0, inserted: 0, duplicates: 0, rejected: [], tornTail: null };
    const ctx: NormalizeContext = { zone: options.sourceZone, file };
    let batch: Array<{ row: EventRow; line: number }> = [];
    const send = async (): Promise<void> => {
      if (!batch.length) return;
      const taken = batch;
      batch = [];
      try {
        const result = await insertEvents(db, taken.map((b) => b.row), 'backfill');
        report.inserted += result.inserted;
        report.duplicates += result.duplicates;
      } catch (err) {
        if (!isDataError(err)) throw err;
        // PostgreSQL refused something in the batch: load row by row, reject only the refused lines
        for (const b of taken) {
          try {
            const one = await insertEvents(db, [b.row], 'backfill');
            report.inserted += one.inserted;
            report.duplicates += one.duplicates;
          } catch (rowErr) {
            if (!isDataError(rowErr)) throw rowErr;
            report.rejected.push({ line: b.line, reason: `PostgreSQL refused the row: ${(rowErr as Error).message}` });
          }
        }
        report.rejected.sort((a, b) => a.line - b.line);
      }
    };
    const info = await forEachLine(file, async (text, line) => {
      report.lines = line;
      const converted = convert(text, ctx);
      if ('reason' in converted) report.rejected.push({ line, reason: converted.reason });
      else {
        report[converted.kind]++;
        batch.push({ row: converted.row, line });
        if (batch.length >= batchSize) await send();
      }
    });
    await send();
    if (info.tailBytes) report.tornTail = { line: info.lines + 1, bytes: info.tailBytes };
    reports.push(report);
  }
  return reports;
}

function convert(text: string, ctx: NormalizeContext): Converted {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { reason: `not valid JSON (${(err as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { reason: 'not a JSON object' };
  const obj = parsed as Record<string, unknown>;
  if ('hash' in obj && 'prev_hash' in obj && 'ts' in obj) {
    const check = checkLine(text);
    if (!check.ok) return { reason: `audit_log line: ${check.reason}` };
    const l = check.line;
    const unsafe = pgProblem(l);
    if (unsafe) return { reason: `audit_log line: PostgreSQL cannot load it: ${unsafe}` };
    return { kind: 'ours', row: { occurred_at: l.ts, agent_id: l.agent_id, session_id: l.session_id, event_type: l.event_type, confidence: l.confidence, details: l.details, content_hash: l.hash, prev_hash: l.prev_hash, source: 'backfill' } };
  }
  if ('timestamp' in obj && 'event_type' in obj) return convertLegacy(obj, ctx);
  return { reason: 'neither an audit_log line {ts, …, prev_hash, hash} nor a legacy line {timestamp, agent_id, event_type, confidence, details}' };
}

function convertLegacy(obj: Record<string, unknown>, ctx: NormalizeContext): Converted {
  const result = normalizeAuditEvent(obj, ctx);
  if (!result.ok) return { reason: `legacy line: ${result.reason}` };
  const unsafe = pgProblem(result.value);
  if (unsafe) return { reason: `legacy line: PostgreSQL cannot load it: ${unsafe}` };
  return { kind: 'legacy', row: { ...result.value, prev_hash: null, source: 'legacy' } };
}


import { audit } from '../db/generated/functions';
import type { Queryable } from '../db/pool';
import { canonicalJson } from './canonicalJson';
import type { Checkpoint } from './checkpoint';
import { VerifiedLine, VerifyResult, verifyChain } from './verify';

/** A difference between the log files and audit.events. */
export interface DbDifference {
  /**
   * missing: a loadable line the mirror has passed (per its checkpoint) with no row; pending: a line
   * after the mirror's checkpoint with no row yet (not a problem); different: a row with the line's
   * hash whose fields differ; extra: a mirrored row (source 'server') whose hash is in no file.
   */
  kind: 'missing' | 'different' | 'extra';
  file?: string;
  line?: number;
  content_hash: string;
  /** id of the row in audit.events (different, extra) */
  row_id?: number;
  reason: string;
}

export interface DbComparison {
  ok: boolean;
  /** lines compared (valid and loadable) */
  compared: number;
  matching: number;
  /** lines not yet mirrored (after the checkpoint), without a row */
  pending: number;
  differences: DbDifference[];
  counts: { missing: number; different: number; extra: number };
}

export interface VerifyBothResult {
  chain: VerifyResult;
  database: DbComparison;
}

const BATCH = 1000;

/**
 * Verifies the chain (verifyChain) and compares every line with audit.events, by content hash and
 * in chain order: rows missing or different, and mirrored rows (source 'server') in no file. Lines
 * after the mirror's checkpoint without a row count as pending (the mirror has not reached them).
 * `checkpoint` and `fileNames` (basenames in chain order) place the checkpoint; without them every
 * absent row counts as missing.
 */
export async function verifyAgainstDatabase(db: Queryable, files: string[], checkpoint: Checkpoint | null, fileNames: string[]): Promise<VerifyBothResult> {
  const cmp: DbComparison = { ok: true, compared: 0, matching: 0, pending: 0, differences: [], counts: { missing: 0, different: 0, extra: 0 } };
  const seen = new Set<string>();
  const cpIndex = checkpoint ? fileNames.indexOf(checkpoint.file) : -1;
  const mirrored = (l: VerifiedLine): boolean => checkpoint !== null && cpIndex >= 0 && (l.fileIndex < cpIndex || (l.fileIndex === cpIndex && l.line <= checkpoint.line));
  let batch: VerifiedLine[] = [];
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    const rows = await audit.eventsByHashes(db, { hashes: batch.map((l) => l.value.hash) });
    const byHash = new Map(rows.map((r) => [r.content_hash, r]));
    for (const l of batch) {
      cmp.compared++;
      const row = byHash.get(l.value.hash);
      if (!row) {
        if (checkpoint && !mirrored(l)) cmp.pending++;
        else add({ kind: 'missing', file: l.file, line: l.line, content_hash: l.value.hash, reason: 'no row in audit.events has this line\'s hash' });
        continue;
      }
      const diff = fieldDifferences(l, row);
      if (diff.length) add({ kind: 'different', file: l.file, line: l.line, content_hash: l.value.hash, row_id: Number(row.id), reason: `row ${row.id} differs in ${diff.join(', ')}` });
      else cmp.matching++;
    }
    batch = [];
  };
  const add = (d: DbDifference): void => {
    cmp.differences.push(d);
    cmp.counts[d.kind]++;
  };
  const chain = await verifyChain(files, async (l) => {
    seen.add(l.value.hash);
    if (!l.loadable) return; // reported by the chain check; the mirror records it as a reject
    batch.push(l);
    if (batch.length >= BATCH) await flush();
  });
  await flush();
  for (let after = 0; ; ) {
    const page = await audit.serverEventHashes(db, { afterId: after, limit: 10_000 });
    if (!page.length) break;
    for (const r of page) {
      if (!seen.has(r.content_hash)) add({ kind: 'extra', content_hash: r.content_hash, row_id: Number(r.id), reason: `row ${r.id} (${r.occurred_at?.toISOString()}) was mirrored from a line that is in none of the files` });
    }
    after = Number(page[page.length - 1]!.id);
  }
  cmp.ok = cmp.differences.length === 0;
  return { chain, database: cmp };
}

function fieldDifferences(l: VerifiedLine, row: { occurred_at: Date | null; agent_id: string | null; session_id: string | null; event_type: string | null; confidence: number | null; details: unknown; prev_hash: string | null }): string[] {
  const v = l.value;
  const out: string[] = [];
  if (row.occurred_at?.toISOString() !== v.ts) out.push(`occurred_at (${row.occurred_at?.toISOString()} vs ${v.ts})`);
  if (row.agent_id !== v.agent_id) out.push('agent_id');
  if (row.session_id !== v.session_id) out.push('session_id');
  if (row.event_type !== v.event_type) out.push('event_type');
  if (row.confidence !== v.confidence) out.push('confidence');
  if (canonicalJson(row.details ?? {}) !== canonicalJson(v.details)) out.push('details');
  if (row.prev_hash !== v.prev_hash) out.push('prev_hash');
  return out;
}

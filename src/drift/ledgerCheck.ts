import { Queryable } from '../db/pool';
import { LedgerFiles } from '../db/migrate/ledgerFiles';
import { LedgerProblem, readLedgerStatus } from '../db/migrate/status';

export interface LedgerCheckItem {
  kind: string;
  file: string;
  /** pending: not applied; changed: applied with another checksum; missing: applied, file gone */
  state: string;
  fileChecksum: string | null;
  appliedChecksum: string | null;
}

export interface LedgerCheck {
  status: 'ok' | 'drift';
  items: LedgerCheckItem[];
  problems: LedgerProblem[];
}

/**
 * Does the target's ledger (core.schema_migrations) agree with the files of this checkout? Every
 * item that is not applied with the file's current checksum is drift: a pending migration, a
 * function file edited since it was applied, an applied file that is gone.
 */
export async function checkLedger(db: Queryable, files: LedgerFiles): Promise<LedgerCheck> {
  const status = await readLedgerStatus(db, files);
  const items = status.items
    .filter((i) => i.state !== 'applied')
    .map((i) => ({ kind: i.kind, file: i.file, state: i.state, fileChecksum: i.fileChecksum ?? null, appliedChecksum: i.appliedChecksum ?? null }));
  return { status: items.length || status.problems.length ? 'drift' : 'ok', items, problems: status.problems };
}

import { Queryable } from '../pool';
import { LedgerFiles } from './ledgerFiles';

/**
 * The kinds of ledger items, as the enum core.migration_kind holds them. Written here rather than
 * imported from src/db/generated/enums.ts because codegen runs the migrator before anything is
 * generated; test/codegen/ledgerKind.test.ts keeps the two equal.
 */
export const ledgerKinds = ['sql', 'cypher', 'function'] as const;
export type LedgerKind = (typeof ledgerKinds)[number];
/**
 * Exactly one state per ledger item:
 * - applied: recorded in core.schema_migrations with the file's current checksum;
 * - pending: not recorded; `govdb migrate` will apply it;
 * - changed: recorded with another checksum (the file was edited after it was applied). An error for
 *   SQL and Cypher migrations; a function file is re-applied by `govdb migrate`;
 * - missing: recorded, but the file is not in this checkout.
 */
export type ItemState = 'applied' | 'pending' | 'changed' | 'missing';
export const ITEM_STATES: readonly ItemState[] = ['applied', 'pending', 'changed', 'missing'];

export interface LedgerItem {
  kind: LedgerKind;
  name: string;
  file: string;
  version?: number;
  /** checksum of the file on disk now (absent when the file is gone) */
  fileChecksum?: string;
  /** checksum recorded in core.schema_migrations (absent when never applied) */
  appliedChecksum?: string;
  appliedAt?: string;
  state: ItemState;
}

export interface LedgerProblem {
  code: 'MIGRATION_CHECKSUM_MISMATCH' | 'MIGRATION_UNKNOWN_APPLIED' | 'MIGRATION_FILE_INVALID';
  file: string;
  message: string;
}

export interface LedgerStatus {
  sqlVersion: number | null;
  items: LedgerItem[];
  /** per kind, the number of items in each state (each item is counted once) */
  applied: Record<LedgerKind, number>;
  pending: Record<LedgerKind, number>;
  changed: Record<LedgerKind, number>;
  missing: Record<LedgerKind, number>;
  problems: LedgerProblem[];
}

/** Items `govdb migrate` would apply: pending ones and changed function files. */
export function itemsToApply(status: LedgerStatus): LedgerItem[] {
  return status.items.filter((i) => i.state === 'pending' || (i.state === 'changed' && i.kind === 'function'));
}

interface LedgerRow {
  kind: LedgerKind;
  version: number | null;
  name: string;
  file: string;
  checksum: string;
  applied_at: Date;
}

async function readRows(db: Queryable): Promise<LedgerRow[]> {
  const exists = await db.query<{ present: boolean }>(`select to_regclass('core.schema_migrations') is not null as present`);
  if (!exists.rows[0]?.present) return [];
  // latest row per (kind, file): functions keep one row per application
  const result = await db.query<LedgerRow>(
    `select distinct on (kind, file) kind::text as kind, version, name, file, checksum, applied_at
       from core.schema_migrations order by kind, file, id desc`,
  );
  return result.rows;
}

export async function readLedgerStatus(db: Queryable, files: LedgerFiles): Promise<LedgerStatus> {
  const rows = await readRows(db);
  const byKey = new Map(rows.map((r) => [`${r.kind}:${r.file}`, r]));
  const items: LedgerItem[] = [];
  const problems: LedgerProblem[] = [];
  const seen = new Set<string>();
  const sqlRowsByVersion = new Map(rows.filter((r) => r.kind === 'sql').map((r) => [r.version!, r]));

  /** `accepted`: other stored checksums that record this same content (see ledgerFiles) */
  const addItem = (kind: LedgerKind, name: string, file: string, checksum: string, accepted: string[], version?: number) => {
    // SQL rows are matched by version so that renaming a committed file's slug is not a new migration
    const row = kind === 'sql' ? sqlRowsByVersion.get(version!) : byKey.get(`${kind}:${file}`);
    if (row) seen.add(`${row.kind}:${row.file}`);
    let state: ItemState = 'pending';
    if (row) state = row.checksum === checksum || accepted.includes(row.checksum) ? 'applied' : 'changed';
    items.push({
      kind, name, file, version, fileChecksum: checksum,
      appliedChecksum: row?.checksum, appliedAt: row?.applied_at?.toISOString(), state,
    });
    if (state === 'changed' && kind !== 'function') {
      problems.push({
        code: 'MIGRATION_CHECKSUM_MISMATCH',
        file,
        message: `${file} was changed after it was applied: applied checksum ${row!.checksum}, file checksum ${checksum}.`,
      });
    }
  };
  for (const m of files.sql) {
    // An AllowInvalidHash migration applied by the graphile-migrate CLI (or by govdb before it stored
    // the body's hash) is recorded with its Hash header: accepted, as graphile-migrate accepts it.
    addItem('sql', m.name, m.file, m.checksum, m.allowInvalidHash ? [m.headerHash] : [], m.version);
    const item = items[items.length - 1]!;
    if (item.state === 'pending' && m.hashProblem) {
      problems.push({ code: 'MIGRATION_FILE_INVALID', file: m.file, message: m.hashProblem });
    }
  }
  for (const m of files.cypher) addItem('cypher', m.name, m.file, m.checksum, m.legacyChecksums);
  for (const f of files.functions) addItem('function', f.name, f.file, f.checksum, f.legacyChecksums);

  for (const row of rows) {
    if (seen.has(`${row.kind}:${row.file}`)) continue;
    items.push({ kind: row.kind, name: row.name, file: row.file, version: row.version ?? undefined, appliedChecksum: row.checksum, appliedAt: row.applied_at.toISOString(), state: 'missing' });
    if (row.kind !== 'function') {
      problems.push({ code: 'MIGRATION_UNKNOWN_APPLIED', file: row.file, message: `${row.file} (${row.kind}) is recorded as applied but the file is missing from this checkout.` });
    }
  }

  // graphile-migrate only runs files numbered after the last applied one: a lower pending number would be skipped
  const maxApplied = Math.max(0, ...rows.filter((r) => r.kind === 'sql').map((r) => r.version!));
  for (const item of items) {
    if (item.kind === 'sql' && item.state === 'pending' && item.version! < maxApplied) {
      problems.push({ code: 'MIGRATION_FILE_INVALID', file: item.file, message: `${item.file} (version ${item.version}) is pending but version ${maxApplied} is already applied; renumber it after ${maxApplied}.` });
    }
  }

  const count = (state: (i: LedgerItem) => boolean) => ({
    sql: items.filter((i) => i.kind === 'sql' && state(i)).length,
    cypher: items.filter((i) => i.kind === 'cypher' && state(i)).length,
    function: items.filter((i) => i.kind === 'function' && state(i)).length,
  });
  const sqlVersion = rows.some((r) => r.kind === 'sql') ? maxApplied : null;
  return {
    sqlVersion,
    items,
    applied: count((i) => i.state === 'applied'),
    pending: count((i) => i.state === 'pending'),
    changed: count((i) => i.state === 'changed'),
    missing: count((i) => i.state === 'missing'),
    problems,
  };
}

/** Exit codes of `govdb status`, documented in the README. */
export const STATUS_EXIT = { UP_TO_DATE: 0, PENDING: 1, INCONSISTENT: 2, UNREACHABLE: 3 } as const;

/** 2 when a SQL/Cypher file changed or is missing (or a pending file is invalid), 1 when anything is left to apply, else 0. */
export function statusExitCode(status: LedgerStatus): number {
  if (status.problems.length) return STATUS_EXIT.INCONSISTENT;
  return itemsToApply(status).length ? STATUS_EXIT.PENDING : STATUS_EXIT.UP_TO_DATE;
}

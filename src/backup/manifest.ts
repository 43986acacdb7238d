import { createHash } from 'crypto';
import { createReadStream, promises as fs } from 'fs';
import path from 'path';
import { Queryable } from '../db/pool';
import { GovdbError } from '../errors';
import { backupSql } from './sqlFiles';

/**
 * manifest.json of a backup directory: what the backup holds and the numbers a restore must
 * reproduce. Paths are relative to the backup directory, sizes in bytes, hashes sha256 hex.
 *
 *   database.dump          pg_dump custom format (one snapshot, data + schema + AGE catalog rows)
 *   ledger.json            core.schema_migrations and graphile_migrate.migrations at the snapshot
 *   audit/<name>.jsonl     the audit log files in chain order (the active file cut at its last newline)
 *   manifest.json          this file; manifest.sha256 lists every file's sha256 (`sha256sum -c`)
 */
export const MANIFEST_FORMAT = 'govdb-backup';
export const MANIFEST_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const CHECKSUM_FILE = 'manifest.sha256';
export const DUMP_FILE = 'database.dump';
export const LEDGER_FILE = 'ledger.json';
export const AUDIT_DIR = 'audit';

export interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
}

export interface TableCount {
  schema: string;
  table: string;
  rows: number;
}

export interface LabelCount {
  graph: string;
  label: string;
  /** v vertex, e edge */
  kind: 'v' | 'e';
  count: number;
}

export interface LedgerEntry {
  kind: string;
  version: number | null;
  name: string;
  file: string;
  checksum: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  createdAt: string;
  /** now() inside the exported snapshot the dump and every count were taken in */
  snapshotAt: string;
  /** bytes: pg_database_size at the snapshot (tables, indexes, TOAST: what a restore rebuilds) */
  database: { name: string; bytes: number };
  versions: {
    govdb: string;
    node: string;
    server: string;
    serverVersionNum: number;
    pgDump: string;
    extensions: Record<string, string>;
    sqlVersion: number | null;
  };
  dump: { file: string; format: 'custom' };
  ledger: { file: string; items: LedgerEntry[] };
  tables: TableCount[];
  graph: { labels: LabelCount[] };
  audit: {
    /** in chain order; path relative to audit/; seq is the rotation number (null: the active file) */
    files: Array<{ path: string; seq: number | null; lines: number }>;
    lines: number;
    /** prev_hash of the first line (null: the chain starts at its genesis line) */
    anchor: string | null;
    /** hash of the last line: the chain head */
    head: string | null;
    /** audit.events rows per source at the snapshot */
    events: Record<string, number>;
  } | null;
  files: FileEntry[];
  /** wall-clock duration of the backup, ms */
  durationMs?: number;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function fileEntry(dir: string, rel: string): Promise<FileEntry> {
  const full = path.join(dir, rel);
  const [stat, sha256] = await Promise.all([fs.stat(full), sha256File(full)]);
  return { path: rel, bytes: stat.size, sha256 };
}

/** Writes manifest.json then manifest.sha256 (every file incl. manifest.json, sha256sum format). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const text = JSON.stringify(manifest, null, 2) + '\n';
  await fs.writeFile(path.join(dir, MANIFEST_FILE), text, { mode: 0o600 });
  const own = createHash('sha256').update(text).digest('hex');
  const lines = [...manifest.files.map((f) => `${f.sha256}  ${f.path}`), `${own}  ${MANIFEST_FILE}`];
  await fs.writeFile(path.join(dir, CHECKSUM_FILE), lines.join('\n') + '\n', { mode: 0o600 });
}

/** Reads and shape-checks manifest.json; BACKUP_INVALID when missing, unparsable or of another format. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    throw new GovdbError('BACKUP_INVALID', `${path.join(dir, MANIFEST_FILE)} cannot be read: ${(err as Error).message}`, {
      hint: 'Pass the directory `govdb backup --out DIR` wrote.',
    });
  }
  let value: Manifest;
  try {
    value = JSON.parse(text) as Manifest;
  } catch (err) {
    throw new GovdbError('BACKUP_INVALID', `${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}`);
  }
  const problems: string[] = [];
  if (value?.format !== MANIFEST_FORMAT) problems.push(`format is ${JSON.stringify(value?.format)}, expected "${MANIFEST_FORMAT}"`);
  else if (value.formatVersion !== MANIFEST_VERSION) problems.push(`formatVersion ${value.formatVersion} is not supported (this govdb reads ${MANIFEST_VERSION})`);
  else {
    if (!Array.isArray(value.files)) problems.push('files is missing');
    if (!Array.isArray(value.tables)) problems.push('tables is missing');
    if (!Array.isArray(value.graph?.labels)) problems.push('graph.labels is missing');
    if (!Array.isArray(value.ledger?.items)) problems.push('ledger.items is missing');
    if (typeof value.versions?.serverVersionNum !== 'number') problems.push('versions.serverVersionNum is missing');
  }
  if (problems.length) throw new GovdbError('BACKUP_INVALID', `${MANIFEST_FILE} is not a govdb backup manifest: ${problems.join('; ')}`);
  return value;
}

export interface DatabaseState {
  serverVersion: string;
  serverVersionNum: number;
  databaseName: string;
  databaseBytes: number;
  snapshotAt: string;
  extensions: Record<string, string>;
  tables: TableCount[];
  labels: LabelCount[];
  ledger: LedgerEntry[];
  auditEvents: Record<string, number>;
}

/** Versions, row counts, graph counts, ledger and audit.events counts, in the caller's snapshot. */
export async function readDatabaseState(db: Queryable): Promise<DatabaseState> {
  const v = (await db.query(backupSql('versions'))).rows[0] as {
    server_version: string; server_version_num: number; database_name: string; database_bytes: string; snapshot_at: Date; extensions: Record<string, string>;
  };
  const tables = (await db.query<{ schema_name: string; table_name: string; row_count: string }>(backupSql('table_counts'))).rows
    .map((r) => ({ schema: r.schema_name, table: r.table_name, rows: Number(r.row_count) }));
  const hasAge = 'age' in v.extensions;
  const labels = hasAge
    ? (await db.query<{ graph_name: string; label: string; kind: string; element_count: string }>(backupSql('graph_counts'))).rows
        .map((r) => ({ graph: r.graph_name, label: r.label, kind: r.kind as 'v' | 'e', count: Number(r.element_count) }))
    : [];
  const hasLedger = tables.some((t) => t.schema === 'core' && t.table === 'schema_migrations');
  const ledger = hasLedger
    ? (await db.query<LedgerEntry>(backupSql('ledger_items'))).rows.map((r) => ({ kind: r.kind, version: r.version, name: r.name, file: r.file, checksum: r.checksum }))
    : [];
  const hasAudit = tables.some((t) => t.schema === 'audit' && t.table === 'event_hashes');
  const auditEvents: Record<string, number> = {};
  if (hasAudit) for (const r of (await db.query<{ source: string; row_count: string }>(backupSql('audit_event_counts'))).rows) auditEvents[r.source] = Number(r.row_count);
  return {
    serverVersion: v.server_version,
    serverVersionNum: v.server_version_num,
    databaseName: v.database_name,
    databaseBytes: Number(v.database_bytes),
    snapshotAt: v.snapshot_at.toISOString(),
    extensions: v.extensions,
    tables,
    labels,
    ledger,
    auditEvents,
  };
}

/** Sorted, comparable keys. */
export const tableKey = (t: { schema: string; table: string }) => `${t.schema}.${t.table}`;
export const labelKey = (l: { graph: string; label: string }) => `${l.graph}.${l.label}`;
export const ledgerKey = (l: { kind: string; file: string }) => `${l.kind}:${l.file}`;

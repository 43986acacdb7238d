import { promises as fs } from 'fs';
import path from 'path';
import { connectClient, redactUrl } from '../db/pool';
import { GovdbError } from '../errors';
import { copyAuditLog } from './auditFiles';
import {
  AUDIT_DIR, DUMP_FILE, fileEntry, LEDGER_FILE, Manifest, MANIFEST_FORMAT, MANIFEST_VERSION, readDatabaseState, writeManifest,
} from './manifest';
import { connectionArgs, findPgTool, runTool } from './pgTools';

export interface BackupOptions {
  databaseUrl: string;
  /** directory to create; must not exist or be empty */
  outDir: string;
  /** the active audit log file (its rotated files are taken with it); null: no audit log in this backup */
  auditLogPath: string | null;
  /** progress lines (stderr in the CLI) */
  progress?: (line: string) => void;
}

/**
 * `govdb backup`: one consistent backup of a live server, without stopping it.
 *
 * A REPEATABLE READ READ ONLY transaction exports its snapshot (pg_export_snapshot); pg_dump
 * (custom format, the server's own major version) dumps that same snapshot (--snapshot), and the
 * manifest's counts, versions and ledger are read in it too, so dump and manifest describe one
 * instant. The audit log is copied after the snapshot was taken, so it holds at least every event
 * audit.events had then (the mirror lags the log, never leads it). Everything is written to
 * `<outDir>.partial-<pid>` and renamed to outDir only when complete.
 *
 * Returns the manifest. Errors: DB_UNREACHABLE, TOOL_VERSION_MISMATCH, BACKUP_FAILED (pg_dump
 * failed; its stderr in the message), INVALID_INPUT (outDir not empty), NOT_FOUND (audit log missing).
 */
export async function runBackup(options: BackupOptions): Promise<Manifest> {
  const started = Date.now();
  const say = options.progress ?? (() => undefined);
  const outDir = path.resolve(options.outDir);
  await assertFreshDir(outDir);
  if (options.auditLogPath) await assertAuditLog(options.auditLogPath);
  const work = `${outDir}.partial-${process.pid}`;
  const client = await connectClient(options.databaseUrl);
  try {
    await fs.rm(work, { recursive: true, force: true });
    await fs.mkdir(work, { recursive: true, mode: 0o700 });
    await client.query('begin isolation level repeatable read read only');
    const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
    const state = await readDatabaseState(client);
    const major = Math.floor(state.serverVersionNum / 10000);
    const pgDump = findPgTool('pg_dump', major);
    say(`backup: ${redactUrl(options.databaseUrl)} (PostgreSQL ${state.serverVersion}), snapshot ${snapshot} at ${state.snapshotAt}`);
    say(`backup: ${state.tables.length} tables, ${state.tables.reduce((n, t) => n + t.rows, 0)} rows; pg_dump via ${pgDump.via}`);

    const ledgerRows = await readLedgerRows(client, state.tables.map((t) => `${t.schema}.${t.table}`));
    await fs.writeFile(path.join(work, LEDGER_FILE), JSON.stringify(ledgerRows, null, 2) + '\n', { mode: 0o600 });

    // the audit copy after the snapshot: the log then holds everything audit.events holds
    let audit: Manifest['audit'] = null;
    const auditCopy = options.auditLogPath
      ? copyAuditLog(path.resolve(options.auditLogPath), path.join(work, AUDIT_DIR)).then(({ files, chain }) => {
          if (!chain.ok) {
            throw new GovdbError('BACKUP_FAILED', `The audit log does not verify: ${chain.broken?.file}:${chain.broken?.line}: ${chain.broken?.reason}`, {
              hint: 'Run `govdb audit verify` on the log; a backup of a broken chain would restore a broken chain.',
            });
          }
          const lines = new Map(chain.files.map((f) => [path.basename(f.file), f.lines]));
          audit = {
            files: files.map((f) => ({ path: f.path, seq: f.seq, lines: lines.get(f.path) ?? 0 })),
            lines: chain.lines, anchor: chain.anchor, head: chain.lastHash, events: state.auditEvents,
          };
          say(`backup: audit log ${files.length} file(s), ${chain.lines} lines, head ${chain.lastHash ?? '(empty)'}`);
        })
      : Promise.resolve();

    const { dbname, env } = connectionArgs(options.databaseUrl);
    let tablesDumped = 0;
    const dumpFile = path.join(work, DUMP_FILE);
    const dumped = runTool(pgDump, ['--format=custom', `--snapshot=${snapshot}`, '--verbose', '--no-password', `--dbname=${dbname}`], {
      stdoutFile: dumpFile,
      env,
      onStderr: (chunk) => {
        for (const m of chunk.matchAll(/dumping contents of table "([^"]+)"/g)) {
          tablesDumped++;
          say(`backup: [${tablesDumped}/${state.tables.length}] ${m[1]}`);
        }
      },
    });
    // both settle before anything is judged: no pg_dump is left writing into a removed directory
    const [dumpSettled, auditSettled] = await Promise.allSettled([dumped, auditCopy]);
    if (dumpSettled.status === 'rejected') throw dumpSettled.reason;
    if (auditSettled.status === 'rejected') throw auditSettled.reason;
    const result = dumpSettled.value;
    if (result.code !== 0) {
      const errors = result.stderr.split('\n').filter((l) => /error|fatal/i.test(l)).slice(-10).join('\n');
      throw new GovdbError('BACKUP_FAILED', `pg_dump exited with ${result.code}:\n${errors || result.stderr.slice(-2000)}`);
    }
    await client.query('commit');

    const files = [];
    for (const rel of [DUMP_FILE, LEDGER_FILE, ...(audit ? (audit as NonNullable<Manifest['audit']>).files.map((f) => path.join(AUDIT_DIR, f.path)) : [])]) {
      files.push(await fileEntry(work, rel));
    }
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_VERSION,
      createdAt: new Date().toISOString(),
      snapshotAt: state.snapshotAt,
      database: { name: state.databaseName, bytes: state.databaseBytes },
      versions: {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside rootDir, so it cannot be imported
        govdb: require('../../package.json').version,
        node: process.version,
        server: state.serverVersion,
        serverVersionNum: state.serverVersionNum,
        pgDump: pgDump.version,
        extensions: state.extensions,
        sqlVersion: maxSqlVersion(state.ledger),
      },
      dump: { file: DUMP_FILE, format: 'custom' },
      ledger: { file: LEDGER_FILE, items: state.ledger },
      tables: state.tables,
      graph: { labels: state.labels },
      audit,
      files,
      durationMs: Date.now() - started,
    };
    await writeManifest(work, manifest);
    await fs.rename(work, outDir).catch(async (err: NodeJS.ErrnoException) => {
      // outDir exists but is empty (checked above): replace it
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await fs.rmdir(outDir);
      await fs.rename(work, outDir);
    });
    const bytes = files.reduce((n, f) => n + f.bytes, 0);
    say(`backup: wrote ${outDir} (${files.length} files, ${bytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return manifest;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    await fs.rm(work, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function maxSqlVersion(items: Array<{ kind: string; version: number | null }>): number | null {
  const versions = items.filter((i) => i.kind === 'sql' && i.version !== null).map((i) => i.version!);
  return versions.length ? Math.max(...versions) : null;
}

async function assertFreshDir(dir: string): Promise<void> {
  try {
    const entries = await fs.readdir(dir);
    if (entries.length) {
      throw new GovdbError('INVALID_INPUT', `${dir} exists and is not empty: a backup is written into a new directory`, {
        hint: 'Pass --out with a new directory (the default is ./govdb-backup-<UTC time>).',
      });
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new GovdbError('INVALID_INPUT', `${dir} is a file, not a directory`);
    throw err;
  }
}

async function assertAuditLog(activePath: string): Promise<void> {
  const dir = path.dirname(path.resolve(activePath));
  try {
    await fs.access(dir);
  } catch {
    throw new GovdbError('NOT_FOUND', `The audit log directory ${dir} does not exist`, {
      hint: 'Pass --audit-log PATH (the server\'s $GOVDB_AUDIT_LOG), or --no-audit-log to back up the database only.',
    });
  }
}

/** Every ledger row (core.schema_migrations, graphile_migrate.migrations) at the snapshot. */
async function readLedgerRows(client: { query: (q: string) => Promise<{ rows: unknown[] }> }, tables: string[]): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  if (tables.includes('core.schema_migrations')) {
    out['core.schema_migrations'] = (await client.query('select * from core.schema_migrations order by id')).rows;
  }
  if (tables.includes('graphile_migrate.migrations')) {
    out['graphile_migrate.migrations'] = (await client.query('select * from graphile_migrate.migrations order by filename')).rows;
  }
  return out;
}

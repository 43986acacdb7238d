import { promises as fs } from 'fs';
import path from 'path';
import type { DbConnection } from '../db/types';
import { checkpointPath, forEachLine, listLogFiles } from '../audit/logFiles';
import { verifyChain } from '../audit/verify';
import { connectClient, createPool, redactUrl } from '../db/pool';
import { verifyGraph } from '../domain/graph';
import { runDrift } from '../drift/drift';
import { GovdbError, isGovdbError } from '../errors';
import { restoredAuditPaths } from './auditFiles';
import { AUDIT_DIR, labelKey, ledgerKey, Manifest, readDatabaseState, tableKey } from './manifest';
import { connectionArgs, findPgTool, PgTool, runTool, writeToolFile } from './pgTools';
import { backupSql } from './sqlFiles';
import { Check, verifyBackup } from './verify';

/** Exit codes of `govdb restore` and `govdb backup verify`. */
export const RESTORE_EXIT = { OK: 0, VERIFY_FAILED: 1, ERROR: 2 } as const;

export interface RestoreOptions {
  dir: string;
  databaseUrl: string;
  /** empty a non-empty target first (graphs through AGE's drop_graph, then schemas and extensions) */
  replace?: boolean;
  /** where the audit log is restored (active file path; rotated files next to it); null: not restored */
  auditLogPath: string | null;
  progress?: (line: string) => void;
}

export interface RestoreReport {
  ok: boolean;
  dir: string;
  target: string;
  replaced: boolean;
  /** AGE catalog references repaired (graphid was the source server's namespace oid) */
  ageRepairs: Array<{ graph: string; oldGraphid: number; newGraphid: number; labels: number }>;
  /** cluster-wide roles the dump's grants name that the target lacked, created NOLOGIN before pg_restore */
  createdRoles: string[];
  checks: Check[];
  durationMs: number;
}

/**
 * `govdb restore DIR --database-url URL`: checks the backup (as `govdb backup verify`), refuses a
 * non-empty target unless `replace`, restores the dump in one transaction with the target's own
 * pg_restore (never `--clean`), repairs AGE's oid references, restores the audit log, then verifies
 * the result against the manifest (see `verifyRestored`). A failed check is a report with ok=false
 * (exit 1); problems before anything was changed throw (TARGET_NOT_EMPTY, BACKUP_INVALID, ...).
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreReport> {
  const started = Date.now();
  const say = options.progress ?? (() => undefined);
  const target = redactUrl(options.databaseUrl);
  const report: RestoreReport = { ok: false, dir: options.dir, target, replaced: false, ageRepairs: [], createdRoles: [], checks: [], durationMs: 0 };
  const done = () => ({ ...report, ok: report.checks.every((c) => c.ok), durationMs: Date.now() - started });

  say(`restore: checking the backup ${options.dir}`);
  const pre = await verifyBackup(options.dir);
  report.checks.push(...pre.checks.map((c) => ({ ...c, name: `backup.${c.name}` })));
  if (!pre.ok || !pre.manifest) return done();
  const manifest = pre.manifest;

  const client = await connectClient(options.databaseUrl);
  try {
    const version = Number((await client.query<{ v: string }>(`select current_setting('server_version_num') as v`)).rows[0]!.v);
    const major = Math.floor(version / 10000);
    const dumpMajor = Math.floor(manifest.versions.serverVersionNum / 10000);
    if (major < dumpMajor) {
      throw new GovdbError('TOOL_VERSION_MISMATCH', `The target runs PostgreSQL ${major}; the backup was taken from PostgreSQL ${dumpMajor}: restore onto ${dumpMajor} or newer.`);
    }
    const pgRestore = findPgTool('pg_restore', major);
    const existing = (await client.query<{ kind: string; name: string }>(backupSql('is_empty'))).rows;
    if (existing.length && !options.replace) {
      const shown = existing.slice(0, 8).map((e) => `${e.kind} ${e.name}`).join(', ');
      throw new GovdbError('TARGET_NOT_EMPTY', `${target} is not empty (${shown}${existing.length > 8 ? `, +${existing.length - 8} more` : ''}); nothing was changed.`, {
        hint: 'Restore into a new database (createdb), or pass --replace to drop its graph (through AGE), schemas and extensions first.',
      });
    }
    const audit = options.auditLogPath && manifest.audit ? path.resolve(options.auditLogPath) : null;
    const oldAuditFiles = audit ? await checkAuditTarget(audit, !!options.replace) : [];

    if (existing.length) {
      say(`restore: --replace: dropping graphs (ag_catalog.drop_graph), schemas and extensions of ${target}`);
      // its own session: drop_graph fills AGE's per-backend label caches, which must not meet the restored catalog
      const dropper = await connectClient(options.databaseUrl);
      try {
        await dropper.query(backupSql('replace_target'));
      } finally {
        await dropper.end().catch(() => undefined);
      }
      report.replaced = true;
    }

    say(`restore: pg_restore (${pgRestore.version}) into ${target}, one transaction`);
    const { dbname, env } = connectionArgs(options.databaseUrl);
    let restored = 0;
    // a target that kept AGE (--replace) has ag_catalog already: skip the dump's CREATE SCHEMA for it
    const keptSchemas = (await client.query<{ nspname: string }>(`select nspname::text as nspname from pg_namespace where nspname = 'ag_catalog'`)).rows.map((r) => r.nspname);
    let list: { path: string; cleanup: () => Promise<void> } | undefined;
    if (keptSchemas.length) {
      const toc = await runTool(pgRestore, ['--list'], { stdinFile: path.join(options.dir, manifest.dump.file) });
      if (toc.code !== 0) throw new GovdbError('RESTORE_FAILED', `pg_restore --list failed: ${toc.stderr.trim().slice(0, 1000)}`);
      const filtered = toc.stdout.split('\n').map((l) => (keptSchemas.some((s) => new RegExp(`^\\d+; \\d+ \\d+ SCHEMA - ${s} `).test(l)) ? `;${l}` : l)).join('\n');
      list = await writeToolFile(pgRestore, 'restore.list', filtered);
    }
    // roles are cluster-wide and not in a database dump: the grants in it (e.g. to govdb_graph_reader,
    // created by a migration) would abort the restore on a new cluster
    const dumpFile = path.join(options.dir, manifest.dump.file);
    for (const role of await rolesGrantedInDump(pgRestore, dumpFile)) {
      const exists = await client.query('select 1 from pg_roles where rolname = $1', [role]);
      if (exists.rowCount) continue;
      await client.query(`create role "${role.replace(/"/g, '""')}" nologin`);
      report.createdRoles.push(role);
      say(`restore: created role ${role} (NOLOGIN), named by the dump's grants`);
    }
    const result = await runTool(pgRestore, ['--no-owner', '--exit-on-error', '--single-transaction', '--verbose', '--no-password', ...(list ? [`--use-list=${list.path}`] : []), `--dbname=${dbname}`], {
      stdinFile: path.join(options.dir, manifest.dump.file),
      env,
      onStderr: (chunk) => {
        for (const m of chunk.matchAll(/processing data for table "([^"]+)"/g)) {
          restored++;
          say(`restore: [${restored}/${manifest.tables.length}] ${m[1]}`);
        }
      },
    });
    await list?.cleanup();
    if (result.code !== 0) {
      const errors = result.stderr.split('\n').filter((l) => /error|fatal|command was/i.test(l)).slice(-10).join('\n');
      throw new GovdbError('RESTORE_FAILED', `pg_restore exited with ${result.code}; the transaction was rolled back:\n${errors || result.stderr.slice(-2000)}`);
    }

    if (manifest.versions.extensions.age) {
      const repairer = await connectClient(options.databaseUrl);
      let repaired;
      try {
        await repairer.query('begin');
        await repairer.query(`set local session_replication_role = replica`);
        repaired = (await repairer.query<{ graph_name: string; old_graphid: string; new_graphid: string; labels_updated: string }>(backupSql('repair_age_catalog'))).rows;
        await repairer.query('commit');
      } finally {
        await repairer.end().catch(() => undefined);
      }
      report.ageRepairs = repaired.map((r) => ({ graph: r.graph_name, oldGraphid: Number(r.old_graphid), newGraphid: Number(r.new_graphid), labels: Number(r.labels_updated) }));
      for (const r of report.ageRepairs) say(`restore: AGE catalog: graph ${r.graph} graphid ${r.oldGraphid} -> ${r.newGraphid} (namespace oid), ${r.labels} label rows`);
    }

    if (audit && manifest.audit) {
      // the old log (--replace) goes only now, after the database was restored
      for (const f of oldAuditFiles) await fs.rm(f, { force: true });
      await fs.mkdir(path.dirname(audit), { recursive: true });
      for (const { from, to } of restoredAuditPaths(audit, manifest.audit.files)) {
        await fs.copyFile(path.join(options.dir, AUDIT_DIR, from), to);
      }
      say(`restore: audit log -> ${audit} (${manifest.audit.files.length} file(s))`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }

  say('restore: verifying the restored database');
  report.checks.push(...(await verifyRestored(options.databaseUrl, manifest, options.auditLogPath && manifest.audit ? path.resolve(options.auditLogPath) : null)));
  return done();
}

/**
 * Refuses to overwrite an existing audit log unless replacing. Returns the files to remove before
 * the backup's files are copied: the old log's files and the mirror's checkpoint (its position in
 * the old log means nothing for the restored one; the mirror re-reads from the start, and its
 * inserts are idempotent).
 */
async function checkAuditTarget(active: string, replace: boolean): Promise<string[]> {
  const existing = (await listLogFiles(active)).map((f) => f.path);
  if (existing.length && !replace) {
    throw new GovdbError('TARGET_NOT_EMPTY', `The audit log ${active} already exists (${existing.length} file(s)); nothing was changed.`, {
      hint: 'Pass --audit-log with a new path, or --replace to overwrite that log.',
    });
  }
  return [...existing, checkpointPath(active)];
}

/**
 * The checks after a restore, each against the manifest or the project's own tools:
 * ledger (checksums = manifest), drift (clean against the committed schema snapshot), age-catalog
 * (graphid = namespace oid, labels in place), graph (`govdb graph verify`), cypher (one MATCH per
 * label answers with the manifest's count), tables (row counts = manifest), audit (`govdb audit
 * verify` on the restored log, head = manifest, audit.events per source = manifest, every mirrored
 * event's hash is a line of the log).
 */
export async function verifyRestored(url: string, manifest: Manifest, auditLogPath: string | null): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const guard = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      add(name, false, `${isGovdbError(err) ? `${err.code}: ` : ''}${(err as Error).message}`);
    }
  };
  const client: DbConnection = await connectClient(url);
  let state: Awaited<ReturnType<typeof readDatabaseState>> | undefined;
  try {
    await guard('tables', async () => {
      state = await readDatabaseState(client);
      const actual = new Map(state.tables.map((t) => [tableKey(t), t.rows]));
      const expected = new Map(manifest.tables.map((t) => [tableKey(t), t.rows]));
      const diff: string[] = [];
      for (const [k, n] of expected) if (actual.get(k) !== n) diff.push(`${k}: ${actual.get(k) ?? 'missing'} rows, backup ${n}`);
      for (const k of actual.keys()) if (!expected.has(k)) diff.push(`${k}: not in the backup`);
      add('tables', diff.length === 0, diff.length ? diff.join('; ') : `${expected.size} tables, ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows as in the manifest`);
    });
    await guard('ledger', async () => {
      const actual = new Map((state?.ledger ?? []).map((l) => [ledgerKey(l), l.checksum]));
      const diff = manifest.ledger.items.filter((i) => actual.get(ledgerKey(i)) !== i.checksum).map((i) => `${ledgerKey(i)}: ${actual.get(ledgerKey(i)) ?? 'missing'}`);
      if (actual.size !== manifest.ledger.items.length) diff.push(`${actual.size} ledger items, backup ${manifest.ledger.items.length}`);
      add('ledger', diff.length === 0, diff.length ? diff.join('; ') : `${actual.size} items, checksums as in the manifest`);
    });
    if (manifest.versions.extensions.age) {
      await guard('age-catalog', async () => {
        const rows = (await client.query<{ graph_name: string; graphid_matches_namespace: boolean; labels: string; labels_in_namespace: string; orphan_labels: string }>(backupSql('age_catalog_check'))).rows;
        const graphs = [...new Set(manifest.graph.labels.map((l) => l.graph))];
        const p: string[] = [];
        for (const g of graphs) {
          const r = rows.find((x) => x.graph_name === g);
          if (!r) p.push(`graph ${g} is not in ag_catalog.ag_graph`);
          else {
            if (!r.graphid_matches_namespace) p.push(`graph ${g}: graphid is not its namespace's oid`);
            if (r.labels !== r.labels_in_namespace) p.push(`graph ${g}: ${r.labels} labels, ${r.labels_in_namespace} with a table in its namespace`);
          }
        }
        if (rows.some((r) => Number(r.orphan_labels) > 0)) p.push('ag_label rows point at no graph');
        add('age-catalog', p.length === 0, p.length ? p.join('; ') : `${graphs.length} graph(s): graphid = namespace oid, every label in place`);
      });
      await guard('graph-counts', async () => {
        const actual = new Map((state?.labels ?? []).map((l) => [labelKey(l), l.count]));
        const diff = manifest.graph.labels.filter((l) => actual.get(labelKey(l)) !== l.count).map((l) => `${labelKey(l)}: ${actual.get(labelKey(l)) ?? 'missing'}, backup ${l.count}`);
        add('graph-counts', diff.length === 0, diff.length ? diff.join('; ') : `${manifest.graph.labels.length} labels as in the manifest`);
      });
    }
  } finally {
    await client.end().catch(() => undefined);
  }

  if (manifest.versions.extensions.age) {
    // fresh sessions: AGE caches its catalog per backend
    const pool = createPool(url, { max: 1, applicationName: 'govdb restore verify' });
    try {
      await guard('cypher', async () => {
        const diff: string[] = [];
        for (const l of manifest.graph.labels) {
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(l.label) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(l.graph)) {
            diff.push(`${labelKey(l)}: not a plain identifier, not queried`);
            continue;
          }
          const pattern = l.kind === 'v' ? `(x:${l.label})` : `()-[x:${l.label}]->()`;
          const res = await pool.query<{ c: string }>(`select c::text as c from ag_catalog.cypher('${l.graph}', $$MATCH ${pattern} RETURN count(x)$$) as (c ag_catalog.agtype)`);
          const n = Number(res.rows[0]?.c);
          if (n !== l.count) diff.push(`${labelKey(l)}: Cypher counts ${res.rows[0]?.c}, backup ${l.count}`);
        }
        add('cypher', diff.length === 0, diff.length ? diff.join('; ') : `MATCH per label answered with the manifest's count (${manifest.graph.labels.length} labels)`);
      });
      await guard('graph-verify', async () => {
        const check = await verifyGraph(pool);
        const bad = check.labels.filter((l) => !l.ok).map((l) => `${l.label}: expected ${l.expected}, actual ${l.actual}, missing ${l.missing}, extra ${l.extra}, stale ${l.stale}`);
        add('graph-verify', check.ok, check.ok ? `govdb graph verify: OK (${check.labels.length} labels)` : `govdb graph verify: DIVERGED: ${bad.join('; ')}`);
      });
    } finally {
      await pool.end();
    }
  }

  await guard('drift', async () => {
    const drift = await runDrift({ expected: { source: 'snapshot' }, actual: { source: 'database', url } });
    const detail = drift.error
      ? `${drift.error.code}: ${drift.error.message}`
      : `${drift.summary.objects} object(s) differ (missing ${drift.summary.missing}, extra ${drift.summary.extra}, changed ${drift.summary.changed}); ledger ${drift.checks.ledger.status}`;
    add('drift', drift.ok, drift.ok ? `govdb drift against the committed snapshot: no drift; ledger ${drift.checks.ledger.status}` : detail);
  });

  if (manifest.audit) {
    await guard('audit', async () => {
      const a = manifest.audit!;
      const p: string[] = [];
      const events = state?.auditEvents ?? {};
      for (const source of new Set([...Object.keys(a.events), ...Object.keys(events)])) {
        if ((events[source] ?? 0) !== (a.events[source] ?? 0)) p.push(`audit.events source ${source}: ${events[source] ?? 0} rows, backup ${a.events[source] ?? 0}`);
      }
      if (!auditLogPath) {
        add('audit', p.length === 0, p.length ? p.join('; ') : 'audit.events as in the manifest; the log was not restored (no --audit-log)');
        return;
      }
      const files = (await listLogFiles(auditLogPath)).map((f) => f.path);
      const chain = await verifyChain(files);
      if (!chain.ok) p.push(`govdb audit verify: BROKEN ${chain.broken?.file}:${chain.broken?.line}: ${chain.broken?.reason}`);
      else if (chain.lastHash !== a.head || chain.lines !== a.lines) p.push(`restored log: ${chain.lines} lines, head ${chain.lastHash}; backup ${a.lines} lines, head ${a.head}`);
      if (chain.ok) {
        const matched = await mirroredInLog(url, files);
        const server = events.server ?? 0;
        if (matched !== server) p.push(`${server - matched} of ${server} mirrored audit.events rows have no line in the log`);
      }
      add('audit', p.length === 0, p.length ? p.join('; ') : `govdb audit verify: OK (${chain.lines} lines, head ${chain.lastHash ?? '(empty)'}); ${events.server ?? 0} mirrored events all in the log`);
    });
  }
  return checks;
}

/** Mirrored events (source 'server') whose content hash is a line of the log; batches of 5000 hashes. */
async function mirroredInLog(url: string, files: string[]): Promise<number> {
  const client = await connectClient(url);
  try {
    let matched = 0;
    let batch: string[] = [];
    const flush = async () => {
      if (!batch.length) return;
      matched += Number((await client.query<{ matched: string }>(backupSql('server_events_in_log'), [batch])).rows[0]!.matched);
      batch = [];
    };
    for (const file of files) {
      const hashes: string[] = [];
      await forEachLine(file, (text) => {
        const m = /"hash":"([0-9a-f]{64})"\}$/.exec(text);
        if (m) hashes.push(m[1]!);
      });
      for (const h of hashes) {
        batch.push(h);
        if (batch.length >= 5000) await flush();
      }
    }
    await flush();
    return matched;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Roles that GRANT statements of the dump name (its ACL entries only, rendered by pg_restore as
 * SQL). PUBLIC is not a role. Throws RESTORE_FAILED when pg_restore cannot read the dump.
 */
async function rolesGrantedInDump(pgRestore: PgTool, dumpFile: string): Promise<string[]> {
  const toc = await runTool(pgRestore, ['--list'], { stdinFile: dumpFile });
  if (toc.code !== 0) throw new GovdbError('RESTORE_FAILED', `pg_restore --list failed: ${toc.stderr.trim().slice(0, 1000)}`);
  const aclOnly = toc.stdout.split('\n').filter((l) => / ACL /.test(l)).join('\n');
  if (!aclOnly) return [];
  const list = await writeToolFile(pgRestore, 'acl.list', aclOnly + '\n');
  try {
    const sql = await runTool(pgRestore, [`--use-list=${list.path}`, '--file=-'], { stdinFile: dumpFile });
    if (sql.code !== 0) throw new GovdbError('RESTORE_FAILED', `pg_restore could not render the dump's grants: ${sql.stderr.trim().slice(0, 1000)}`);
    const roles = new Set<string>();
    for (const m of sql.stdout.matchAll(/^GRANT .+? TO (.+?)( WITH GRANT OPTION)?;$/gm)) {
      for (const raw of m[1]!.split(',')) {
        const name = raw.trim().replace(/^"(.*)"$/, (_, n: string) => n.replace(/""/g, '"'));
        if (name && name.toUpperCase() !== 'PUBLIC') roles.add(name);
      }
    }
    return [...roles].sort();
  } finally {
    await list.cleanup();
  }
}

import { promises as fs } from 'fs';
import path from 'path';
import { verifyChain } from '../audit/verify';
import { isGovdbError } from '../errors';
import {
  AUDIT_DIR, CHECKSUM_FILE, fileEntry, labelKey, LEDGER_FILE, ledgerKey, Manifest, MANIFEST_FILE, readManifest, sha256File, tableKey,
} from './manifest';
import { findPgTool, runTool } from './pgTools';

/** One check of a report: a stable name, its outcome and what was found. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface BackupVerifyReport {
  ok: boolean;
  dir: string;
  checks: Check[];
  manifest?: Manifest;
}

/** AGE's catalog tables: without their rows a restored database has label tables but no graph. */
export const AGE_CATALOG_TABLES = ['ag_catalog.ag_graph', 'ag_catalog.ag_label'];

/**
 * `govdb backup verify DIR`: checks a backup without restoring it.
 * - files: every file of the manifest exists with its size and sha256; no other files are present
 * - dump: pg_restore (the dump's PostgreSQL major) reads the archive's table of contents, which has
 *   a TABLE DATA entry for every table the manifest counts rows in and for AGE's catalog tables
 * - graph: every label the manifest counts has its label table counted with the same number of rows
 * - ledger: ledger.json holds the ledger items of the manifest
 * - audit: the audit files verify as one chain with the manifest's line count, anchor and head
 * Never throws for a bad backup: every problem is a failed check.
 */
export async function verifyBackup(dir: string): Promise<BackupVerifyReport> {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  let manifest: Manifest;
  try {
    manifest = await readManifest(dir);
  } catch (err) {
    add('manifest', false, isGovdbError(err) ? err.message : String(err));
    return { ok: false, dir, checks };
  }
  add(...(await checkChecksumFile(dir, manifest)));

  // files: sizes and sha256
  const problems: string[] = [];
  for (const f of manifest.files) {
    if (path.isAbsolute(f.path) || f.path.split(/[\\/]/).includes('..')) {
      problems.push(`${f.path}: path leaves the backup directory`);
      continue;
    }
    try {
      const actual = await fileEntry(dir, f.path);
      if (actual.bytes !== f.bytes) problems.push(`${f.path}: ${actual.bytes} bytes, manifest says ${f.bytes}`);
      else if (actual.sha256 !== f.sha256) problems.push(`${f.path}: sha256 ${actual.sha256}, manifest says ${f.sha256}`);
    } catch (err) {
      problems.push(`${f.path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}`);
    }
  }
  const listed = new Set([...manifest.files.map((f) => path.normalize(f.path)), MANIFEST_FILE, CHECKSUM_FILE]);
  for (const rel of await listFiles(dir)) if (!listed.has(rel)) problems.push(`${rel}: not in the manifest`);
  add('files', problems.length === 0, problems.length ? problems.join('; ') : `${manifest.files.length} files, sizes and sha256 as in the manifest`);
  const filesOk = problems.length === 0;

  // the dump's table of contents
  add(...(await checkDumpToc(dir, manifest)));

  // graph counts against the label tables' row counts (two views of one snapshot)
  const rows = new Map(manifest.tables.map((t) => [tableKey(t), t.rows]));
  const graphProblems = manifest.graph.labels
    .filter((l) => rows.get(`${graphSchema(l.graph)}.${l.label}`) !== l.count)
    .map((l) => `${labelKey(l)}: ${l.count} elements, its table ${rows.get(`${graphSchema(l.graph)}.${l.label}`) ?? 'not counted'}`);
  const catalogRows = AGE_CATALOG_TABLES.map((t) => rows.get(t) ?? 0);
  if (manifest.versions.extensions.age && manifest.graph.labels.length === 0) graphProblems.push('AGE is installed but the manifest counts no graph label');
  if (manifest.versions.extensions.age && catalogRows.some((n) => n === 0)) graphProblems.push(`AGE catalog rows: ag_graph ${catalogRows[0]}, ag_label ${catalogRows[1]}`);
  add('graph', graphProblems.length === 0, graphProblems.length ? graphProblems.join('; ') : `${manifest.graph.labels.length} labels, ${manifest.graph.labels.reduce((n, l) => n + l.count, 0)} elements`);

  // ledger.json against the manifest
  try {
    const ledger = JSON.parse(await fs.readFile(path.join(dir, LEDGER_FILE), 'utf8')) as Record<string, Array<{ kind: string; file: string; checksum: string; id: number }>>;
    const latest = new Map<string, string>();
    for (const r of [...(ledger['core.schema_migrations'] ?? [])].sort((a, b) => a.id - b.id)) latest.set(ledgerKey(r), r.checksum);
    const diff = manifest.ledger.items.filter((i) => latest.get(ledgerKey(i)) !== i.checksum).map((i) => ledgerKey(i));
    if (latest.size !== manifest.ledger.items.length) diff.push(`${latest.size} items in ${LEDGER_FILE}, ${manifest.ledger.items.length} in the manifest`);
    add('ledger', diff.length === 0, diff.length ? `differs: ${diff.join(', ')}` : `${manifest.ledger.items.length} items, SQL version ${manifest.versions.sqlVersion}`);
  } catch (err) {
    add('ledger', false, `${LEDGER_FILE}: ${(err as Error).message}`);
  }

  // audit chain
  if (manifest.audit) {
    const a = manifest.audit;
    const chain = await verifyChain(a.files.map((f) => path.join(dir, AUDIT_DIR, f.path)));
    const p: string[] = [];
    if (!chain.ok) p.push(chain.broken ? `${path.basename(chain.broken.file)}:${chain.broken.line}: ${chain.broken.reason}` : 'chain broken');
    else {
      if (chain.tornTail) p.push(`${path.basename(chain.tornTail.file)} ends with ${chain.tornTail.bytes} bytes without a newline`);
      if (chain.lines !== a.lines) p.push(`${chain.lines} lines, manifest says ${a.lines}`);
      if (chain.lastHash !== a.head) p.push(`head ${chain.lastHash}, manifest says ${a.head}`);
      if (chain.anchor !== a.anchor) p.push(`anchor ${chain.anchor}, manifest says ${a.anchor}`);
    }
    if ((a.events.server ?? 0) > a.lines) p.push(`audit.events held ${a.events.server} mirrored events but the log has ${a.lines} lines`);
    add('audit', p.length === 0, p.length ? p.join('; ') : `${a.lines} lines in ${a.files.length} file(s), head ${a.head ?? '(empty)'}`);
  } else {
    add('audit', true, 'no audit log in this backup (--no-audit-log)');
  }
  return { ok: filesOk && checks.every((c) => c.ok), dir, checks, manifest };
}

/** manifest.sha256 must list manifest.json's own sha256 and exactly the manifest's files and hashes. */
async function checkChecksumFile(dir: string, manifest: Manifest): Promise<[string, boolean, string]> {
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, CHECKSUM_FILE), 'utf8');
  } catch (err) {
    return ['manifest', false, `${CHECKSUM_FILE} cannot be read: ${(err as Error).message}`];
  }
  const listed = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m) return ['manifest', false, `${CHECKSUM_FILE}: unreadable line ${JSON.stringify(line.slice(0, 80))}`];
    listed.set(m[2]!, m[1]!);
  }
  const own = await sha256File(path.join(dir, MANIFEST_FILE));
  const problems: string[] = [];
  if (listed.get(MANIFEST_FILE) !== own) problems.push(`${MANIFEST_FILE} has sha256 ${own}, ${CHECKSUM_FILE} says ${listed.get(MANIFEST_FILE) ?? 'nothing'}: the manifest was changed`);
  for (const f of manifest.files) if (listed.get(f.path) !== f.sha256) problems.push(`${f.path}: ${CHECKSUM_FILE} and ${MANIFEST_FILE} disagree`);
  if (listed.size !== manifest.files.length + 1) problems.push(`${CHECKSUM_FILE} lists ${listed.size} files, ${MANIFEST_FILE} ${manifest.files.length} (+ itself)`);
  if (problems.length) return ['manifest', false, problems.join('; ')];
  return ['manifest', true, `${MANIFEST_FILE} (sha256 as in ${CHECKSUM_FILE}): PostgreSQL ${manifest.versions.server}, snapshot ${manifest.snapshotAt}, ${manifest.files.length} files`];
}

/** AGE graph namespaces are named after their graph. */
function graphSchema(graph: string): string {
  return graph;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = path.join(prefix, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else out.push(rel);
  }
  return out;
}

/** TABLE DATA entries of the dump's TOC must cover every table with rows, AGE's catalog included. */
export async function checkDumpToc(dir: string, manifest: Manifest): Promise<[string, boolean, string]> {
  const major = Math.floor(manifest.versions.serverVersionNum / 10000);
  let toc: string;
  try {
    const tool = findPgTool('pg_restore', major);
    const listed = await runTool(tool, ['--list'], { stdinFile: path.join(dir, manifest.dump.file) });
    if (listed.code !== 0) return ['dump', false, `pg_restore --list failed: ${listed.stderr.trim().slice(0, 1000)}`];
    toc = listed.stdout;
  } catch (err) {
    return ['dump', false, isGovdbError(err) ? err.message : String(err)];
  }
  // e.g. "4321; 0 17001 TABLE DATA core agents postgres"
  const data = new Set<string>();
  for (const m of toc.matchAll(/^\d+; \d+ \d+ TABLE DATA (\S+) (\S+) /gm)) data.add(`${m[1]}.${m[2]}`);
  const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1');
  const present = new Set([...data].map((k) => k.split('.').map(unquote).join('.')));
  const missing = manifest.tables.filter((t) => t.rows > 0 && !present.has(tableKey(t))).map(tableKey);
  const catalogMissing = manifest.versions.extensions.age ? AGE_CATALOG_TABLES.filter((t) => !present.has(t)) : [];
  const all = [...new Set([...catalogMissing, ...missing])];
  if (all.length) {
    const age = catalogMissing.length ? ' (without AGE\'s catalog rows the restored label tables are not a graph)' : '';
    return ['dump', false, `the dump has no data for ${all.join(', ')}${age}`];
  }
  return ['dump', true, `custom-format archive, ${present.size} TABLE DATA entries (AGE catalog included)`];
}

import path from 'path';
import { promises as fs } from 'fs';
import { core } from '../db/generated/functions';
import { createPool, Queryable } from '../db/pool';
import { GovdbError } from '../errors';
import { Checkpoint } from './checkpoint';
import { detectFile, DetectedFile, listFiles } from './detect';
import { Progress } from './progress';
import { QuarantineFile } from './quarantine';
import { addCounts, FileReport, formatName, ImportReport, renderDiagnostics, renderTable, totalsOf, exitCodeOf } from './report';
import { defaultImportFiles } from './dataDir';
import { reconcile, tableCounts } from './reconcile';
import { scrubText } from './sources/jsonlSource';
import { JsonDocumentSource } from './sources/jsonDocumentSource';
import { JsonlSource } from './sources/jsonlSource';
import { Source } from './sources/source';
import { SqliteSource } from './sources/sqliteSource';
import { parseSourceZone } from './timezone';
import { Entity, ENTITIES, Item, NormalizeContext, PASSES } from './types';
import { writeBatch } from './writer';

export const DEFAULT_SOURCE_TIMEZONE = '-07:00';

export interface ImportOptions {
  paths: string[];
  databaseUrl?: string;
  dryRun?: boolean;
  resume?: boolean;
  sourceTimezone?: string;
  reportFile?: string;
  quarantineFile?: string;
  checkpointFile?: string;
  /** draw a progress bar (default: when stderr is a terminal) */
  progress?: boolean;
  /** records per function call for audit events and tool usage (others use a fifth of it) */
  batchSize?: number;
  /** accept recognised files or tables that are not imported (else the run fails, exit 5) */
  allowSkip?: boolean;
}

interface Loaded {
  file: DetectedFile;
  display: string;
  report: FileReport;
  source?: Source;
}

function sourceFor(f: DetectedFile): Source | undefined {
  const d = f.detected;
  switch (d.kind) {
    case 'sqlite':
      return new SqliteSource(f.path, d);
    case 'audit_jsonl':
    case 'tool_usage_jsonl':
      return new JsonlSource(f.path, f.size, d.kind);
    case 'agent_metadata_json':
    case 'knowledge_graph_json':
    case 'dialectic_session_json':
    case 'agent_state_json':
    case 'calibration_json':
      return new JsonDocumentSource(f.path, f.mtimeMs, d, f.doc);
    default:
      return undefined;
  }
}

function displayPath(abs: string, roots: string[]): string {
  for (const r of roots) {
    const root = path.resolve(r);
    if (abs === root) return path.basename(abs);
    if (abs.startsWith(root + path.sep)) return path.relative(path.dirname(root), abs);
  }
  return abs;
}

async function loadFiles(opts: ImportOptions, exclude: Set<string>, quarantine: QuarantineFile, notImported: string[]): Promise<Loaded[]> {
  const files = await listFiles(opts.paths, exclude);
  if (!files.length) throw new GovdbError('INVALID_INPUT', `No files found under ${opts.paths.map((p) => JSON.stringify(p)).join(', ')}.`, { hint: 'Pass the old data/ directory or single legacy files.' });
  const loaded: Loaded[] = [];
  for (const abs of files) {
    const file = await detectFile(abs);
    const display = displayPath(abs, opts.paths);
    const d = file.detected;
    const report: FileReport = { path: display, format: formatName(d), status: 'imported', notes: [], entities: {} };
    const source = sourceFor(file);
    if (d.kind === 'sqlite') {
      report.tables = d.tables.map((t) => ({ ...t, imported: !t.shape.startsWith('skip:') && t.shape !== 'unknown' }));
      for (const t of d.tables) {
        if (t.shape === 'unknown') {
          report.notes.push(`table ${t.name} (${t.rows} rows): columns match no known legacy shape, not imported`);
          notImported.push(`${display}: SQLite table ${t.name} (${t.rows} rows) matches no known legacy shape`);
        }
      }
    } else if (d.kind === 'sqlite_sidecar') {
      report.status = 'skipped';
      report.notes.push(`write-ahead log / shared memory of ${d.of}: read through ${d.of} itself`);
    } else if (d.kind === 'unknown') {
      report.status = 'unknown';
      report.notes.push(`not imported: ${d.reason}`);
      // JSON that parses but matches no legacy shape is data we recognise and leave behind
      if (/^JSON/.test(d.reason)) notImported.push(`${display}: ${d.reason}`);
    } else if (d.kind === 'malformed') {
      report.status = 'malformed';
      report.notes.push(`not imported: ${d.reason}`);
      const head = (await fs.readFile(abs, 'utf8').catch(() => '')).slice(0, 2000);
      quarantine.add({ source_file: display, entity: 'file', locator: { path: display }, reason: d.reason, disposition: 'rejected', raw: scrubText(head) });
    } else if (d.kind === 'knowledge_graph_json') {
      report.notes.push('indexes (by_agent, by_tag, by_type, by_severity, by_status) are derived from the nodes: not imported, rebuilt by the schema');
    }
    loaded.push({ file, display, report, source });
  }
  return loaded;
}

const BIG: ReadonlySet<Entity> = new Set(['audit_events', 'tool_usage']);

/** Imports every legacy file under the given paths; see docs/import.md. */
/** Lifecycle events inside a legacy agent record: `lifecycle_events` (JSON) or `lifecycle_events_json` (SQLite). */
function embeddedEvents(raw: unknown): number {
  if (typeof raw !== 'object' || raw === null) return 0;
  const r = raw as { lifecycle_events?: unknown; lifecycle_events_json?: unknown };
  if (Array.isArray(r.lifecycle_events)) return r.lifecycle_events.length;
  if (typeof r.lifecycle_events_json === 'string') {
    try {
      const parsed: unknown = JSON.parse(r.lifecycle_events_json);
      return Array.isArray(parsed) ? parsed.length : 0;
    } catch {
      return 0;
    }
  }
  return 0;
}

export async function importLegacy(opts: ImportOptions): Promise<ImportReport> {
  const zone = parseSourceZone(opts.sourceTimezone ?? DEFAULT_SOURCE_TIMEZONE);
  const dryRun = !!opts.dryRun;
  const defaults = defaultImportFiles(opts.reportFile);
  const checkpointFile = path.resolve(opts.checkpointFile ?? defaults.checkpoint);
  const quarantinePath = opts.quarantineFile ? path.resolve(opts.quarantineFile) : dryRun ? undefined : defaults.quarantine;
  const exclude = new Set([checkpointFile, ...(quarantinePath ? [quarantinePath] : []), ...(opts.reportFile ? [path.resolve(opts.reportFile)] : [])]);
  const bigBatch = opts.batchSize ?? 2000;
  const smallBatch = Math.max(1, Math.floor(bigBatch / 4));
  const progress = new Progress(opts.progress ?? !!process.stderr.isTTY);

  const report: ImportReport = {
    started_at: new Date().toISOString(), dry_run: dryRun, resumed: !!opts.resume, source_timezone: zone.name, paths: opts.paths,
    files: [], totals: {}, placeholder_agents_created: 0, dangling_links: 0, discovery_tags_removed: 0, quarantined: 0,
    quarantine_file: quarantinePath, checkpoint_file: dryRun ? undefined : checkpointFile,
    anomalies: {}, agents_settled_by_evidence: 0, not_imported: [], allow_skip: !!opts.allowSkip,
  };
  const quarantine = new QuarantineFile(quarantinePath);
  const loaded = await loadFiles(opts, exclude, quarantine, report.not_imported);
  report.files = loaded.map((l) => l.report);

  if (!dryRun && !opts.databaseUrl) throw new GovdbError('CONFIG_INVALID', 'No database given: pass --database-url URL or set DB_POSTGRES_URL.');
  for (const f of [checkpointFile, quarantinePath]) if (f && !dryRun) await fs.mkdir(path.dirname(f), { recursive: true });
  const checkpoint = opts.resume && !dryRun ? await Checkpoint.load(checkpointFile, zone.name) : Checkpoint.fresh(checkpointFile, zone.name);
  await quarantine.start(!!opts.resume);

  // a dry run with a database runs the whole import in one transaction and rolls it back, so its
  // counts are the real run's; without a database it can only parse and validate
  const pool = opts.databaseUrl ? createPool(opts.databaseUrl, { max: 1, applicationName: 'govdb-import' }) : undefined;
  report.dry_run_in_database = dryRun ? !!pool : undefined;
  let client: (Queryable & { release(): void }) | undefined;
  let locked = false;
  let writing: Promise<void> = Promise.resolve();
  try {
    let before: Record<string, number> = {};
    if (pool) {
      client = await pool.connect();
      locked = (await core.importTryLock(client)) === true;
      if (!locked) throw new GovdbError('CONFLICT', 'Another govdb import holds the import lock on this database.', { hint: 'Wait for it to finish (or stop it), then run again with --resume.' });
      before = await tableCounts(client);
      if (dryRun) await client.query('begin');
    }

    for (const pass of PASSES) {
      for (const l of loaded) {
        if (!l.source || !l.source.passes.includes(pass)) continue;
        const { file, display, report: fr } = l;
        const rp = opts.resume ? checkpoint.resumePoint(file.path, file.size, file.mtimeMs, pass) : undefined;
        if (rp?.done) {
          (fr.resumed_from ??= {})[pass] = { index: rp.next_index, offset: rp.next_offset };
          fr.notes.push(`pass ${pass}: completed by the interrupted run, skipped`);
          continue;
        }
        if (rp) (fr.resumed_from ??= {})[pass] = { index: rp.next_index, offset: rp.next_offset };
        const ctx: NormalizeContext = { zone, file: display };
        let batches = new Map<Entity, Item[]>();
        let last: Item | undefined;
        let seen = 0;

        // Writes one snapshot of the batches and then records its checkpoint. Only one write is in
        // flight at a time (one connection, parents before children); while it runs, the loop below
        // reads and normalises the next batch. The checkpoint and the quarantine lines of a snapshot
        // are written only after its batches committed and describe exactly the items up to `mark`.
        const write = async (lists: Map<Entity, Item[]>, entries: string[], mark: Item | undefined, done: boolean) => {
          for (const entity of ENTITIES) {
            const items = lists.get(entity);
            if (!items?.length || !client) continue;
            const out = await writeBatch(client, entity, items, display, { savepoints: dryRun });
            for (const [e, c] of Object.entries(out.counts) as [Entity, object][]) addCounts(fr.entities, e, c);
            report.placeholder_agents_created += out.placeholders;
            report.dangling_links += out.danglingLinks;
            report.discovery_tags_removed += out.tagsRemoved;
            for (const r of out.rejections) {
              const e = r.entity ?? r.item.entity;
              if (r.disposition === 'rejected') {
                addCounts(fr.entities, e, { quarantined: 1 });
                if (r.item.record && (r.entity ?? r.item.entity) === r.item.entity) countAnomalies(report, r.item, -1); // not stored after all
              }
              entries.push(quarantine.format({ source_file: display, entity: e, locator: r.item.locator, reason: r.reason, disposition: r.disposition, raw: r.item.raw ?? r.item.record }));
            }
          }
          await quarantine.append(entries);
          if (!dryRun) {
            checkpoint.record(file.path, file.size, file.mtimeMs, pass, {
              done, next_index: mark ? mark.index + 1 : rp?.next_index ?? 0, next_offset: mark?.resumeOffset ?? rp?.next_offset, line: mark?.resumeLine ?? rp?.line,
            });
            await checkpoint.save();
          }
        };
        const flush = async (done: boolean) => {
          await writing; // the previous snapshot first (and its error, if any)
          writing = write(batches, quarantine.takePending(), last, done);
          writing.catch(() => undefined); // awaited at the next flush; not an unhandled rejection meanwhile
          batches = new Map();
          if (done) await writing;
        };

        for await (const item of l.source.items(pass, ctx, { index: rp?.next_index ?? 0, offset: rp?.next_offset, line: rp?.line })) {
          last = item;
          seen++;
          addCounts(fr.entities, item.entity, { read: 1 });
          // tags are normalised in PostgreSQL (knowledge.import_discoveries counts them read); a dry run
          // without a database counts them as given
          if (item.record && item.entity === 'discoveries' && !client) addCounts(fr.entities, 'discovery_tags', { read: (item.record.tags as unknown[]).length });
          if (item.record && item.entity === 'dialectic_sessions') addCounts(fr.entities, 'dialectic_messages', { read: (item.record.messages as unknown[]).length });
          if (item.record) countAnomalies(report, item);
          if (item.reject) {
            addCounts(fr.entities, item.entity, { quarantined: 1 });
            if (item.entity === 'discoveries' && Array.isArray((item.reject.raw as { tags?: unknown })?.tags)) {
              const n = ((item.reject.raw as { tags: unknown[] }).tags).length;
              addCounts(fr.entities, 'discovery_tags', { read: n, quarantined: n });
            }
            // a refused agent's lifecycle events are not emitted on their own: they are read, and
            // quarantined, inside its record
            if (item.entity === 'agents') {
              const n = embeddedEvents(item.reject.raw);
              if (n) addCounts(fr.entities, 'lifecycle_events', { read: n, quarantined: n });
            }
            quarantine.add({ source_file: display, entity: item.entity, locator: item.locator, reason: item.reject.reason, disposition: 'rejected', raw: item.reject.raw });
          } else if (item.record) {
            let list = batches.get(item.entity);
            if (!list) batches.set(item.entity, (list = []));
            list.push(item);
            if (list.length >= (BIG.has(item.entity) ? bigBatch : smallBatch)) await flush(false);
          }
          if (seen % 256 === 0) progress.update(`${pass}: ${display}`, l.source.progress?.(), seen);
        }
        await flush(true);
      }
    }
    for (const l of loaded) (l.source as { close?: () => void } | undefined)?.close?.();
    await quarantine.flush(); // entries of files that took part in no pass
    progress.clear();

    report.totals = totalsOf(report.files);
    report.quarantined = quarantine.count;
    if (client) {
      const [settled] = await core.importSettle(client);
      report.agents_settled_by_evidence = Number(settled?.agents_settled ?? 0);
      if (report.agents_settled_by_evidence) ((report.anomalies.agents ??= {}).status_from_lifecycle_evidence = report.agents_settled_by_evidence);
      const contradictions = (await core.importConsistencyCheck(client)).map((c) => ({ kind: c.kind ?? '', subject: c.subject ?? '', detail: c.detail ?? '' }));
      report.consistency = { ok: contradictions.length === 0, contradictions };
      report.reconciliation = await reconcile(client, before, report);
      if (dryRun) await client.query('rollback');
    }
    report.ok = exitCodeOf(report) === 0;
  } catch (err) {
    if (client && dryRun) await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    progress.clear();
    await writing.catch(() => undefined); // never release the connection under a running batch
    if (client) {
      if (locked) await core.importUnlock(client).catch(() => undefined);
      client.release();
    }
    await pool?.end();
  }
  report.finished_at = new Date().toISOString();
  if (opts.reportFile) await fs.writeFile(opts.reportFile, JSON.stringify(report, null, 2) + '\n');
  return report;
}

/** Counts the anomalies of a normalised record (and of a session's messages) per entity and kind; -1 takes back a record the database refused. */
function countAnomalies(report: ImportReport, item: Item, sign: 1 | -1 = 1): void {
  const add = (entity: Entity, kinds: unknown) => {
    if (!Array.isArray(kinds)) return;
    for (const k of kinds) {
      const m = (report.anomalies[entity] ??= {});
      m[k as string] = (m[k as string] ?? 0) + sign;
      if (m[k as string] === 0) delete m[k as string];
    }
    if (report.anomalies[entity] && !Object.keys(report.anomalies[entity]).length) delete report.anomalies[entity];
  };
  add(item.entity, item.record!.anomalies);
  if (item.entity === 'dialectic_sessions') for (const m of item.record!.messages as { anomalies?: unknown }[]) add('dialectic_messages', m.anomalies);
}

export { renderTable, renderDiagnostics, exitCodeOf };

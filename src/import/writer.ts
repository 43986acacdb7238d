import { audit, core, knowledge } from '../db/generated/functions';
import { Queryable } from '../db/pool';
import { GovdbError, SQLSTATE, sqlState } from '../errors';
import { Counts, Entity, Item } from './types';
import { isDataError } from '../db/sqlErrors';

/** `source` of the audit.events / audit.tool_usage rows the legacy import writes (docs/import.md). */
export const LEGACY_IMPORT_SOURCE = 'legacy-import';

export interface Rejection {
  item: Item;
  reason: string;
  /** rejected: not in PostgreSQL; kept_without_link: the record is stored, one reference of it is not */
  disposition: 'rejected' | 'kept_without_link';
  /** the entity the counts of this rejection belong to (default: the item's) */
  entity?: Entity;
}

export interface WriteOutcome {
  counts: Partial<Record<Entity, Partial<Counts>>>;
  rejections: Rejection[];
  placeholders: number;
  danglingLinks: number;
  /** tags of updated discoveries that the newer version no longer has */
  tagsRemoved: number;
}

/** bigint counts arrive as strings, integer ones as numbers */
const n = (v: string | number | null | undefined) => Number(v ?? 0);

/** The one row of a function that returns a single row of counts (an empty result would be a bug in it). */
function one<T>(rows: T[], name: string): T {
  const row = rows[0];
  if (!row) throw new GovdbError('INTERNAL', `${name} returned no row; it always returns one row of counts.`);
  return row;
}

/** UTC months (first instant, ISO) that hold the records' occurred_at. */
function monthsOf(records: Record<string, unknown>[]): string[] {
  const months = new Set<string>();
  for (const r of records) {
    const t = new Date(String(r.occurred_at));
    if (!Number.isNaN(t.getTime())) months.add(new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)).toISOString());
  }
  return [...months].sort();
}

/**
 * Legacy rows are months or years old: their monthly partitions are created before the rows are
 * loaded (a no-op for months that have one), instead of letting them pile up in the default
 * partition (docs/import.md "Deterministic identity").
 */
async function ensureMonths(db: Queryable, records: Record<string, unknown>[]): Promise<void> {
  for (const from of monthsOf(records)) await audit.ensurePartitions(db, { from, months: 0 });
}

function add(o: WriteOutcome, entity: Entity, c: Partial<Counts>): void {
  const cur = (o.counts[entity] ??= {});
  for (const [k, v] of Object.entries(c) as [keyof Counts, number][]) cur[k] = (cur[k] ?? 0) + v;
}

function empty(): WriteOutcome {
  return { counts: {}, rejections: [], placeholders: 0, danglingLinks: 0, tagsRemoved: 0 };
}

function merge(into: WriteOutcome, from: WriteOutcome): void {
  for (const [e, c] of Object.entries(from.counts) as [Entity, Partial<Counts>][]) add(into, e, c);
  into.rejections.push(...from.rejections);
  into.placeholders += from.placeholders;
  into.danglingLinks += from.danglingLinks;
  into.tagsRemoved += from.tagsRemoved;
}


async function writeOnce(db: Queryable, entity: Entity, items: Item[], source: string): Promise<WriteOutcome> {
  const o = empty();
  const records = items.map((i) => i.record!);
  switch (entity) {
    case 'agents': {
      const r = one(await core.importAgents(db, { records }), 'core.import_agents');
      add(o, entity, { inserted: n(r.inserted), updated: n(r.updated), already_present: n(r.already_present) });
      break;
    }
    case 'lifecycle_events': {
      const r = one(await core.importAgentLifecycleEvents(db, { records }), 'core.import_agent_lifecycle_events');
      add(o, entity, { inserted: n(r.inserted), already_present: n(r.already_present) });
      break;
    }
    case 'parent_links': {
      const rows = await core.importAgentParents(db, { links: records });
      const byChild = new Map(items.map((i) => [i.record!.child_id as string, i]));
      for (const row of rows) {
        const item = byChild.get(row.child_id ?? '')!;
        if (row.outcome === 'linked') add(o, entity, { inserted: 1 });
        else if (row.outcome === 'already_linked') add(o, entity, { already_present: 1 });
        else if (row.outcome === 'dangling_parent') {
          o.danglingLinks++;
          o.rejections.push({ item, disposition: 'kept_without_link', reason: `parent agent ${JSON.stringify(row.parent_id)} is in no legacy source: agent ${JSON.stringify(row.child_id)} is kept without a parent` });
        } else o.rejections.push({ item, disposition: 'rejected', reason: `agent ${JSON.stringify(row.child_id)} was not imported, so its parent link cannot be` });
      }
      break;
    }
    case 'sessions': {
      const r = one(await core.importSessions(db, { records, source }), 'core.import_sessions');
      add(o, entity, { inserted: n(r.inserted), updated: n(r.updated), already_present: n(r.already_present) });
      o.placeholders += n(r.placeholders);
      break;
    }
    case 'agent_states': {
      const r = one(await core.importAgentStates(db, { records, source }), 'core.import_agent_states');
      add(o, entity, { inserted: n(r.inserted), already_present: n(r.already_present) });
      o.placeholders += n(r.placeholders);
      break;
    }
    case 'dialectic_sessions': {
      const r = one(await core.importDialecticSessions(db, { records, source }), 'core.import_dialectic_sessions');
      add(o, entity, { inserted: n(r.inserted), updated: n(r.updated), already_present: n(r.already_present) });
      add(o, 'dialectic_messages', { inserted: n(r.messages_inserted), already_present: n(r.messages_already_present) });
      o.placeholders += n(r.placeholders);
      for (const id of r.dangling_discovery_sessions ?? []) {
        const item = items.find((i) => i.record!.id === id)!;
        o.danglingLinks++;
        o.rejections.push({ item, disposition: 'kept_without_link', reason: `discovery_id ${JSON.stringify(item.record!.discovery_id)} names no discovery: the session is kept with discovery_id null` });
      }
      break;
    }
    case 'discoveries': {
      const r = one(await knowledge.importDiscoveries(db, { records, source }), 'knowledge.import_discoveries');
      add(o, entity, { inserted: n(r.inserted), updated: n(r.updated), already_present: n(r.already_present) });
      add(o, 'discovery_tags', { read: n(r.tags_read), inserted: n(r.tags_inserted), already_present: n(r.tags_already_present) });
      o.tagsRemoved += n(r.tags_removed);
      o.placeholders += n(r.placeholders);
      break;
    }
    case 'discovery_edges': {
      const rows = await knowledge.importDiscoveryLinks(db, { records, source });
      const key = (s: unknown, d: unknown, t: unknown) => `${s}\u0000${d}\u0000${t}`;
      const byKey = new Map(items.map((i) => [key(i.record!.src_id, i.record!.dst_id, i.record!.edge_type), i]));
      for (const row of rows) {
        o.placeholders = Math.max(o.placeholders, n(row.placeholders));
        const item = byKey.get(key(row.src_id, row.dst_id, row.edge_type))!;
        if (row.outcome === 'inserted') add(o, entity, { inserted: 1 });
        else if (row.outcome === 'already_present') add(o, entity, { already_present: 1 });
        else {
          const missing = row.outcome === 'dangling_src' ? row.src_id : row.dst_id;
          o.danglingLinks++;
          o.rejections.push({ item, disposition: 'rejected', reason: `${row.edge_type} edge ${row.src_id} -> ${row.dst_id}: ${JSON.stringify(missing)} is not a discovery in any legacy source (dangling link)` });
        }
      }
      // duplicate edges within the batch collapse to one row in the function
      const seen = rows.length;
      if (items.length > seen) add(o, entity, { already_present: items.length - seen });
      break;
    }
    case 'calibration_bins': {
      const r = one(await core.importCalibrationBins(db, { records }), 'core.import_calibration_bins');
      add(o, entity, { inserted: n(r.inserted), already_present: n(r.already_present) });
      for (const c of (r.conflicts ?? []) as { version: number; bin_lower: number }[]) {
        const item = items.find((i) => i.record!.version === c.version && Number(i.record!.bin_lower) === Number(c.bin_lower))!;
        o.rejections.push({ item, disposition: 'rejected', reason: `calibration version ${c.version} bin ${c.bin_lower} already holds different values (another legacy source): not overwritten` });
      }
      break;
    }
    // the audit trail's own loaders (sql/functions/audit.sql): duplicates = elements already stored
    // or repeated in the batch, so inserted + already_present = the batch
    case 'audit_events': {
      await ensureMonths(db, records);
      const r = one(await audit.insertEvents(db, { events: records, source: LEGACY_IMPORT_SOURCE }), 'audit.insert_events');
      add(o, entity, { inserted: n(r.inserted), already_present: n(r.duplicates) });
      break;
    }
    case 'tool_usage': {
      await ensureMonths(db, records);
      const r = one(await audit.insertToolUsage(db, { rows: records, source: LEGACY_IMPORT_SOURCE }), 'audit.insert_tool_usage');
      add(o, entity, { inserted: n(r.inserted), already_present: n(r.duplicates) });
      break;
    }
    default:
      throw new Error(`no writer for entity ${entity}`);
  }
  return o;
}

/** Why PostgreSQL refused one record, in the importer's terms where the database's would mislead. */
function refusalReason(entity: Entity, item: Item, err: unknown): string {
  const state = err instanceof GovdbError ? (err.details.sqlstate as string | undefined) : sqlState(err);
  // the agent of a lifecycle event is missing only when its own record was quarantined
  if (entity === 'lifecycle_events' && state === SQLSTATE.FOREIGN_KEY_VIOLATION) {
    return `agent ${JSON.stringify(item.record!.agent_id)} was not imported (its record is quarantined), so its lifecycle event cannot be`;
  }
  const constraint = err instanceof GovdbError ? (err.details.constraint as string | undefined) : (err as { constraint?: string }).constraint;
  // two legacy agents with one API key: a key authenticates one agent, so the second cannot be stored with it
  if (entity === 'agents' && constraint === 'agents_api_key_hash_key') {
    return `agent ${JSON.stringify(item.record!.id)} has the same API key as an agent already stored (a key authenticates one agent): PostgreSQL refused the record (${(err as Error).message})`;
  }
  return `PostgreSQL refused the record: ${(err as Error).message}`;
}

/**
 * Writes one batch with one function call. If PostgreSQL refuses the batch because of its data, the
 * batch is split in halves until the refused records are isolated; they are returned as rejections
 * with the database's reason, and every other record is written.
 */
export async function writeBatch(db: Queryable, entity: Entity, items: Item[], source: string, opt: { savepoints?: boolean } = {}): Promise<WriteOutcome> {
  if (!items.length) return empty();
  // inside one transaction (dry run) a refused statement aborts it: each call gets a savepoint
  if (opt.savepoints) await db.query('savepoint import_batch');
  try {
    const out = await writeOnce(db, entity, items, source);
    if (opt.savepoints) await db.query('release savepoint import_batch');
    return out;
  } catch (err) {
    if (opt.savepoints) await db.query('rollback to savepoint import_batch');
    if (!isDataError(err)) throw err;
    if (items.length === 1) {
      const o = empty();
      const item = items[0]!;
      o.rejections.push({ item, disposition: 'rejected', reason: refusalReason(entity, item, err) });
      // a refused discovery's tags were read (as given: they were never normalised) and are quarantined with it
      if (entity === 'discoveries') {
        const tags = (item.record!.tags as unknown[]).length;
        add(o, 'discovery_tags', { read: tags, quarantined: tags });
      }
      return o;
    }
    const mid = Math.ceil(items.length / 2);
    const o = await writeBatch(db, entity, items.slice(0, mid), source, opt);
    merge(o, await writeBatch(db, entity, items.slice(mid), source, opt));
    return o;
  }
}

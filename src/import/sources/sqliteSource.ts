import Database from 'better-sqlite3';
import { openSqliteSnapshot } from './sqliteSnapshot';
import { scrubSecrets } from '../canonical';
import { Detected, Item, NormalizeContext, Normalized, Pass } from '../types';
import { isObject, jsonColumn, ts } from '../normalize/common';
import { normalizeAgent, normalizeLifecycleEvents, parentLink } from '../normalize/agent';
import { checkEdge, discoveryEdges, normalizeDiscovery } from '../normalize/discovery';
import { stateRow, stateRowsFromDocument } from '../normalize/state';
import { normalizeDialectic } from '../normalize/dialectic';
import { normalizeAuditEvent, normalizeToolUsage } from '../normalize/audit';
import { normalizeCalibrationBin, normalizeSession } from '../normalize/misc';
import { ItemBuilder, ResumePoint, Source } from './source';

type Row = Record<string, unknown>;

const PASS_TABLES: Record<string, Pass[]> = {
  agent_metadata: ['agents', 'parent_links'],
  discoveries: ['discoveries', 'discovery_links'],
  agent_state: ['states'],
  session_identities: ['sessions'],
  calibration_state: ['calibration'],
  audit_events: ['audit'],
  tool_usage: ['audit'],
  dialectic_sessions: ['dialectic'],
};

/**
 * A row of the legacy SQLite dialectic_sessions table with its dialectic_messages rows (in id order)
 * mapped onto the dialectic_sessions/*.json shape: `*_json` columns parsed, messages as `transcript`
 * entries whose `phase` is their message_type.
 */
export function dialecticFromRows(row: Row, messages: Row[]): { session: Row; problems: string[] } {
  const problems: string[] = [];
  const session: Row = {};
  for (const [col, v] of Object.entries(row)) {
    if (col === '_rowid' || v === null || v === undefined) continue;
    if (col.endsWith('_json')) session[col.slice(0, -5)] = jsonColumn(v, undefined, problems, col);
    else session[col] = v;
  }
  session.transcript = messages.map((m) => {
    const t: Row = {};
    for (const [col, v] of Object.entries(m)) {
      if (['_rowid', 'id', 'session_id'].includes(col)) continue;
      if (col === 'message_type') t.phase = v;
      else if (col.endsWith('_json')) t[col.slice(0, -5)] = jsonColumn(v, undefined, problems, `dialectic_messages.${col}`);
      else t[col] = v;
    }
    return t;
  });
  return { session, problems };
}

/** A legacy agent_metadata row (any of its shapes) mapped onto the agent_metadata.json shape. */
export function agentFromRow(row: Row): { agent: Row; problems: string[] } {
  const problems: string[] = [];
  const agent: Row = {};
  for (const [col, v] of Object.entries(row)) {
    if (col === '_rowid' || col === 'metadata_json') continue;
    if (col.endsWith('_json')) agent[col.slice(0, -5)] = jsonColumn(v, undefined, problems, col);
    else agent[col] = v;
  }
  const meta = jsonColumn(row.metadata_json, {}, problems, 'metadata_json');
  if (isObject(meta) && Object.keys(meta).length) {
    agent.legacy_metadata = meta;
    for (const k of ['purpose', 'notes', 'label', 'tags', 'total_updates', 'spawn_reason']) if (agent[k] == null && meta[k] != null) agent[k] = meta[k];
  }
  if (agent.last_update == null && agent.updated_at != null) agent.last_update = agent.updated_at;
  if (typeof agent.response_completed === 'number') agent.response_completed = agent.response_completed === 1;
  return { agent, problems };
}

/** The removed SQLite backend (governance.db) and the SQLite knowledge graph (knowledge.db), table by table. */
export class SqliteSource implements Source {
  readonly passes: readonly Pass[];
  private snapshot: ReturnType<typeof openSqliteSnapshot> | undefined;
  private readonly shapes = new Map<string, string>();

  constructor(private readonly file: string, detected: Extract<Detected, { kind: 'sqlite' }>) {
    const passes = new Set<Pass>();
    for (const t of detected.tables) {
      this.shapes.set(t.name, t.shape);
      if (t.shape.startsWith('skip:') || t.shape === 'unknown') continue;
      for (const p of PASS_TABLES[t.name] ?? []) passes.add(p);
    }
    this.passes = [...passes];
  }

  private open(): Database.Database {
    this.snapshot ??= openSqliteSnapshot(this.file);
    return this.snapshot.db;
  }

  close(): void {
    this.snapshot?.close();
    this.snapshot = undefined;
  }

  private rows(table: string, extra = ''): IterableIterator<Row> {
    if (!this.shapes.has(table) || this.shapes.get(table) === 'unknown') return [][Symbol.iterator]();
    return this.open().prepare(`select rowid as _rowid, *${extra} from "${table}" order by rowid`).iterate() as IterableIterator<Row>;
  }

  async *items(pass: Pass, ctx: NormalizeContext, from: ResumePoint): AsyncIterable<Item> {
    const b = new ItemBuilder(from);
    const keep = (item: Item) => item.index >= from.index;
    const out: Item[] = [];
    // rows are read synchronously (better-sqlite3); items are yielded in slices to keep memory bounded
    const flush = function* (): Generator<Item> {
      for (const i of out) if (keep(i)) yield i;
      out.length = 0;
    };
    const loc = (table: string, row: Row) => ({ table, rowid: Number(row._rowid) });
    const shape = (t: string) => this.shapes.get(t) ?? '';

    if (pass === 'agents' || pass === 'parent_links') {
      for (const row of this.rows('agent_metadata')) {
        const { agent, problems } = agentFromRow(row);
        const raw = scrubSecrets(agent);
        if (pass === 'agents') {
          const result: Normalized<unknown> = problems.length ? { ok: false, reason: problems.join('; ') } : normalizeAgent(agent, undefined, ctx);
          out.push(b.of('agents', loc('agent_metadata', row), result, raw));
          if (result.ok) {
            const id = (result.value as { id: string }).id;
            for (const ev of normalizeLifecycleEvents(id, agent, ctx)) out.push(b.of('lifecycle_events', { ...loc('agent_metadata', row), index: ev.index }, ev.result, scrubSecrets(ev.raw)));
          }
        } else if (typeof agent.agent_id === 'string') {
          const link = parentLink(agent.agent_id, agent);
          if (link) out.push(b.of('parent_links', loc('agent_metadata', row), link, { agent_id: agent.agent_id, parent_agent_id: agent.parent_agent_id }));
        }
        if (out.length >= 500) yield* flush();
      }
    }

    if (pass === 'discoveries' || pass === 'discovery_links') {
      const hasTags = shape('discovery_tags').startsWith('discovery_tags/');
      const tagsSql = hasTags ? `, (select json_group_array(tag) from discovery_tags t where t.discovery_id = "discoveries".id) as _tags` : '';
      for (const row of this.rows('discoveries', tagsSql)) {
        const { _rowid, _tags, ...d } = row;
        const problems: string[] = [];
        const disc: Row = { ...d, tags: _tags === undefined ? [] : jsonColumn(_tags, [], problems, 'discovery_tags') };
        const key = typeof d.id === 'string' ? d.id : undefined;
        if (pass === 'discoveries') {
          const result = problems.length ? { ok: false as const, reason: problems.join('; ') } : normalizeDiscovery(disc, key, ctx);
          const raw = { ...disc, embedding: disc.embedding == null ? null : '[binary embedding omitted]' };
          out.push(b.of('discoveries', loc('discoveries', { _rowid }), result, scrubSecrets(raw)));
        } else {
          for (const e of discoveryEdges(disc, key, ctx)) out.push(b.of('discovery_edges', { table: 'discoveries', rowid: Number(_rowid), key: e.key }, e.result, e.raw));
        }
        if (out.length >= 500) yield* flush();
      }
      if (pass === 'discoveries' && hasTags) {
        const orphans = this.open().prepare(`select rowid as _rowid, * from discovery_tags t where not exists (select 1 from discoveries d where d.id = t.discovery_id) order by rowid`).iterate() as IterableIterator<Row>;
        for (const row of orphans) {
          out.push(b.reject('discovery_tags', loc('discovery_tags', row), `tag of discovery ${JSON.stringify(row.discovery_id)}, which is not in the discoveries table`, { discovery_id: row.discovery_id, tag: row.tag }));
          if (out.length >= 500) yield* flush();
        }
      }
      if (pass === 'discovery_links') {
        for (const row of this.rows('discovery_edges')) {
          const problems: string[] = [];
          const meta = jsonColumn(row.metadata, {}, problems, 'metadata');
          const metadata = isObject(meta) ? { ...meta, legacy_source: ctx.file } : { legacy_metadata: meta, legacy_source: ctx.file };
          const createdBy = typeof row.created_by === 'string' && row.created_by !== '' ? row.created_by : null;
          const result = problems.length ? { ok: false as const, reason: problems.join('; ') }
            : checkEdge(row.src_id, row.dst_id, String(row.edge_type), (row.response_type as string | null) ?? null, row.weight, createdBy, ts(row.created_at, ctx) ?? null, scrubSecrets(metadata));
          const { _rowid, ...raw } = row;
          out.push(b.of('discovery_edges', loc('discovery_edges', row), result, raw));
          if (out.length >= 500) yield* flush();
        }
      }
    }

    if (pass === 'states') {
      const stateShape = shape('agent_state');
      for (const row of this.rows('agent_state')) {
        const problems: string[] = [];
        const parsed = jsonColumn(row.state_json, {}, problems, 'state_json');
        const doc = isObject(parsed) ? parsed : {};
        const agentId = String(row.agent_id ?? '');
        const l = loc('agent_state', row);
        if (problems.length) {
          out.push(b.reject('agent_states', l, problems.join('; '), scrubSecrets({ ...row, state_json: doc })));
        } else if (stateShape === 'agent_state/state_db') {
          const merged = { E: row.E, I: row.I, S: row.S, V: row.V, coherence: row.coherence, regime: row.regime, update_count: row.update_count, void_active: row.void_active === 1, ...doc };
          for (const r of stateRowsFromDocument(agentId, merged, ts(row.updated_at, ctx), ctx)) out.push(b.of('agent_states', { ...l, index: r.index }, r.result, r.raw));
        } else {
          // sqlite_backend: the old PostgreSQL mirror stored E, I, S, V as entropy, integrity, stability_index, volatility
          const recorded = ts(row.recorded_at, ctx);
          const values = {
            E: doc.E ?? row.entropy, I: doc.I ?? row.integrity, S: doc.S ?? row.stability_index, V: doc.V ?? row.volatility,
            coherence: doc.coherence ?? row.coherence, risk: doc.risk ?? doc.risk_score, phi: doc.phi, regime: doc.regime ?? row.regime, decision: doc.decision,
          };
          const result = recorded ? stateRow(agentId, recorded, values, { legacy_source: ctx.file, legacy_row: scrubSecrets(doc) }, { identity: String(row.recorded_at) })
            : { ok: false as const, reason: `recorded_at ${JSON.stringify(row.recorded_at)} is not a timestamp` };
          out.push(b.of('agent_states', l, result, scrubSecrets({ ...row, state_json: doc })));
        }
        if (out.length >= 500) yield* flush();
      }
    }

    if (pass === 'dialectic') {
      const hasMessages = shape('dialectic_messages').startsWith('dialectic_messages/');
      const msgStmt = hasMessages ? this.open().prepare(`select rowid as _rowid, * from dialectic_messages where session_id = ? order by id, rowid`) : undefined;
      for (const row of this.rows('dialectic_sessions')) {
        const messages = msgStmt ? (msgStmt.all(row.session_id) as Row[]) : [];
        const { session, problems } = dialecticFromRows(row, messages);
        const l = loc('dialectic_sessions', row);
        if (problems.length) {
          out.push(b.reject('dialectic_sessions', l, problems.join('; '), scrubSecrets(session)));
          messages.forEach((m) => out.push(b.reject('dialectic_messages', loc('dialectic_messages', m), `its session was quarantined: ${problems.join('; ')}`, scrubSecrets(m))));
          continue;
        }
        const { result, rejectedMessages } = normalizeDialectic(session, ctx);
        out.push(b.of('dialectic_sessions', l, result, scrubSecrets(session)));
        for (const m of rejectedMessages) out.push(b.reject('dialectic_messages', loc('dialectic_messages', messages[m.index]!), m.reason, m.raw));
        if (!result.ok) messages.forEach((m) => out.push(b.reject('dialectic_messages', loc('dialectic_messages', m), `its session was quarantined: ${result.reason}`, scrubSecrets(m))));
        if (out.length >= 500) yield* flush();
      }
      if (hasMessages) {
        const orphans = this.open().prepare(`select rowid as _rowid, * from dialectic_messages m where not exists (select 1 from dialectic_sessions s where s.session_id = m.session_id) order by rowid`).iterate() as IterableIterator<Row>;
        for (const m of orphans) out.push(b.reject('dialectic_messages', loc('dialectic_messages', m), `message of session ${JSON.stringify(m.session_id)}, which is not in the dialectic_sessions table`, scrubSecrets(m)));
      }
    }

    if (pass === 'sessions') {
      for (const row of this.rows('session_identities')) {
        const problems: string[] = [];
        const r: Row = { ...row, client_info: jsonColumn(row.client_info_json, {}, problems, 'client_info_json'), metadata: jsonColumn(row.metadata_json, {}, problems, 'metadata_json') };
        const result = problems.length ? { ok: false as const, reason: problems.join('; ') } : normalizeSession(r, ctx);
        const { _rowid, client_info_json: _c, metadata_json: _m, ...raw } = r;
        out.push(b.of('sessions', loc('session_identities', row), result, scrubSecrets(raw)));
        if (out.length >= 500) yield* flush();
      }
    }

    if (pass === 'calibration') {
      for (const row of this.rows('calibration_state')) {
        const problems: string[] = [];
        const state = jsonColumn(row.state_json, undefined, problems, 'state_json');
        const l = loc('calibration_state', row);
        if (!isObject(state) || !isObject(state.bins)) {
          out.push(b.reject('calibration_bins', l, problems.length ? problems.join('; ') : 'calibration_state row has no bins (only thresholds or other settings): nothing in it maps to core.calibration', scrubSecrets({ ...row, state_json: state })));
          continue;
        }
        const updated = ts(row.updated_at, ctx) ?? null;
        for (const [key, bin] of Object.entries(state.bins)) out.push(b.of('calibration_bins', { ...l, key: `bins.${key}` }, normalizeCalibrationBin(key, bin, updated), bin));
        for (const [group, value] of Object.entries(state)) {
          if (group !== 'bins') out.push(b.reject('calibration_bins', { ...l, key: group }, `"${group}" has no destination: core.calibration holds only the confidence bins`, scrubSecrets(value)));
        }
      }
    }

    if (pass === 'audit') {
      for (const row of this.rows('audit_events')) {
        const problems: string[] = [];
        const line: Row = {
          timestamp: row.timestamp, agent_id: row.agent_id, event_type: row.event_type, confidence: row.confidence,
          details: jsonColumn(row.details_json, {}, problems, 'details_json'),
        };
        if (row.metadata_json != null) line.metadata = jsonColumn(row.metadata_json, null, problems, 'metadata_json');
        if (row.session_id != null) line.session_id = row.session_id;
        if (row.event_id != null) line.event_id = row.event_id;
        const result = problems.length ? { ok: false as const, reason: problems.join('; ') } : normalizeAuditEvent(line, ctx);
        out.push(b.of('audit_events', loc('audit_events', row), result, line));
        if (out.length >= 2000) yield* flush();
      }
      for (const row of this.rows('tool_usage')) {
        const problems: string[] = [];
        const line: Row = { timestamp: row.timestamp, tool_name: row.tool_name, agent_id: row.agent_id, success: row.success === null || row.success === undefined ? true : row.success === 1, error_type: row.error_type };
        for (const k of ['session_id', 'latency_ms', 'usage_id']) if (row[k] != null) line[k] = row[k];
        const payload = jsonColumn(row.payload_json, {}, problems, 'payload_json');
        if (!(isObject(payload) && Object.keys(payload).length === 0)) line.payload = payload;
        const result = problems.length ? { ok: false as const, reason: problems.join('; ') } : normalizeToolUsage(line, ctx);
        out.push(b.of('tool_usage', loc('tool_usage', row), result, line));
        if (out.length >= 2000) yield* flush();
      }
    }
    yield* flush();
  }
}

import path from 'path';
import { scrubSecrets } from '../canonical';
import { Detected, Item, NormalizeContext, Pass } from '../types';
import { isObject, legacyAgentId } from '../normalize/common';
import { normalizeAgent, normalizeLifecycleEvents, parentLink } from '../normalize/agent';
import { discoveryEdges, normalizeDiscovery } from '../normalize/discovery';
import { normalizeDialectic } from '../normalize/dialectic';
import { stateRowsFromDocument } from '../normalize/state';
import { normalizeCalibrationBin } from '../normalize/misc';
import { ItemBuilder, ResumePoint, Source } from './source';

const PASSES: Record<string, readonly Pass[]> = {
  agent_metadata_json: ['agents', 'parent_links'],
  knowledge_graph_json: ['discoveries', 'discovery_links'],
  dialectic_session_json: ['dialectic'],
  agent_state_json: ['states'],
  calibration_json: ['calibration'],
};

/** Agent id of a state file: the monitor wrote agents/<agent_id>_state.json and nothing inside names the agent. */
export function agentIdFromStateFile(file: string): string | undefined {
  const m = /^(.+)_state\.json$/.exec(path.basename(file));
  return m?.[1];
}

/** The whole-document JSON formats (written whole by the old server; parsed whole here). */
export class JsonDocumentSource implements Source {
  readonly passes: readonly Pass[];

  constructor(private readonly file: string, private readonly mtimeMs: number, private readonly detected: Detected, private readonly doc: unknown) {
    this.passes = PASSES[detected.kind] ?? [];
  }

  async *items(pass: Pass, ctx: NormalizeContext, from: ResumePoint): AsyncIterable<Item> {
    const b = new ItemBuilder(from);
    const doc = this.doc as Record<string, unknown>;
    const emit = function* (item: Item): Generator<Item> {
      if (item.index >= from.index) yield item;
    };
    switch (`${this.detected.kind}:${pass}`) {
      case 'agent_metadata_json:agents':
        for (const [key, agent] of Object.entries(doc)) {
          const raw = scrubSecrets(agent);
          const result = isObject(agent) ? normalizeAgent(agent, key, ctx) : { ok: false as const, reason: 'agent entry is not an object' };
          yield* emit(b.of('agents', { key }, result, raw));
          if (!result.ok || !isObject(agent)) continue;
          for (const ev of normalizeLifecycleEvents(result.value.id, agent, ctx)) {
            yield* emit(b.of('lifecycle_events', { key: `${key}.lifecycle_events[${ev.index}]` }, ev.result, scrubSecrets(ev.raw)));
          }
        }
        return;
      case 'agent_metadata_json:parent_links':
        for (const [key, agent] of Object.entries(doc)) {
          if (!isObject(agent)) continue;
          const id = typeof agent.agent_id === 'string' ? agent.agent_id : key;
          const link = parentLink(id, agent);
          if (link) yield* emit(b.of('parent_links', { key: `${key}.parent_agent_id` }, link, { agent_id: id, parent_agent_id: agent.parent_agent_id }));
        }
        return;
      case 'knowledge_graph_json:discoveries':
        for (const [key, node] of Object.entries(doc.nodes as Record<string, unknown>)) {
          const result = isObject(node) ? normalizeDiscovery(node, key, ctx) : { ok: false as const, reason: 'node is not an object' };
          yield* emit(b.of('discoveries', { key: `nodes.${key}` }, result, scrubSecrets(node)));
        }
        return;
      case 'knowledge_graph_json:discovery_links':
        for (const [key, node] of Object.entries(doc.nodes as Record<string, unknown>)) {
          if (!isObject(node)) continue;
          for (const e of discoveryEdges(node, key, ctx)) yield* emit(b.of('discovery_edges', { key: `nodes.${e.key}` }, e.result, e.raw));
        }
        return;
      case 'dialectic_session_json:dialectic': {
        const { result, rejectedMessages } = normalizeDialectic(doc, ctx);
        yield* emit(b.of('dialectic_sessions', { key: String(doc.session_id ?? '') }, result, scrubSecrets(doc)));
        for (const m of rejectedMessages) yield* emit(b.reject('dialectic_messages', { key: `transcript[${m.index}]` }, m.reason, m.raw));
        if (!result.ok && Array.isArray(doc.transcript)) {
          for (const [i, m] of doc.transcript.entries()) {
            yield* emit(b.reject('dialectic_messages', { key: `transcript[${i}]` }, `its session was quarantined: ${result.reason}`, scrubSecrets(m)));
          }
        }
        return;
      }
      case 'agent_state_json:states': {
        // a history export names its agent inside; the monitor's own file only in its name
        const agentId = typeof doc.agent_id === 'string' && doc.agent_id !== '' ? doc.agent_id : agentIdFromStateFile(this.file);
        if (!agentId) {
          yield* emit(b.reject('agent_states', { path: this.file }, 'the state names no agent_id inside and the file name is not <agent_id>_state.json', scrubSecrets(doc)));
          return;
        }
        const idr = legacyAgentId(agentId, 'agent id of the state');
        if (!idr.ok) {
          yield* emit(b.reject('agent_states', { path: this.file }, idr.reason, scrubSecrets(doc)));
          return;
        }
        // the file's modification time is never a record time (a copy or checkout changes it)
        for (const row of stateRowsFromDocument(agentId, doc, undefined, ctx)) {
          yield* emit(b.of('agent_states', { key: `update ${row.index + 1}` }, row.result, row.raw));
        }
        return;
      }
      case 'calibration_json:calibration':
        for (const [group, bins] of Object.entries(doc)) {
          if (group !== 'bins') {
            yield* emit(b.reject('calibration_bins', { key: group }, `"${group}" has no destination: core.calibration holds only the confidence bins`, scrubSecrets(bins)));
            continue;
          }
          for (const [key, bin] of Object.entries(bins as Record<string, unknown>)) {
            yield* emit(b.of('calibration_bins', { key: `bins.${key}` }, normalizeCalibrationBin(key, bin, null), bin));
          }
        }
        return;
      default:
        return;
    }
  }
}

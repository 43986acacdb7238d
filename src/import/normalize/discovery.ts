import { discoveryStatusValues, responseTypeValues, severityValues } from '../../db/generated/enums';
import { canonicalJson, scrubSecrets, sha256Hex } from '../canonical';
import { NormalizeContext, Normalized } from '../types';
import { checkAgentId, isObject, later, num, str, tooLong, ts } from './common';

/** A legacy discovery in the common shape (knowledge_graph.json node; knowledge.db rows are mapped onto it). */
export type LegacyDiscovery = Record<string, unknown>;

const DISCOVERY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$/;
const TYPE = /^[a-z][a-z0-9_]{0,63}$/;
const STATUSES = new Set<string>(discoveryStatusValues);
const SEVERITIES = new Set<string>(severityValues);
const RESPONSE_TYPES = new Set<string>(responseTypeValues);

/** Legacy edge type names onto knowledge.edge_type. */
export const EDGE_TYPES: Record<string, string> = {
  response_to: 'responds_to', responds_to: 'responds_to', related_to: 'related_to', related: 'related_to',
  supersedes: 'supersedes', superseded_by: 'supersedes', disputes: 'disputes', extends: 'extends',
};

const MAPPED = new Set([
  'id', 'agent_id', 'type', 'discovery_type', 'severity', 'status', 'created_at', 'timestamp', 'updated_at', 'resolved_at',
  'summary', 'details', 'tags', 'references_files', 'related_files', 'confidence', 'provenance', 'related_to', 'response_to',
  'response_type', 'superseded_by', 'embedding',
]);

export interface DiscoveryRecord {
  id: string;
  agent_id: string;
  discovery_type: string;
  severity: string | null;
  status: string;
  summary: string;
  details: string;
  tags: string[];
  references_files: string[];
  confidence: number | null;
  provenance: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
}

export interface EdgeRecord {
  src_id: string;
  dst_id: string;
  edge_type: string;
  response_type: string | null;
  weight: number;
  created_by: string | null;
  created_at: string | null;
  metadata: Record<string, unknown>;
}

export function checkDiscoveryId(id: unknown, what: string): string | undefined {
  if (typeof id !== 'string' || id === '') return `${what} is missing`;
  if (!DISCOVERY_ID.test(id)) return `${what} ${JSON.stringify(id.slice(0, 140))} does not match the discovery id format ^[A-Za-z0-9][A-Za-z0-9_.:+-]{0,127}$`;
  return undefined;
}

/**
 * A legacy tag list as it was (null/undefined → []), or why it is not a list of strings.
 * Normalising (trim, lower case, distinct) and the limits are knowledge.import_discoveries' job: it
 * uses core.normalize_tags, the normaliser of every other writer, and keeps this list in
 * provenance.legacy_tags when normalising changed it.
 */
export function legacyTags(tags: unknown): Normalized<string[]> {
  if (tags === null || tags === undefined) return { ok: true, value: [] };
  if (!Array.isArray(tags) || tags.some((t) => t !== null && typeof t !== 'string')) return { ok: false, reason: `tags ${JSON.stringify(tags).slice(0, 200)} is not a list of strings (null elements are dropped)` };
  return { ok: true, value: tags as string[] };
}

export function normalizeDiscovery(d: LegacyDiscovery, keyHint: string | undefined, ctx: NormalizeContext): Normalized<DiscoveryRecord> {
  const id = str(d.id) ?? keyHint;
  const idProblem = checkDiscoveryId(id, 'discovery id');
  if (idProblem) return { ok: false, reason: idProblem };
  const agentProblem = checkAgentId(d.agent_id, 'discovery agent_id');
  if (agentProblem) return { ok: false, reason: agentProblem };
  const type = str(d.type) ?? str(d.discovery_type);
  if (!type || !TYPE.test(type)) return { ok: false, reason: `discovery type ${JSON.stringify(type ?? null)} does not match ^[a-z][a-z0-9_]{0,63}$` };
  const status = str(d.status) ?? 'open';
  if (!STATUSES.has(status)) return { ok: false, reason: `status ${JSON.stringify(d.status)} is not one of ${[...STATUSES].join(', ')}` };
  const severity = str(d.severity) ?? null;
  if (severity !== null && !SEVERITIES.has(severity)) return { ok: false, reason: `severity ${JSON.stringify(d.severity)} is not one of ${[...SEVERITIES].join(', ')}` };
  const summary = typeof d.summary === 'string' ? d.summary : '';
  if (summary.trim() === '') return { ok: false, reason: 'summary is empty' };
  const details = typeof d.details === 'string' ? d.details : d.details == null ? '' : JSON.stringify(d.details);
  const long = tooLong(summary, 2000, 'summary') ?? tooLong(details, 200000, 'details');
  if (long) return { ok: false, reason: long };
  const tags = legacyTags(d.tags);
  if (!tags.ok) return tags;
  const files = d.references_files ?? d.related_files ?? [];
  let refs: unknown = files;
  if (typeof files === 'string') {
    try {
      refs = JSON.parse(files);
    } catch {
      return { ok: false, reason: `related_files ${JSON.stringify(files.slice(0, 200))} is not a JSON list` };
    }
  }
  if (refs === null) refs = [];
  if (!Array.isArray(refs) || refs.some((f) => typeof f !== 'string')) return { ok: false, reason: 'references_files is not a list of strings' };
  const confidence = d.confidence === null || d.confidence === undefined ? null : num(d.confidence);
  if (confidence === undefined || (confidence !== null && (confidence < 0 || confidence > 1))) return { ok: false, reason: `confidence ${JSON.stringify(d.confidence)} is not a number between 0 and 1` };
  const created = ts(d.created_at ?? d.timestamp, ctx);
  if (!created) return { ok: false, reason: `creation time ${JSON.stringify(d.created_at ?? d.timestamp ?? null)} is not a timestamp` };
  const updated = later(created, ts(d.updated_at, ctx))!;
  let resolvedAt = ts(d.resolved_at, ctx) ?? null;
  const provenance: Record<string, unknown> = { legacy_source: ctx.file };
  if (status === 'resolved' && !resolvedAt) {
    resolvedAt = updated;
    provenance.legacy_inferred = ['resolved_at'];
  }
  for (const k of ['provenance', 'provenance_chain']) {
    const v = d[k];
    if (v === null || v === undefined || v === '') continue;
    if (typeof v === 'string') {
      try {
        provenance[`legacy_${k}`] = JSON.parse(v);
      } catch {
        provenance[`legacy_${k}`] = v;
      }
    } else provenance[`legacy_${k}`] = v;
  }
  if (d.embedding !== null && d.embedding !== undefined) provenance.legacy_embedding = 'not imported: the schema has no vector column';
  const extra = Object.fromEntries(Object.entries(d).filter(([k]) => !MAPPED.has(k) && k !== 'provenance_chain'));
  if (Object.keys(extra).length) provenance.legacy = scrubSecrets(extra);
  const value = {
    id: id!, agent_id: d.agent_id as string, discovery_type: type, severity, status, summary, details,
    tags: tags.value, references_files: refs as string[], confidence, provenance: provenance, created_at: created,
    updated_at: updated, resolved_at: resolvedAt,
  };
  // content rank: breaks a tie between two versions with the same updated_at whatever the file order
  provenance.import_rank = sha256Hex(canonicalJson(value));
  return { ok: true, value };
}

/** Edges implied by a discovery's own fields: related_to list, response_to, superseded_by. */
export function discoveryEdges(d: LegacyDiscovery, keyHint: string | undefined, ctx: NormalizeContext): { key: string; raw: unknown; result: Normalized<EdgeRecord> }[] {
  const id = (str(d.id) ?? keyHint) as string;
  const createdBy = typeof d.agent_id === 'string' && !checkAgentId(d.agent_id, '') ? d.agent_id : null;
  const createdAt = ts(d.created_at ?? d.timestamp, ctx) ?? null;
  const out: { key: string; raw: unknown; result: Normalized<EdgeRecord> }[] = [];
  const edge = (src: unknown, dst: unknown, type: string, responseType: string | null, raw: unknown, key: string) => {
    out.push({ key, raw, result: checkEdge(src, dst, type, responseType, 1, createdBy, createdAt, { legacy_source: ctx.file }) });
  };
  const related = d.related_to;
  if (Array.isArray(related)) related.forEach((r, i) => edge(id, r, 'related_to', null, { id, related_to: r }, `${id}.related_to[${i}]`));
  else if (related !== null && related !== undefined) out.push({ key: `${id}.related_to`, raw: { id, related_to: related }, result: { ok: false, reason: 'related_to is not a list' } });
  if (d.response_to !== null && d.response_to !== undefined) {
    const rt = str(d.response_type) ?? null;
    edge(id, d.response_to, 'responds_to', rt, { id, response_to: d.response_to, response_type: d.response_type }, `${id}.response_to`);
  }
  if (d.superseded_by !== null && d.superseded_by !== undefined) edge(d.superseded_by, id, 'supersedes', null, { id, superseded_by: d.superseded_by }, `${id}.superseded_by`);
  return out;
}

export function checkEdge(src: unknown, dst: unknown, legacyType: string, responseType: string | null, weight: unknown,
  createdBy: string | null, createdAt: string | null, metadata: Record<string, unknown>): Normalized<EdgeRecord> {
  const type = EDGE_TYPES[legacyType];
  if (!type) return { ok: false, reason: `edge type ${JSON.stringify(legacyType)} has no counterpart in knowledge.edge_type (${[...new Set(Object.values(EDGE_TYPES))].join(', ')})` };
  const bad = checkDiscoveryId(src, 'edge source') ?? checkDiscoveryId(dst, 'edge target');
  if (bad) return { ok: false, reason: bad };
  if (src === dst) return { ok: false, reason: `discovery ${JSON.stringify(src)} links to itself (${type})` };
  if (responseType !== null && !RESPONSE_TYPES.has(responseType)) return { ok: false, reason: `response_type ${JSON.stringify(responseType)} is not one of ${[...RESPONSE_TYPES].join(', ')}` };
  const w = weight === null || weight === undefined ? 1 : num(weight);
  if (w === undefined || w < 0 || w > 1000) return { ok: false, reason: `edge weight ${JSON.stringify(weight)} is not between 0 and 1000` };
  if (createdBy !== null && checkAgentId(createdBy, 'created_by')) return { ok: false, reason: checkAgentId(createdBy, 'edge created_by')! };
  const meta = { ...metadata };
  if (legacyType !== type) meta.legacy_edge_type = legacyType;
  return {
    ok: true,
    value: { src_id: src as string, dst_id: dst as string, edge_type: type, response_type: type === 'responds_to' ? responseType : null, weight: w, created_by: createdBy, created_at: createdAt, metadata: meta },
  };
}

export function isDiscoveryNode(v: unknown): v is LegacyDiscovery {
  return isObject(v);
}

import type { Actor } from './agents';
import {
  knowledge,
  KnowledgeAddDiscoveryNoteRow,
  KnowledgeDiscoveryStatsRow,
  KnowledgeGetDiscoveryRow,
  KnowledgeListDiscoveryNotesRow,
  KnowledgeSearchDiscoveriesRow,
  KnowledgeStoreDiscoveryRow,
} from '../db/generated/functions';
import type { DiscoveryStatus, EdgeType, ResponseType, Severity } from '../db/generated/enums';
import { Queryable } from '../db/pool';

/**
 * The shared knowledge graph. Every rule (validation, tag normalisation, provenance, the AGE
 * projection kept in the same transaction) lives in sql/functions/knowledge.sql and graph.sql; each
 * method is one stored-function call, i.e. one transaction when `db` is a pool.
 */

export type { DiscoveryStatus, ResponseType, Severity };
/** The edge types a caller may create with link (the others come from responses and supersession). */
export type LinkType = Extract<EdgeType, 'related_to' | 'disputes' | 'extends'>;

export interface Discovery {
  id: string;
  agentId: string;
  type: string;
  severity: Severity | null;
  status: DiscoveryStatus;
  summary: string;
  details: string;
  tags: string[];
  referencesFiles: string[];
  responseTo: string | null;
  responseType: ResponseType | null;
  supersededBy: string | null;
  confidence: number | null;
  /** the author's latest EISV snapshot when the discovery was stored ({} if it had none) */
  provenance: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
}

export interface DiscoveryInput {
  agentId: string;
  summary: string;
  /** default 'insight' */
  type?: string;
  details?: string;
  tags?: string[];
  severity?: Severity;
  referencesFiles?: string[];
  responseTo?: string;
  responseType?: ResponseType;
  relatedTo?: string[];
  confidence?: number;
  /** omit to get a generated id (kd_…); an existing id is a CONFLICT */
  id?: string;
}

/** A discovery with its response chain: ancestors nearest first, direct responses oldest first. */
export interface DiscoveryWithChain {
  discovery: Discovery;
  ancestors: Array<Discovery & { depth: number }>;
  responses: Discovery[];
}

export interface SearchFilters {
  /** websearch syntax: words, "quoted phrase", -excluded, or */
  query?: string;
  agentId?: string;
  type?: string;
  /** every one of these tags */
  tags?: string[];
  status?: DiscoveryStatus;
  since?: Date;
  until?: Date;
  limit?: number;
}

export interface SearchHit {
  id: string;
  agentId: string;
  type: string;
  severity: Severity | null;
  status: DiscoveryStatus;
  summary: string;
  detailsExcerpt: string;
  tags: string[];
  responseTo: string | null;
  supersededBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  rank: number;
  /** which search answered: fulltext, trigram (fallback) or filter (no query) */
  match: 'fulltext' | 'trigram' | 'filter';
}

export interface SimilarDiscovery {
  id: string;
  agentId: string;
  type: string;
  status: DiscoveryStatus;
  summary: string;
  tags: string[];
  sharedTags: string[];
  sharedCount: number;
  /** Jaccard index of the two tag sets */
  score: number;
  createdAt: Date;
}

export interface RelatedDiscovery {
  id: string;
  hops: number;
  agentId: string;
  type: string;
  status: DiscoveryStatus;
  summary: string;
  createdAt: Date;
}

export interface DiscoveryLink {
  srcId: string;
  dstId: string;
  type: string;
  weight: number;
  createdBy: string | null;
  createdAt: Date;
  metadata: Record<string, unknown>;
}

export interface DiscoveryNote {
  id: number;
  discoveryId: string;
  agentId: string;
  note: string;
  createdAt: Date;
}

export interface KnowledgeStats {
  totals: { discoveries: number; tags: number; edges: number; notes: number };
  byType: Record<string, number>;
  byStatus: Record<string, number>;
  bySeverity: Record<string, number>;
  topTags: Array<{ tag: string; count: number }>;
  topAgents: Array<{ agentId: string; count: number }>;
}

export type KnowledgeService = ReturnType<typeof createKnowledgeService>;

export function createKnowledgeService(db: Queryable) {
  return {
    async store(input: DiscoveryInput): Promise<Discovery> {
      const { type, ...rest } = input;
      return toDiscovery(await knowledge.storeDiscovery(db, { ...rest, discoveryType: type }));
    },

    /** All or nothing; later items may respond to or relate to earlier ones. At most 1000 items. */
    async storeBatch(inputs: DiscoveryInput[]): Promise<Discovery[]> {
      const items = inputs.map((i) => compact({
        id: i.id, agent_id: i.agentId, summary: i.summary, discovery_type: i.type, details: i.details, tags: i.tags,
        severity: i.severity, references_files: i.referencesFiles, response_to: i.responseTo,
        response_type: i.responseType, related_to: i.relatedTo, confidence: i.confidence,
      }));
      return (await knowledge.storeDiscoveries(db, { items })).map(toDiscovery);
    },

    /** resolved stamps resolved_at; open and disputed clear it; archived keeps it. */
    /** Author or admin; other writing agents may only mark it disputed (FORBIDDEN, reason NOT_AUTHOR); decided in SQL. */
    async setStatus(id: string, status: DiscoveryStatus, actor: Actor): Promise<Discovery> {
      return toDiscovery(await knowledge.updateDiscoveryStatus(db, { id, status, actorAgentId: actor.agentId ?? undefined, admin: actor.isAdmin }));
    },

    /** old.superseded_by = new, old archived, SUPERSEDES new→old. Returns the old discovery. The author of `newId` or an admin (decided in SQL). */
    async supersede(oldId: string, newId: string, actor: Actor): Promise<Discovery> {
      return toDiscovery(await knowledge.supersedeDiscovery(db, { oldId, newId, agentId: actor.agentId ?? undefined, admin: actor.isAdmin }));
    },

    async link(input: { srcId: string; dstId: string; type?: LinkType; weight?: number; createdBy?: string; metadata?: Record<string, unknown> }): Promise<DiscoveryLink> {
      const row = await knowledge.linkDiscoveries(db, {
        srcId: input.srcId, dstId: input.dstId, edgeType: input.type, weight: input.weight,
        createdBy: input.createdBy, metadata: input.metadata,
      });
      return {
        srcId: row.src_id, dstId: row.dst_id, type: row.edge_type, weight: row.weight,
        createdBy: row.created_by, createdAt: row.created_at, metadata: (row.metadata ?? {}) as Record<string, unknown>,
      };
    },

    async addNote(discoveryId: string, agentId: string, note: string): Promise<DiscoveryNote> {
      return toNote(await knowledge.addDiscoveryNote(db, { discoveryId, agentId, note }));
    },

    async notes(discoveryId: string, limit?: number): Promise<DiscoveryNote[]> {
      return (await knowledge.listDiscoveryNotes(db, { discoveryId, limit })).map(toNote);
    },

    async get(id: string, maxDepth?: number): Promise<DiscoveryWithChain> {
      const rows = await knowledge.getDiscovery(db, { id, maxDepth });
      const self = rows.find((r) => r.relation === 'self')!;
      return {
        discovery: toDiscovery(self),
        ancestors: rows.filter((r) => r.relation === 'ancestor').map((r) => ({ ...toDiscovery(r), depth: r.depth })),
        responses: rows.filter((r) => r.relation === 'response').map(toDiscovery),
      };
    },

    async search(filters: SearchFilters = {}): Promise<SearchHit[]> {
      const rows = await knowledge.searchDiscoveries(db, {
        query: filters.query, agentId: filters.agentId, discoveryType: filters.type, tags: filters.tags,
        status: filters.status, since: filters.since, until: filters.until, limit: filters.limit,
      });
      return rows.map(toHit);
    },

    /** Discoveries sharing tags with `id`, most shared first. */
    async similar(id: string, limit?: number): Promise<SimilarDiscovery[]> {
      return (await knowledge.similarDiscoveries(db, { id, limit })).map((r) => ({
        id: r.id, agentId: r.agent_id, type: r.discovery_type, status: r.status as DiscoveryStatus,
        summary: r.summary, tags: r.tags, sharedTags: r.shared_tags, sharedCount: r.shared_count,
        score: r.score, createdAt: r.created_at,
      }));
    },

    /** Discoveries within maxHops (1..3, default 2) over RELATED_TO / RESPONDS_TO / SUPERSEDES, via Cypher. */
    async related(id: string, maxHops?: number, limit?: number): Promise<RelatedDiscovery[]> {
      return (await knowledge.relatedDiscoveries(db, { id, maxHops, limit })).map((r) => ({
        id: r.id, hops: r.hops, agentId: r.agent_id, type: r.discovery_type, status: r.status as DiscoveryStatus,
        summary: r.summary, createdAt: r.created_at,
      }));
    },

    async stats(top?: number): Promise<KnowledgeStats> {
      return toStats(await knowledge.discoveryStats(db, { top }));
    },
  };
}

type DiscoveryRow = Pick<KnowledgeStoreDiscoveryRow, Exclude<keyof KnowledgeStoreDiscoveryRow, 'search_vector' | 'severity' | 'status' | 'response_type'>>
  & { severity: string | null; status: string | null; response_type: string | null };

function toDiscovery(row: DiscoveryRow | KnowledgeGetDiscoveryRow): Discovery {
  return {
    id: row.id,
    agentId: row.agent_id,
    type: row.discovery_type,
    severity: row.severity as Severity | null,
    status: row.status as DiscoveryStatus,
    summary: row.summary,
    details: row.details,
    tags: row.tags,
    referencesFiles: row.references_files,
    responseTo: row.response_to,
    responseType: row.response_type as ResponseType | null,
    supersededBy: row.superseded_by,
    confidence: row.confidence,
    provenance: (row.provenance ?? {}) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
  };
}

function toHit(r: KnowledgeSearchDiscoveriesRow): SearchHit {
  return {
    id: r.id, agentId: r.agent_id, type: r.discovery_type, severity: r.severity as Severity | null,
    status: r.status as DiscoveryStatus, summary: r.summary, detailsExcerpt: r.details_excerpt,
    tags: r.tags, responseTo: r.response_to, supersededBy: r.superseded_by,
    createdAt: r.created_at, updatedAt: r.updated_at, rank: r.rank ?? 0, match: r.match as SearchHit['match'],
  };
}

function toNote(r: KnowledgeAddDiscoveryNoteRow | KnowledgeListDiscoveryNotesRow): DiscoveryNote {
  return { id: Number(r.id), discoveryId: r.discovery_id, agentId: r.agent_id, note: r.note, createdAt: r.created_at };
}

function toStats(rows: KnowledgeDiscoveryStatsRow[]): KnowledgeStats {
  const stats: KnowledgeStats = {
    totals: { discoveries: 0, tags: 0, edges: 0, notes: 0 },
    byType: {}, byStatus: {}, bySeverity: {}, topTags: [], topAgents: [],
  };
  for (const r of rows) {
    const key = r.key;
    const count = Number(r.count);
    switch (r.dimension) {
      case 'total': stats.totals[key as keyof KnowledgeStats['totals']] = count; break;
      case 'type': stats.byType[key] = count; break;
      case 'status': stats.byStatus[key] = count; break;
      case 'severity': stats.bySeverity[key] = count; break;
      case 'tag': stats.topTags.push({ tag: key, count }); break;
      case 'agent': stats.topAgents.push({ agentId: key, count }); break;
    }
  }
  return stats;
}

/** Drops undefined keys so the stored function sees only what the caller gave (unknown keys are rejected there). */
function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

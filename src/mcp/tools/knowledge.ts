import { z } from 'zod';
import { discoveryStatusValues, responseTypeValues, severityValues } from '../../db/generated/enums';
import type { Discovery, DiscoveryInput, LinkType } from '../../domain/knowledge';
import { GovdbError } from '../../errors';
import { identifierText, jsonObject } from '../boundary';
import { LIMITS, RANGES } from '../limits';
import { defineTool, requireAgentOrAdmin, ToolContext } from '../toolkit';

/**
 * The shared knowledge graph over MCP (rules in sql/functions/knowledge.sql, see docs/knowledge.md).
 * Who may do what:
 * - store, link: the calling agent, as itself (author / created_by is always the caller);
 * - read (search, get, similar, related, stats): any agent, or an admin;
 * - status: the author or an admin sets any status; any other agent may only mark it 'disputed'
 *   (how others object; resolving, archiving or reopening someone else's discovery is theirs);
 * - supersede: the author of the NEW (superseding) discovery, or an admin: an agent replaces a
 *   discovery with its own newer one, never with someone else's.
 * Rate limit: every stored discovery counts one `knowledge_store` (a batch of N counts N; see
 * consumeBatchStores).
 */

const status = z.enum(discoveryStatusValues);
const severity = z.enum(severityValues);
const responseType = z.enum(responseTypeValues);
const linkType = z.enum(['related_to', 'disputes', 'extends'] as const satisfies readonly LinkType[]);
const discoveryId = z.string().min(1).max(LIMITS.id);
const timestamp = z.iso.datetime({ offset: true });

const discoveryFields = {
  id: z.string(),
  agentId: z.string().describe('the author'),
  type: z.string(),
  severity: severity.nullable(),
  status,
  summary: z.string(),
  details: z.string(),
  tags: z.array(z.string()),
  referencesFiles: z.array(z.string()),
  responseTo: z.string().nullable(),
  responseType: responseType.nullable(),
  supersededBy: z.string().nullable(),
  confidence: z.number().nullable(),
  provenance: z.record(z.string(), z.unknown()).describe('the author\'s latest EISV snapshot when it was stored ({} if none)'),
  createdAt: z.string(),
  updatedAt: z.string(),
  resolvedAt: z.string().nullable(),
};
const discoveryShape = z.object(discoveryFields);

const itemFields = {
  details: z.string().max(LIMITS.details).optional().describe('the full text (searchable, ranked below the summary)'),
  type: z.string().max(LIMITS.discoveryType).optional().describe('insight (default), bug, pattern, question, …: lower case letters, digits, _'),
  tags: z.array(identifierText(LIMITS.knowledgeTag)).max(LIMITS.knowledgeTags).optional().describe('free tags, normalised to lower case; no control, bidi-override or zero-width characters'),
  severity: severity.optional(),
  references_files: z.array(z.string().max(LIMITS.referenceFile)).max(LIMITS.referenceFiles).optional().describe('files the discovery is about'),
  response_to: discoveryId.optional().describe('id of the discovery this one responds to'),
  response_type: responseType.optional().describe('how it responds (only with response_to)'),
  related_to: z.array(discoveryId).max(LIMITS.relatedTo).optional().describe('ids of related discoveries (related_to links)'),
  confidence: z.number().min(0).max(1).optional().describe('your confidence in it, [0, 1]'),
};
const summary = z.string().min(1).max(LIMITS.summary);
type ItemArgs = { summary?: string } & { [K in keyof typeof itemFields]?: z.infer<(typeof itemFields)[K]> };

export const MAX_BATCH = LIMITS.batch;

function self(ctx: ToolContext): string {
  // auth 'agent' guarantees a bound agent
  return ctx.agentId!;
}

function toInput(agentId: string, item: ItemArgs): DiscoveryInput {
  return {
    agentId, summary: item.summary!, type: item.type, details: item.details, tags: item.tags, severity: item.severity,
    referencesFiles: item.references_files, responseTo: item.response_to, responseType: item.response_type,
    relatedTo: item.related_to, confidence: item.confidence,
  };
}

/**
 * The toolkit consumed one knowledge_store unit; a batch of N consumes the other N−1 here, one at a
 * time (the rate-limiter port has no cost argument). After the first extra unit the decision's
 * `remaining` tells whether the rest fits, so a batch that cannot fit is refused having spent at most
 * two units; nothing of a refused batch is stored.
 */
async function consumeBatchStores(ctx: ToolContext, count: number): Promise<void> {
  for (let used = 1; used < count; used++) {
    const decision = await ctx.deps.rateLimiter.consume(self(ctx), 'knowledge_store');
    if (decision.allowed && decision.remaining >= count - used - 1) continue;
    ctx.deps.metrics?.rateLimitRejections.inc({ operation: 'knowledge_store' });
    throw new GovdbError('RATE_LIMITED', `Rate limit for knowledge_store reached (${decision.limit} allowed): this batch stores ${count} discoveries and only ${used + (decision.allowed ? 1 + decision.remaining : 0)} could be counted; nothing was stored.`, {
      retry_after_ms: Math.max(decision.retryAfterMs, 1),
      hint: 'Store fewer discoveries per call, or retry later; the limit resets gradually.',
    });
  }
}

export const storeKnowledge = defineTool({
  name: 'store_knowledge',
  title: 'Store discoveries',
  description: `Stores a discovery (insight, bug, pattern, …) in the shared knowledge graph, authored by the calling agent, with its tags, the discovery it responds to and related ones. Either the single fields (summary, details, …) or items: up to ${MAX_BATCH} discoveries stored all or nothing, in order (ids are generated, so items can refer only to discoveries that already exist). Each stored discovery counts against the knowledge_store rate limit.`,
  input: {
    summary: summary.optional().describe('one-line summary (1..2000 characters; searched first); required unless items is given'),
    ...itemFields,
    items: z.array(z.strictObject({ summary: summary.describe('one-line summary'), ...itemFields })).min(1).max(MAX_BATCH).optional()
      .describe(`a batch of discoveries (instead of the single fields), stored all or nothing`),
  },
  output: {
    ids: z.array(z.string()).describe('ids of the stored discoveries, in input order'),
    discoveries: z.array(discoveryShape),
  },
  auth: 'agent',
  readOnly: false,
  idempotency: 'caller',
  // one unit per call here; consumeBatchStores adds the other N−1 of a batch
  rateOperation: 'knowledge_store',
  async handler(ctx, args) {
    const { items, ...single } = args;
    const given = Object.entries(single).filter(([, v]) => v !== undefined).map(([k]) => k);
    if (items && given.length) throw new GovdbError('INVALID_INPUT', `Pass either items or the single discovery fields, not both: found items and ${given.join(', ')}.`, { hint: 'Move the single fields into an item of items.' });
    if (!items && single.summary === undefined) throw new GovdbError('INVALID_INPUT', 'summary is missing: store_knowledge needs summary (one discovery) or items (a batch).');
    const { knowledge } = ctx.deps.services;
    let stored: Discovery[];
    if (items) {
      await consumeBatchStores(ctx, items.length);
      stored = await knowledge.storeBatch(items.map((item) => toInput(self(ctx), item)));
    } else {
      stored = [await knowledge.store(toInput(self(ctx), single))];
    }
    ctx.audit('knowledge_stored', { discovery_ids: stored.map((d) => d.id), count: stored.length, batch: !!items }, items ? null : single.confidence ?? null);
    return { ids: stored.map((d) => d.id), discoveries: stored };
  },
});

export const searchKnowledge = defineTool({
  name: 'search_knowledge',
  title: 'Search the knowledge graph',
  description: 'Full-text search of discoveries (websearch syntax: words, "quoted phrase", -excluded, or), best first: a hit in the summary outranks hits in the details; misspellings fall back to fuzzy matching on the summary. Without query: the newest discoveries matching the filters.',
  input: {
    query: z.string().max(LIMITS.searchQuery).optional().describe('search text in websearch syntax; omit to list by filters'),
    agent_id: z.string().max(LIMITS.id).optional().describe('only discoveries of this author'),
    type: z.string().max(LIMITS.discoveryType).optional().describe('only this type'),
    tags: z.array(z.string().max(LIMITS.knowledgeTag)).max(LIMITS.knowledgeTags).optional().describe('only discoveries with every one of these tags'),
    status: status.optional(),
    since: timestamp.optional().describe('created at or after, ISO 8601 with offset'),
    until: timestamp.optional().describe('created before, ISO 8601 with offset'),
    limit: z.number().int().min(RANGES.searchLimit[0]).max(RANGES.searchLimit[1]).optional().describe('default 20'),
  },
  output: {
    hits: z.array(z.object({
      id: z.string(), agentId: z.string(), type: z.string(), severity: severity.nullable(), status, summary: z.string(),
      detailsExcerpt: z.string().describe('the first 500 characters of the details'), tags: z.array(z.string()),
      responseTo: z.string().nullable(), supersededBy: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
      rank: z.number(), match: z.enum(['fulltext', 'trigram', 'filter']).describe('which search answered'),
    })),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'search_knowledge');
    const hits = await ctx.deps.services.knowledge.search({
      query: args.query, agentId: args.agent_id, type: args.type, tags: args.tags, status: args.status,
      since: args.since ? new Date(args.since) : undefined, until: args.until ? new Date(args.until) : undefined, limit: args.limit ?? 20,
    });
    return { hits };
  },
});

export const getDiscovery = defineTool({
  name: 'get_discovery',
  title: 'Get a discovery',
  description: 'One discovery with its response chain: the discoveries it responds to (ancestors, nearest first, with depth) and its direct responses (oldest first).',
  input: {
    id: discoveryId.describe('the discovery id'),
    max_depth: z.number().int().min(RANGES.discoveryDepth[0]).max(RANGES.discoveryDepth[1]).optional().describe('how many ancestors to follow (default 20)'),
  },
  output: {
    discovery: discoveryShape,
    ancestors: z.array(z.object({ ...discoveryFields, depth: z.number() })),
    responses: z.array(discoveryShape),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'get_discovery');
    return ctx.deps.services.knowledge.get(args.id, args.max_depth);
  },
});

export const linkDiscoveries = defineTool({
  name: 'link_discoveries',
  title: 'Link two discoveries',
  description: 'Adds a typed link src → dst (related_to, disputes or extends) created by the calling agent. Any agent may link any two discoveries; linking the same pair and type again updates weight and metadata.',
  input: {
    src_id: discoveryId.describe('the discovery the link starts at'),
    dst_id: discoveryId.describe('the discovery the link points to'),
    link_type: linkType.optional().describe('default related_to'),
    weight: z.number().min(0).max(LIMITS.linkWeight).optional().describe('default 1'),
    metadata: jsonObject().optional().describe('free JSON object kept with the link'),
  },
  output: {
    srcId: z.string(), dstId: z.string(), type: z.string(), weight: z.number(), createdBy: z.string().nullable(),
    createdAt: z.string(), metadata: z.record(z.string(), z.unknown()),
  },
  auth: 'agent',
  readOnly: false,
  async handler(ctx, args) {
    const link = await ctx.deps.services.knowledge.link({
      srcId: args.src_id, dstId: args.dst_id, type: args.link_type, weight: args.weight, createdBy: self(ctx), metadata: args.metadata,
    });
    ctx.audit('discoveries_linked', { src_id: link.srcId, dst_id: link.dstId, link_type: link.type, weight: link.weight });
    return link;
  },
});

export const updateDiscoveryStatus = defineTool({
  name: 'update_discovery_status',
  title: 'Change a discovery\'s status',
  description: 'Sets a discovery to open, resolved, archived or disputed. Its author or an admin may set any status; any other agent may only mark it disputed. A superseded discovery stays archived.',
  input: {
    id: discoveryId.describe('the discovery id'),
    status: status.describe('the new status'),
    reason: z.string().max(LIMITS.reason).optional().describe('why (recorded in the audit trail)'),
  },
  output: { discovery: discoveryShape, previous_status: status },
  auth: 'optional',
  readOnly: false,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'update_discovery_status');
    const { knowledge } = ctx.deps.services;
    // previous_status for the answer; who may set which status is decided in SQL (author, admin, or disputed by anyone)
    const before = (await knowledge.get(args.id, 0)).discovery;
    const discovery = await knowledge.setStatus(args.id, args.status, { agentId: ctx.agentId, isAdmin: ctx.isAdmin });
    if (discovery.status !== before.status) ctx.audit('discovery_status_changed', { discovery_id: args.id, from: before.status, to: discovery.status, reason: args.reason ?? null });
    return { discovery, previous_status: before.status };
  },
});

export const supersedeDiscovery = defineTool({
  name: 'supersede_discovery',
  title: 'Supersede a discovery',
  description: 'Marks old_id as superseded by new_id: the old one is archived and points to the new one (a SUPERSEDES link new → old). The caller must be the author of the NEW discovery, or an admin. Repeating the same call is a no-op.',
  input: {
    old_id: discoveryId.describe('the discovery being replaced'),
    new_id: discoveryId.describe('the discovery replacing it (yours)'),
  },
  output: { superseded: discoveryShape.describe('the old discovery, now archived'), superseded_by: z.string() },
  auth: 'optional',
  readOnly: false,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'supersede_discovery');
    const { knowledge } = ctx.deps.services;
    // author of the superseding discovery or admin: decided in SQL
    const old = await knowledge.supersede(args.old_id, args.new_id, { agentId: ctx.agentId, isAdmin: ctx.isAdmin });
    ctx.audit('discovery_superseded', { old_id: old.id, new_id: args.new_id });
    return { superseded: old, superseded_by: args.new_id };
  },
});

export const similarDiscoveries = defineTool({
  name: 'similar_discoveries',
  title: 'Discoveries with shared tags',
  description: 'Discoveries sharing tags with the given one, most shared tags first, then by the Jaccard index of the tag sets (score).',
  input: {
    id: discoveryId.describe('the discovery id'),
    limit: z.number().int().min(RANGES.similarLimit[0]).max(RANGES.similarLimit[1]).optional().describe('default 10'),
  },
  output: {
    similar: z.array(z.object({
      id: z.string(), agentId: z.string(), type: z.string(), status, summary: z.string(), tags: z.array(z.string()),
      sharedTags: z.array(z.string()), sharedCount: z.number(), score: z.number(), createdAt: z.string(),
    })),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'similar_discoveries');
    return { similar: await ctx.deps.services.knowledge.similar(args.id, args.limit) };
  },
});

export const relatedDiscoveries = defineTool({
  name: 'related_discoveries',
  title: 'Discoveries near this one in the graph',
  description: 'Discoveries within max_hops (1..3) of the given one over related, response and supersede links in either direction, nearest first (hops = shortest distance).',
  input: {
    id: discoveryId.describe('the discovery id'),
    max_hops: z.number().int().min(RANGES.relatedHops[0]).max(RANGES.relatedHops[1]).optional().describe('default 2'),
    limit: z.number().int().min(RANGES.relatedLimit[0]).max(RANGES.relatedLimit[1]).optional().describe('default 50'),
  },
  output: {
    related: z.array(z.object({ id: z.string(), hops: z.number(), agentId: z.string(), type: z.string(), status, summary: z.string(), createdAt: z.string() })),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'related_discoveries');
    return { related: await ctx.deps.services.knowledge.related(args.id, args.max_hops, args.limit) };
  },
});

export const knowledgeStats = defineTool({
  name: 'knowledge_stats',
  title: 'Knowledge graph statistics',
  description: 'Counts of discoveries, tags, links and notes; discoveries by type, status and severity ("none" when unset); the most used tags and most active authors.',
  input: { top: z.number().int().min(RANGES.statsTop[0]).max(RANGES.statsTop[1]).optional().describe('how many top tags and authors (default 20)') },
  output: {
    totals: z.object({ discoveries: z.number(), tags: z.number(), edges: z.number(), notes: z.number() }),
    byType: z.record(z.string(), z.number()),
    byStatus: z.record(z.string(), z.number()),
    bySeverity: z.record(z.string(), z.number()),
    topTags: z.array(z.object({ tag: z.string(), count: z.number() })),
    topAgents: z.array(z.object({ agentId: z.string(), count: z.number() })),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    requireAgentOrAdmin(ctx, 'knowledge_stats');
    return ctx.deps.services.knowledge.stats(args.top);
  },
});

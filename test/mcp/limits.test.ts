import type { PoolClient } from 'pg';
import { z } from 'zod';
import { core, knowledge } from '../../src/db/generated/functions';
import { GovdbError } from '../../src/errors';
import { LIMITS, RANGES } from '../../src/mcp/limits';
import { compileTool } from '../../src/mcp/toolkit';
import { allTools } from '../../src/mcp/tools';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * One set of limits (issue 12): every limit is defined once in src/mcp/limits.ts.
 * - zod ↔ JSON Schema: for every argument of every tool, the JSON Schema clients see (tools/list)
 *   and the zod schema the server applies accept and refuse at the same boundary; every object is
 *   closed (additionalProperties false), free objects declare maxProperties.
 * - SQL: each limit a stored function enforces is probed in a real database at `limit` (accepted)
 *   and `limit + 1` (refused with INVALID_INPUT). Probing behaviour, rather than parsing the SQL text,
 *   holds however the function spells its check.
 */

type Json = { type?: string; properties?: Record<string, Json>; items?: Json; additionalProperties?: unknown; maxLength?: number; minLength?: number; maximum?: number; minimum?: number; maxItems?: number; maxProperties?: number; anyOf?: Json[]; propertyNames?: unknown };

describe('one set of limits', () => {
  const tools = allTools.map((def) => compileTool(def as never));

  it('every object in every input schema is closed, and free objects declare maxProperties', () => {
    const open: string[] = [];
    const walk = (s: Json, path: string) => {
      if (s.type === 'object' && s.properties && s.additionalProperties !== false) open.push(path);
      if (s.type === 'object' && !s.properties && s.maxProperties !== LIMITS.jsonMembers) open.push(`${path} (maxProperties)`);
      for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${path}.${k}`);
      if (s.items) walk(s.items, `${path}[]`);
      for (const a of s.anyOf ?? []) walk(a, path);
    };
    for (const t of tools) walk(t.listing.inputSchema, t.def.name);
    expect(open).toEqual([]);
  });

  it('zod and the JSON Schema of tools/list accept and refuse at the same boundary, for every argument', () => {
    const disagreements: string[] = [];
    let checked = 0;
    const probe = (schema: z.ZodType, json: Json, path: string) => {
      const at = (value: unknown, expected: boolean, what: string) => {
        checked++;
        if (schema.safeParse(value).success !== expected) disagreements.push(`${path}: zod ${expected ? 'refuses' : 'accepts'} ${what}`);
      };
      if (json.type === 'string' && json.maxLength !== undefined) {
        at('x'.repeat(json.maxLength), true, `maxLength ${json.maxLength}`);
        at('x'.repeat(json.maxLength + 1), false, `maxLength + 1`);
      }
      if ((json.type === 'integer' || json.type === 'number') && json.maximum !== undefined) {
        at(json.maximum, true, `maximum ${json.maximum}`);
        at(json.maximum + 1, false, 'maximum + 1');
      }
      if ((json.type === 'integer' || json.type === 'number') && json.minimum !== undefined) {
        at(json.minimum, true, `minimum ${json.minimum}`);
        at(json.minimum - 1, false, 'minimum - 1');
      }
      if (json.type === 'array' && json.maxItems !== undefined && json.items) {
        const item = json.items.type === 'string' ? 'x'.repeat(Math.max(1, json.items.minLength ?? 1)) : json.items.type === 'number' || json.items.type === 'integer' ? Math.max(0, json.items.minimum ?? 0) : undefined;
        if (item !== undefined) {
          at(Array(json.maxItems).fill(item), true, `maxItems ${json.maxItems}`);
          at(Array(json.maxItems + 1).fill(item), false, 'maxItems + 1');
        }
      }
      if (json.type === 'object' && json.maxProperties !== undefined) {
        at(Object.fromEntries(Array.from({ length: json.maxProperties }, (_, i) => [`k${i}`, i])), true, `maxProperties ${json.maxProperties}`);
        at(Object.fromEntries(Array.from({ length: json.maxProperties + 1 }, (_, i) => [`k${i}`, i])), false, 'maxProperties + 1');
      }
    };
    const unwrap = (s: z.ZodType): z.ZodType => {
      const d = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
      return d.type === 'optional' && d.innerType ? unwrap(d.innerType) : s;
    };
    for (const t of tools) {
      const json = t.listing.inputSchema as Json;
      for (const [name, fieldJson] of Object.entries(json.properties ?? {})) {
        const field = unwrap(t.input.shape[name] as z.ZodType);
        probe(field, fieldJson, `${t.def.name}.${name}`);
        const d = (field as unknown as { _zod: { def: { type: string; element?: z.ZodType } } })._zod.def;
        if (fieldJson.items && d.type === 'array' && d.element) probe(d.element, fieldJson.items, `${t.def.name}.${name}[]`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(checked).toBeGreaterThan(150);
  });

  it('the advertised limits are the shared ones (finding 5: response_length / response_text match SQL)', () => {
    const props = (name: string) => (tools.find((t) => t.def.name === name)!.listing.inputSchema as Json).properties!;
    expect(props('process_agent_update').response_length!.maximum).toBe(LIMITS.responseLength);
    expect(props('process_agent_update').response_text!.maxLength).toBe(LIMITS.responseLength);
    expect(props('store_knowledge').details!.maxLength).toBe(LIMITS.details);
    expect(props('onboard').label!.maxLength).toBe(LIMITS.label);
    expect(props('onboard').tags!.items!.maxLength).toBe(LIMITS.agentTag);
    expect(props('store_knowledge').tags!.items!.maxLength).toBe(LIMITS.knowledgeTag);
    expect(props('search_knowledge').limit!.maximum).toBe(RANGES.searchLimit[1]);
  });

  describe('the stored functions enforce the same limits', () => {
    let db: TestDatabase;
    let client: PoolClient;
    let agentId: string;
    let pausedId: string;
    let reviewerId: string;
    let discoveryId: string;
    /** distinct discoveries for count limits (related_to counts distinct ids) */
    const others: string[] = [];
    beforeAll(async () => {
      db = await createMigratedDatabase();
      client = await db.pool.connect();
      agentId = (await core.onboardAgent(client, { label: 'limits', actor: 'test' })).agent_id!;
      pausedId = (await core.onboardAgent(client, { label: 'limits paused', actor: 'test' })).agent_id!;
      reviewerId = (await core.onboardAgent(client, { label: 'limits reviewer', actor: 'test' })).agent_id!;
      await core.transitionAgent(client, { agentId: pausedId, toStatus: 'paused', authority: 'admin', actor: 'test' });
      discoveryId = (await knowledge.storeDiscovery(client, { agentId, summary: 'limits' })).id!;
      for (let i = 0; i <= LIMITS.relatedTo; i++) others.push((await knowledge.storeDiscovery(client, { agentId, summary: `limits ${i}` })).id);
    });
    afterAll(async () => {
      client?.release();
      await db?.drop();
    });

    /** Runs `call` in a savepoint that is always rolled back; returns the error code, or 'ok'. */
    const outcome = async (call: (c: PoolClient) => Promise<unknown>): Promise<string> => {
      await client.query('begin');
      try {
        await call(client);
        return 'ok';
      } catch (err) {
        return err instanceof GovdbError ? err.code : `raw: ${(err as Error).message}`;
      } finally {
        await client.query('rollback');
      }
    };

    const x = (n: number) => 'x'.repeat(n);
    const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
    const probes: Array<[string, number, (c: PoolClient, n: number) => Promise<unknown>]> = [
      ['label', LIMITS.label, (c, n) => core.onboardAgent(c, { label: x(n), actor: 't' })],
      ['purpose', LIMITS.purpose, (c, n) => core.onboardAgent(c, { purpose: x(n), actor: 't' })],
      ['notes', LIMITS.notes, (c, n) => core.updateAgent(c, { agentId, notes: x(n), actor: 't' })],
      ['reason (lifecycle)', LIMITS.reason, (c, n) => core.transitionAgent(c, { agentId, toStatus: 'archived', authority: 'admin', reason: x(n), actor: 't' })],
      ['agentTag', LIMITS.agentTag, (c, n) => core.onboardAgent(c, { tags: [x(n)], actor: 't' })],
      ['agentTags', LIMITS.agentTags, (c, n) => core.onboardAgent(c, { tags: many(n, (i) => `t${i}`), actor: 't' })],
      ['summary', LIMITS.summary, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: x(n) })],
      ['details', LIMITS.details, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', details: x(n) })],
      ['discoveryType', LIMITS.discoveryType, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', discoveryType: x(n) })],
      ['knowledgeTag', LIMITS.knowledgeTag, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', tags: [x(n)] })],
      ['knowledgeTags', LIMITS.knowledgeTags, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', tags: many(n, (i) => `t${i}`) })],
      ['referenceFile', LIMITS.referenceFile, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', referencesFiles: [x(n)] })],
      ['referenceFiles', LIMITS.referenceFiles, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', referencesFiles: many(n, (i) => `f${i}`) })],
      ['relatedTo', LIMITS.relatedTo, (c, n) => knowledge.storeDiscovery(c, { agentId, summary: 's', relatedTo: others.slice(0, n) })],
      ['searchQuery', LIMITS.searchQuery, (c, n) => knowledge.searchDiscoveries(c, { query: x(n), limit: 1 })],
      ['linkWeight', LIMITS.linkWeight, (c, n) => knowledge.linkDiscoveries(c, { srcId: discoveryId, dstId: others[0]!, weight: n, createdBy: agentId })],
      ['responseLength (text)', LIMITS.responseLength, (c, n) => core.processAgentUpdate(c, { agentId, complexity: 0.1, confidence: 0.9, responseText: x(n) })],
      ['responseLength (length)', LIMITS.responseLength, (c, n) => core.processAgentUpdate(c, { agentId, complexity: 0.1, confidence: 0.9, responseLength: n })],
      ['taskType', LIMITS.taskType, (c, n) => core.processAgentUpdate(c, { agentId, complexity: 0.1, confidence: 0.9, responseLength: 1, taskType: x(n) })],
      ['driftComponents', LIMITS.driftComponents, (c, n) => core.processAgentUpdate(c, { agentId, complexity: 0.1, confidence: 0.9, responseLength: 1, ethicalDrift: Array(n).fill(0) })],
      ['topic', LIMITS.topic, (c, n) => core.dialecticRequestReview(c, { pausedAgentId: pausedId, reviewerAgentId: reviewerId, actorAgentId: pausedId, topic: x(n) })],
      ['dialecticReason', LIMITS.dialecticReason, (c, n) => core.dialecticRequestReview(c, { pausedAgentId: pausedId, reviewerAgentId: reviewerId, actorAgentId: pausedId, reason: x(n) })],
      ['synthesisRounds', LIMITS.synthesisRounds, (c, n) => core.dialecticRequestReview(c, { pausedAgentId: pausedId, reviewerAgentId: reviewerId, actorAgentId: pausedId, maxSynthesisRounds: n })],
      ['rootCause', LIMITS.rootCause, async (c, n) => {
        const s = await core.dialecticRequestReview(c, { pausedAgentId: pausedId, reviewerAgentId: reviewerId, actorAgentId: pausedId });
        return core.dialecticSubmitThesis(c, { sessionId: (s as unknown as { id: string }).id, agentId: pausedId, rootCause: x(n), proposedConditions: [], observedMetrics: {} });
      }],
      ['reasoning', LIMITS.reasoning, async (c, n) => {
        const s = await core.dialecticRequestReview(c, { pausedAgentId: pausedId, reviewerAgentId: reviewerId, actorAgentId: pausedId });
        return core.dialecticSubmitThesis(c, { sessionId: (s as unknown as { id: string }).id, agentId: pausedId, rootCause: 'r', reasoning: x(n), proposedConditions: [], observedMetrics: {} });
      }],
      ['decisionId', LIMITS.decisionId, (c, n) => core.calibrationRecordPrediction(c, { decisionId: x(n), confidence: 0.5, agentId })],
      ['listAgents limit', RANGES.listAgents[1], (c, n) => core.listAgents(c, { limit: n })],
      ['searchLimit', RANGES.searchLimit[1], (c, n) => knowledge.searchDiscoveries(c, { query: 'x', limit: n })],
      ['discoveryDepth', RANGES.discoveryDepth[1], (c, n) => knowledge.getDiscovery(c, { id: discoveryId, maxDepth: n })],
      ['similarLimit', RANGES.similarLimit[1], (c, n) => knowledge.similarDiscoveries(c, { id: discoveryId, limit: n })],
      ['relatedLimit', RANGES.relatedLimit[1], (c, n) => knowledge.relatedDiscoveries(c, { id: discoveryId, maxHops: 1, limit: n })],
      ['relatedHops', RANGES.relatedHops[1], (c, n) => knowledge.relatedDiscoveries(c, { id: discoveryId, maxHops: n, limit: 1 })],
      ['statsTop', RANGES.statsTop[1], (c, n) => knowledge.discoveryStats(c, { top: n })],
      ['dialecticLimit', RANGES.dialecticLimit[1], (c, n) => core.dialecticListSessions(c, { limit: n })],
    ];

    it.each(probes)('%s: SQL accepts the limit (%s) and refuses one more', async (_name, limit, call) => {
      expect(await outcome((c) => call(c, limit))).toBe('ok');
      expect(await outcome((c) => call(c, limit + 1))).toBe('INVALID_INPUT');
    });

    it('string limits count code points in zod and in SQL alike: U+1F600 (two UTF-16 units) counts once', async () => {
      const emoji = (n: number) => '\u{1F600}'.repeat(n);
      expect(z.string().max(LIMITS.summary).safeParse(emoji(LIMITS.summary)).success).toBe(true);
      expect(z.string().max(LIMITS.summary).safeParse(emoji(LIMITS.summary + 1)).success).toBe(false);
      expect(await outcome((c) => knowledge.storeDiscovery(c, { agentId, summary: emoji(LIMITS.summary) }))).toBe('ok');
      expect(await outcome((c) => knowledge.storeDiscovery(c, { agentId, summary: emoji(LIMITS.summary + 1) }))).toBe('INVALID_INPUT');
    });
  });
});

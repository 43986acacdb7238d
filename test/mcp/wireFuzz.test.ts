import fc from 'fast-check';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Pool } from 'pg';
import { BuiltHttpServer, errorBody, SERVED_ADMIN_TOKEN, servedEnv, startBuiltHttpServer } from '../helpers/builtServer';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { HTTP_BODY_LIMIT_BYTES } from '../../src/mcp/limits';
import { ADMIN_TOKEN, McpHarness, startMcpHarness } from '../helpers/mcp';
import { JsonSchema, toolArguments } from './fuzz/arbitraries';

/**
 * Seeded property-based fuzz of every tool (issue 12): arguments generated from each tool's input
 * JSON Schema (tools/list) plus hostile values. For every call: a JSON-RPC-shaped answer (a tool
 * result; a success validated by the SDK client against the output schema, an error carrying a JSON
 * body with a stable code), never INTERNAL or DB_ERROR, and nothing stored when the call was refused.
 *
 * The split: volume runs in-process (the real runtime, PostgreSQL, Redis and the official SDK
 * client over the in-memory transport; GOVDB_FUZZ_RUNS per tool, default 1000 as the issue asks, all tools at once),
 * where a call refused at the boundary does no I/O; a smaller sample (GOVDB_FUZZ_HTTP_RUNS per tool,
 * default 25) goes through the BUILT server over Streamable HTTP, which adds JSON encoding, express
 * body parsing and the transport. Measured on the shared 2-core machine under load 10-18: 200 runs
 * ≈ 55 s, 1000 runs ≈ 160-250 s; a quick local run is GOVDB_FUZZ_RUNS=200, nightly
 * GOVDB_FUZZ_RUNS=20000. Seed: GOVDB_FUZZ_SEED (default 12012); a
 * failure prints the seed and path to replay it.
 */

const SEED = Number(process.env.GOVDB_FUZZ_SEED ?? 12012);
const RUNS = Number(process.env.GOVDB_FUZZ_RUNS ?? 1000);
const HTTP_RUNS = Number(process.env.GOVDB_FUZZ_HTTP_RUNS ?? 25);
/** jest timeouts that grow with the run counts (32 tools; calls measured at 1–10 ms on a loaded 2-core machine) */
const timeoutFor = (runs: number) => 120_000 + runs * 32 * 15;

/**
 * Everything a refused call of agent $1 must leave as it was: its rows (agent and children,
 * lifecycle events, EISV states, dialectic sessions and messages, decisions, discoveries, tags and
 * links) with their latest change. Scoped to the agent so that tools can be fuzzed concurrently:
 * each tool's agent is fresh, and the fuzz only knows the ids of the seeder's discoveries.
 */
const FINGERPRINT_SQL = `select concat_ws('|',
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from core.agents where id = $1 or parent_agent_id = $1),
  (select count(*) from core.agent_lifecycle_events where agent_id = $1), (select count(*) from core.agent_state where agent_id = $1),
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from core.dialectic_sessions where paused_agent_id = $1 or reviewer_agent_id = $1),
  (select count(*) from core.dialectic_messages where agent_id = $1),
  (select count(*) || '/' || coalesce(max(outcome_at)::text, '') from core.ground_truth where agent_id = $1),
  (select count(*) || '/' || coalesce(max(updated_at)::text, '') from knowledge.discoveries where agent_id = $1),
  (select count(*) from knowledge.discovery_tags t join knowledge.discoveries d on d.id = t.discovery_id where d.agent_id = $1),
  (select count(*) from knowledge.discovery_edges where created_by = $1)) as f`;

async function fingerprint(pool: Pool, agentId: string | null): Promise<string> {
  if (!agentId) return `${(await pool.query('select count(*) from core.agents')).rows[0].count}`;
  return (await pool.query(FINGERPRINT_SQL, [agentId])).rows[0].f as string;
}

type Outcome = { isError: boolean; code?: string };

/** Checks one answer; returns its outcome. Throws (failing the property) on a broken contract. */
function checkAnswer(tool: string, result: CallToolResult): Outcome {
  if (!result.isError) {
    if (!result.structuredContent) throw new Error(`${tool}: success without structuredContent`);
    return { isError: false };
  }
  if (result.structuredContent !== undefined) throw new Error(`${tool}: error result with structuredContent`);
  const body = errorBody(result);
  if (typeof body.code !== 'string' || typeof body.message !== 'string') throw new Error(`${tool}: error without a JSON body: ${JSON.stringify(result.content).slice(0, 300)}`);
  if (body.code === 'INTERNAL' || body.code === 'DB_ERROR') throw new Error(`${tool}: ${body.code}: ${body.message}`);
  return { isError: true, code: body.code };
}

async function seedKnown(call: (name: string, args: Record<string, unknown>) => Promise<CallToolResult>): Promise<string[]> {
  const stored = (await call('store_knowledge', { items: [{ summary: 'fuzz seed one', tags: ['fuzz'] }, { summary: 'fuzz seed two', tags: ['fuzz', 'two'] }] })).structuredContent as { ids: string[] };
  return stored.ids;
}

/**
 * Per-tool shaping on top of the schema, so that a share of the inputs reaches the handler and SQL:
 * store_knowledge takes either the single fields or items; process_agent_update mostly one of
 * response_length and response_text; graph_query gets real Cypher now and then.
 */
const shapes: Record<string, (args: Record<string, unknown>, coin: boolean) => Record<string, unknown>> = {
  store_knowledge: (args, coin) => {
    // the batch path keeps every field; the single path keeps the fields that rarely clash, so some stores succeed
    const { items, summary, details, tags, severity, confidence } = args;
    return coin && items !== undefined ? { items } : { summary, details, tags, severity, confidence };
  },
  process_agent_update: (args, coin) => {
    const { response_length, response_text, ...rest } = args;
    return coin ? { ...rest, response_length: response_length ?? 100 } : response_text === undefined ? args : { ...rest, response_text };
  },
  graph_query: (args, coin) => (coin ? { ...args, query: 'MATCH (d:Discovery) WHERE d.id = $id RETURN d.id AS id', params: { id: 'kd_missing' } } : args),
};

describe('wire fuzz: every tool, in-process (volume)', () => {
  let h: McpHarness;
  beforeAll(async () => {
    h = await startMcpHarness({}, { tool_call: [{ limit: 10_000_000, periodMs: 60_000 }], knowledge_store: [{ limit: 10_000_000, periodMs: 60_000 }] });
  });
  afterAll(async () => h?.close());

  it(`${RUNS} seeded inputs per tool: never INTERNAL/DB_ERROR, always a tool result, nothing stored when refused`, async () => {
    const lister = await h.connect();
    const tools = (await lister.client.listTools()).tools as Tool[];
    const seeder = await h.connect();
    await seeder.call('onboard', { label: 'fuzz seeder' });
    const known = [...(await seedKnown((name, args) => seeder.client.callTool({ name, arguments: args }) as Promise<CallToolResult>)), 'kd_missing', 'fuzz seeder'];
    const stats: Record<string, Record<string, number>> = {};
    // tools are fuzzed concurrently (each with its own session and agent); calls of one tool run in
    // order; onboard last and alone, since its refusals are checked against the count of all agents
    const fuzzTool = async (tool: Tool) => {
      const client = await h.connect();
      await client.client.listTools(); // arms the client's output-schema validation
      const agentId = tool.name === 'onboard' ? null : ((await client.call('onboard', { label: `fuzz ${tool.name}` })).data.agent_id as string);
      const fixed = tool.name === 'graph_query' ? { admin_token: ADMIN_TOKEN } : {};
      const counts: Record<string, number> = (stats[tool.name] = {});
      const writes = !tool.annotations?.readOnlyHint;
      let before = writes ? await fingerprint(h.db.pool, agentId) : '';
      await fc.assert(
        fc.asyncProperty(toolArguments(tool.inputSchema as JsonSchema, known, fixed, shapes[tool.name]), async (args) => {
          const result = (await client.client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
          const outcome = checkAnswer(tool.name, result);
          const key = outcome.code ?? 'ok';
          counts[key] = (counts[key] ?? 0) + 1;
          if (!writes) return;
          const after = await fingerprint(h.db.pool, agentId);
          if (outcome.isError && after !== before) throw new Error(`${tool.name}: refused with ${outcome.code} but stored something: ${before} → ${after}`);
          before = after;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    };
    await Promise.all(tools.filter((t) => t.name !== 'onboard').map(fuzzTool));
    await fuzzTool(tools.find((t) => t.name === 'onboard')!);
    // the fuzz must reach past the boundary: some successes overall, and every tool refused something
    const total = (code: string) => Object.values(stats).reduce((n, c) => n + (c[code] ?? 0), 0);
    expect(total('ok')).toBeGreaterThan(tools.length);
    for (const [name, c] of Object.entries(stats)) expect({ name, refused: Object.keys(c).some((k) => k !== 'ok') }).toEqual({ name, refused: true });
    process.stdout.write(`fuzz outcomes per tool (seed ${SEED}, ${RUNS} runs): ${JSON.stringify(stats)}\n`);
  }, timeoutFor(RUNS));
});

describe('wire fuzz: every tool through the built server over Streamable HTTP (sample)', () => {
  let db: TestDatabase;
  let server: BuiltHttpServer;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    server = await startBuiltHttpServer(servedEnv(db.url));
  });
  afterAll(async () => {
    if (server && (server.child.exitCode !== null || process.env.GOVDB_FUZZ_STDERR)) process.stderr.write(`built server stderr (exit ${server.child.exitCode}):\n${server.stderr()}\n`);
    await server?.stop();
    await db?.drop();
  });

  it(`${HTTP_RUNS} seeded inputs per tool over HTTP: JSON-RPC-shaped answers, never INTERNAL/DB_ERROR, nothing stored when refused`, async () => {
    const seeder = await server.connect();
    await seeder.call('onboard', { label: 'fuzz seeder' });
    const known = [...(await seedKnown((name, args) => seeder.client.callTool({ name, arguments: args }) as Promise<CallToolResult>)), 'kd_missing'];
    const tools = (await seeder.client.listTools()).tools as Tool[];
    const fuzzTool = async (tool: Tool) => {
      // a fresh session and agent per tool: the built server keeps its default rate limits
      const client = await server.connect();
      const agentId = tool.name === 'onboard' ? null : ((await client.call('onboard', { label: `fuzz http ${tool.name}` })).data.agent_id as string);
      const fixed = tool.name === 'graph_query' ? { admin_token: SERVED_ADMIN_TOKEN } : {};
      const writes = !tool.annotations?.readOnlyHint;
      let before = writes ? await fingerprint(db.pool, agentId) : '';
      await fc.assert(
        fc.asyncProperty(toolArguments(tool.inputSchema as JsonSchema, known, fixed, shapes[tool.name]), async (args) => {
          // bodies over the 4 MB limit are refused with 413 before parsing (test/http/httpErrors.test.ts);
          // the server may close the socket while the client still uploads, so they are not sent here
          let size = 0;
          try {
            size = JSON.stringify(args).length;
          } catch {
            return; // the client cannot serialise 5,000-deep nesting (sent by hand in wireContract.test.ts)
          }
          if (size > HTTP_BODY_LIMIT_BYTES - 1024) return;
          let result: CallToolResult;
          try {
            result = (await client.client.callTool({ name: tool.name, arguments: args })) as CallToolResult;
          } catch (err) {
            // the client cannot serialise some values (e.g. 5,000-deep nesting): not the server's answer
            if (err instanceof RangeError) return;
            throw err;
          }
          const outcome = checkAnswer(tool.name, result);
          if (!writes) return;
          const after = await fingerprint(db.pool, agentId);
          if (outcome.isError && after !== before) throw new Error(`${tool.name}: refused with ${outcome.code} but stored something`);
          before = after;
        }),
        { seed: SEED, numRuns: HTTP_RUNS, endOnFailure: true },
      );
    };
    await Promise.all(tools.filter((t) => t.name !== 'onboard').map(fuzzTool));
    await fuzzTool(tools.find((t) => t.name === 'onboard')!);
  }, timeoutFor(HTTP_RUNS * 4));
});

import { z } from 'zod';
import { DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT_MS, MAX_QUERY_LENGTH, MAX_ROW_LIMIT, MAX_TIMEOUT_MS } from '../../domain/graphQuery';
import { jsonObject } from '../boundary';
import { defineTool } from '../toolkit';

/** Read-only Cypher for operators; the safety rules are in src/domain/graphQuery.ts. */
export const graphQuery = defineTool({
  name: 'graph_query',
  title: 'Query the governance graph (Cypher)',
  description: 'Admin only. Runs a READ-ONLY Cypher query (AGE dialect) against the graph governance_graph: vertices Agent, Discovery, Tag, DialecticSession (property id), edges AUTHORED, RESPONDS_TO, RELATED_TO, TAGGED, SUPERSEDES, SPAWNED. Write clauses (CREATE, MERGE, SET, DELETE, DETACH, REMOVE, CALL), schema-qualified function calls and RETURN * are refused before running. Values go in `params` and are referenced as $name. Each RETURN item is one column, keyed by its AS alias or its text; vertices, edges and paths come back as JSON objects.',
  input: {
    query: z.string().min(1).max(MAX_QUERY_LENGTH).describe('Cypher ending in RETURN, e.g. MATCH (d:Discovery) WHERE d.status = $s RETURN d.id, d.status'),
    params: jsonObject().optional().describe('bind parameters, referenced in the query as $name'),
    timeout_ms: z.number().int().min(1).max(MAX_TIMEOUT_MS).optional().describe(`statement timeout in ms (default ${DEFAULT_TIMEOUT_MS}, max ${MAX_TIMEOUT_MS})`),
    limit: z.number().int().min(1).max(MAX_ROW_LIMIT).optional().describe(`at most this many rows (default ${DEFAULT_ROW_LIMIT}, max ${MAX_ROW_LIMIT})`),
  },
  output: {
    columns: z.array(z.string()).describe('result keys in RETURN order'),
    rows: z.array(z.record(z.string(), z.unknown())),
    row_count: z.number(),
    truncated: z.boolean().describe('true when the query had more rows than limit'),
  },
  auth: 'admin',
  readOnly: true,
  async handler(ctx, args) {
    const result = await ctx.deps.services.graph.run({ query: args.query, params: args.params, timeoutMs: args.timeout_ms, limit: args.limit });
    return { columns: result.columns, rows: result.rows, row_count: result.rowCount, truncated: result.truncated };
  },
});

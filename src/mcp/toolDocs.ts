import { writeFileSync } from 'fs';
import path from 'path';
import { HTTP_BODY_LIMIT_BYTES, LIMITS } from './limits';
import { compileTool, ToolAuth, ToolDefinition } from './toolkit';
import { allTools } from './tools';

/**
 * docs/mcp.md, generated from the registered tools (their tools/list entries), so it cannot drift:
 * `npm run docs:mcp` writes it, test/mcp/toolDocs.test.ts fails when it is stale.
 */

type Json = {
  type?: string | string[]; description?: string; properties?: Record<string, Json>; required?: string[]; items?: Json; enum?: unknown[];
  anyOf?: Json[]; format?: string; minLength?: number; maxLength?: number; minimum?: number; maximum?: number; minItems?: number; maxItems?: number;
  maxProperties?: number; additionalProperties?: unknown; const?: unknown;
};

/** Codes a tool answers besides INVALID_INPUT, RATE_LIMITED and UNAVAILABLE (which every tool may answer). */
const DOMAIN_ERRORS: Record<string, string[]> = {
  onboard: ['CONFLICT (label taken, or session already bound)', 'UNAUTHENTICATED (spawn_reason without a bound session)'],
  identity: ['UNAUTHENTICATED (unknown api_key)'],
  process_agent_update: ['INVALID_STATE (agent not active)'],
  get_governance_metrics: ['NOT_FOUND'],
  get_agent: ['NOT_FOUND'],
  update_agent: ['CONFLICT (label taken)'],
  pause_agent: ['INVALID_STATE'], archive_agent: ['INVALID_STATE'], resume_agent: ['INVALID_STATE'], delete_agent: ['INVALID_STATE'],
  request_dialectic_review: ['NOT_FOUND', 'INVALID_STATE (agent not paused)', 'CONFLICT (a session is already active)'],
  submit_thesis: ['NOT_FOUND', 'INVALID_STATE (wrong phase)'], submit_antithesis: ['NOT_FOUND', 'INVALID_STATE (wrong phase)'],
  submit_synthesis: ['NOT_FOUND', 'INVALID_STATE (wrong phase)'],
  get_dialectic_session: ['NOT_FOUND'],
  record_prediction: ['CONFLICT (decision_id taken with other content)'],
  record_outcome: ['NOT_FOUND', 'CONFLICT (another outcome recorded)'],
  get_calibration: ['NOT_FOUND (unknown version)'],
  store_knowledge: ['NOT_FOUND (response_to / related_to)'],
  get_discovery: ['NOT_FOUND'], link_discoveries: ['NOT_FOUND'], update_discovery_status: ['NOT_FOUND'], supersede_discovery: ['NOT_FOUND', 'INVALID_STATE'],
  similar_discoveries: ['NOT_FOUND'], related_discoveries: ['NOT_FOUND'],
  graph_query: ['INVALID_INPUT (write clauses, syntax)', 'UNAVAILABLE (timeout)'],
};

const AUTH_TEXT: Record<ToolAuth, string> = {
  none: 'none',
  optional: 'an agent (session or `api_key`) or the admin token, as the description says',
  agent: 'an agent (bound session or `api_key`)',
  admin: 'the admin token',
};

const AUTH_ERRORS: Record<ToolAuth, string[]> = {
  none: ['UNAUTHENTICATED'],
  optional: ['UNAUTHENTICATED', 'FORBIDDEN'],
  agent: ['UNAUTHENTICATED', 'FORBIDDEN'],
  admin: ['UNAUTHENTICATED', 'FORBIDDEN'],
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function typeOf(s: Json): string {
  if (s.anyOf) return s.anyOf.map(typeOf).join(' | ');
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ');
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? 'any JSON';
  if (t === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}`;
  if (t === 'object' && !s.properties) return 'object (free JSON)';
  if (s.format) return `${t} (${s.format})`;
  return t;
}

function limitsOf(s: Json): string {
  const out: string[] = [];
  if (s.minLength) out.push(`≥ ${s.minLength} chars`);
  if (s.maxLength !== undefined) out.push(`≤ ${s.maxLength} chars`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined) out.push(`≥ ${s.minItems} items`);
  if (s.maxItems !== undefined) out.push(`≤ ${s.maxItems} items`);
  if (s.maxProperties !== undefined) out.push(`≤ ${s.maxProperties} members`);
  if (s.items) {
    const inner = limitsOf(s.items);
    if (inner) out.push(`each ${inner}`);
  }
  return out.join(', ');
}

function fieldsTable(schema: Json, input: boolean): string[] {
  // api_key and admin_token are accepted by every tool (see Input rules)
  const props = Object.entries(schema.properties ?? {}).filter(([name]) => !input || (name !== 'api_key' && name !== 'admin_token'));
  if (!props.length) return ['(none)', ''];
  const required = new Set(schema.required ?? []);
  const lines = input ? ['| argument | type | required | limits | description |', '|---|---|---|---|---|'] : ['| field | type | description |', '|---|---|---|'];
  for (const [name, s] of props) {
    const desc = s.description ?? (s.items?.description ?? '');
    lines.push(input
      ? `| \`${name}\` | ${cell(typeOf(s))} | ${required.has(name) ? 'yes' : ''} | ${cell(limitsOf(s))} | ${cell(desc)} |`
      : `| \`${name}\` | ${cell(typeOf(s))}${required.has(name) ? '' : ' (optional)'} | ${cell(desc)} |`);
  }
  lines.push('');
  return lines;
}

/** `CODE (note; note)` per distinct code, in first-mention order. */
function errorList(errors: string[]): string {
  const notes = new Map<string, string[]>();
  for (const e of errors) {
    const [code, ...rest] = e.split(' ');
    const list = notes.get(code!) ?? [];
    if (rest.length) list.push(rest.join(' ').replace(/^\(|\)$/g, ''));
    notes.set(code!, list);
  }
  return [...notes].map(([code, n]) => `\`${code}\`${n.length ? ` (${n.join('; ')})` : ''}`).join(', ');
}

/** docs/mcp.md as a string. */
export function renderMcpDocs(tools: ToolDefinition<never, never>[] = allTools): string {
  const out: string[] = [
    '# MCP tools: the wire contract',
    '',
    '<!-- generated from the registered tools by `npm run docs:mcp` (src/mcp/toolDocs.ts); test/mcp/toolDocs.test.ts fails when stale -->',
    '',
    'The server speaks MCP over Streamable HTTP (`POST/GET/DELETE /mcp`) and stdio. This page lists every tool\'s',
    'input and output as clients see them in `tools/list`, and the error codes.',
    '',
    '## Results and errors',
    '',
    '- A success has `structuredContent` matching the tool\'s `outputSchema`, and the same JSON as text in `content`.',
    '  Every output field name is snake_case; free JSON values (`details`, `metadata`, graph rows, …) keep their writer\'s keys.',
    '- A tool error (MCP specification: errors inside a tool result) has `isError: true`, **no** `structuredContent`',
    '  (clients check it against the output schema even on errors), and one text block holding a JSON object:',
    '  `{"code": "NOT_FOUND", "message": "…", "hint": "…", "field": "…", "reason": "…", "retry_after_ms": 2000, "closest": "…"}`',
    '  (`hint`, `field`, `reason`, `retry_after_ms`, `constraint` and `closest` only when they apply).',
    '- An unknown tool name is a JSON-RPC error `-32602`. Over HTTP: a body that is not JSON is `400` with `-32700`; a body over',
    `  ${HTTP_BODY_LIMIT_BYTES} bytes is \`413\` with \`-32600\`; an unknown route is a JSON \`404\` (\`-32601\`). No response carries a stack trace,`,
    '  a file path or a database address.',
    '',
    '| code | meaning | retry? |',
    '|---|---|---|',
    '| `INVALID_INPUT` | an argument is wrong: `field` names it; unknown argument names are refused with the closest valid name (`closest`) | after fixing the call |',
    '| `UNAUTHENTICATED` | no agent: call `onboard` or pass `api_key`; or a wrong `admin_token` (reason `ADMIN_TOKEN_WRONG`, `ADMIN_TOKEN_NOT_CONFIGURED`) | after authenticating |',
    '| `FORBIDDEN` | the caller may not do this (another agent\'s data; an admin tool without the token: reason `ADMIN_TOKEN_MISSING`, or `ADMIN_TOKEN_NOT_CONFIGURED` on a server without one) | no |',
    '| `NOT_FOUND` | an id names nothing (also a foreign key that points at a missing row) | no |',
    '| `CONFLICT` | clashes with stored data (unique names and ids, deleting what is still referenced) | no |',
    '| `INVALID_STATE` | not in this state (e.g. a closed dialectic session); `reason` is a machine reason | no |',
    '| `RATE_LIMITED` | too many calls; `retry_after_ms` says when | yes, after `retry_after_ms` |',
    '| `UNAVAILABLE` | PostgreSQL or Redis is briefly unreachable, a statement timed out or concurrent work rolled it back; nothing was changed | yes, with backoff (`retry_after_ms`) |',
    '| `INTERNAL` | a bug; the server log has the details | no |',
    '',
    '## Input rules',
    '',
    '- Arguments are a closed set: an unknown name is `INVALID_INPUT` naming it and the closest valid one. No tool accepts aliases',
    '  (the original server accepted none). Every tool also accepts `api_key` (≥ 8, ≤ 512 chars; or the `X-Api-Key` header) and',
    '  `admin_token` (≤ 512 chars; or the `X-Admin-Token` header); the tables below leave them out. An `admin_token` that is passed but',
    '  wrong is refused on every tool (`UNAUTHENTICATED`, reason `ADMIN_TOKEN_WRONG`, or `ADMIN_TOKEN_NOT_CONFIGURED` on a server',
    '  without `GOVDB_ADMIN_TOKEN`); it never falls back to the agent\'s rights. When both the argument and the header are given,',
    '  both must be right; an empty value counts as not given. `Authorization: Bearer` on `/mcp` carries an `api_key`, not the admin',
    '  token (the dashboard alone reads the admin token from it).',
    `- Every string argument, at any depth, is refused when it holds NUL (U+0000) or an unpaired UTF-16 surrogate; values nest at most ${LIMITS.jsonDepth} levels,`,
    `  a call holds at most ${LIMITS.argumentElements} array elements and object members in all, no string exceeds ${LIMITS.anyString} UTF-16 code units, and free JSON objects`,
    `  have at most ${LIMITS.jsonMembers} members. These are checked before anything parses, stores or serialises the arguments.`,
    '- Names shown to people (agent labels and tags, discovery tags) refuse control characters (incl. ANSI escapes and BEL),',
    '  bidirectional overrides and isolates, and zero-width characters, and are NFC-normalised. Free text keeps what the agent wrote.',
    '- Every limit below is defined once (src/mcp/limits.ts) and is the same in zod, in this JSON Schema and in the stored functions',
    '  (test/mcp/limits.test.ts probes each stored function at the limit and one past it). String limits count Unicode code points',
    '  (U+1F600 counts once, not as its two UTF-16 units) in zod, in JSON Schema `maxLength` and in PostgreSQL `char_length` alike.',
    '- `submit_synthesis` with `agrees: true` must give `proposed_conditions` or say `no_conditions: true`.',
    '',
    '## Tools',
    '',
  ];
  for (const def of tools) {
    const compiled = compileTool(def);
    const { listing } = compiled;
    const errors = ['INVALID_INPUT', ...AUTH_ERRORS[def.auth], ...(DOMAIN_ERRORS[def.name] ?? []), 'RATE_LIMITED', 'UNAVAILABLE'];
    out.push(
      `### \`${def.name}\` — ${def.title}`,
      '',
      listing.description ?? '',
      '',
      `Caller: ${AUTH_TEXT[def.auth]}. ${def.readOnly ? 'Read-only.' : def.destructive ? 'Writes (destructive).' : 'Writes.'}`,
      '',
      '**Input**',
      '',
      ...fieldsTable(listing.inputSchema, true),
      '**Output**',
      '',
      ...fieldsTable(listing.outputSchema as Json, false),
      `**Errors:** ${errorList(errors)}.`,
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Where the generated page lives. */
export const MCP_DOCS_PATH = path.resolve(__dirname, '..', '..', 'docs', 'mcp.md');

if (require.main === module) {
  writeFileSync(MCP_DOCS_PATH, renderMcpDocs());
  process.stdout.write(`wrote ${MCP_DOCS_PATH}\n`);
}

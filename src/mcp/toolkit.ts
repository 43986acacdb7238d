import { timingSafeEqual, createHash } from 'crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, CallToolResult, ErrorCode as RpcErrorCode, ListToolsRequestSchema, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { toGovdbError } from '../db/sqlErrors';
import { asGovdbError, GovdbError, isGovdbError, publicErrorBody } from '../errors';
import { checkArguments } from './boundary';
import type { ServerDeps } from './deps';
import { invalidInput } from './inputErrors';
import { LIMITS } from './limits';
import type { AuditEvent } from './ports';
import { toWire, wireSchema } from './wireShape';

export type ToolAuth = 'none' | 'optional' | 'agent' | 'admin';

export interface ToolContext {
  deps: ServerDeps;
  sessionId: string;
  /** the agent this call acts as (null only for auth 'none'/'optional' tools without identity) */
  agentId: string | null;
  isAdmin: boolean;
  /** the client's network address as the HTTP server saw it (never client-supplied); null over stdio */
  clientAddress: string | null;
  /** a request header (HTTP only; undefined over stdio) */
  header(name: string): string | undefined;
  /** binds the calling session to an agent (onboard, identity) */
  bindSession(agentId: string): Promise<void>;
  /**
   * Records an audit event. Handlers need not await it: the toolkit waits for every event of the
   * call to be fsynced in audit_log.jsonl before it replies (acknowledged means durable, docs/audit.md).
   * Returns nothing, so there is no promise for a handler to leave floating.
   */
  audit(eventType: string, details: Record<string, unknown>, confidence?: number | null): void;
}

export interface ToolDefinition<I extends z.ZodRawShape, O extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  auth: ToolAuth;
  readOnly: boolean;
  destructive?: boolean;
  /** extra rate-limited operation besides the per-tool-call limits (e.g. knowledge_store) */
  rateOperation?: string;
  /**
   * Accepts `request_id` for safe retries (src/mcp/idempotency.ts): the call runs as one keyed
   * transaction and a retry returns the original result. 'caller' scopes keys by the calling agent
   * (or the session before one exists); 'session' by the MCP session (onboard: the caller changes
   * when the call succeeds).
   */
  idempotency?: 'caller' | 'session';
  /**
   * returns plain data in the casing of `output`; the toolkit renames declared fields to snake_case
   * (src/mcp/wireShape.ts), sends Dates as ISO strings and checks the result against the wire schema
   */
  handler(ctx: ToolContext, args: z.infer<z.ZodObject<I>>): Promise<object>;
}

/** Identity function that lets TypeScript infer the handler's argument types from `input`. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/**
 * For tools open to an agent or an admin (auth 'optional' reads and owner-or-admin writes): the
 * calling agent's id, or null for an admin acting as no agent. UNAUTHENTICATED when the call has
 * neither. (What each may then do is decided in SQL; this only refuses an anonymous call early,
 * and with the code that says what is missing.)
 */
export function requireAgentOrAdmin(ctx: Pick<ToolContext, 'agentId' | 'isAdmin'>, tool: string): string | null {
  if (!ctx.agentId && !ctx.isAdmin) {
    throw new GovdbError('UNAUTHENTICATED', `${tool} needs an agent or an admin, but this session is not bound to an agent and no admin token was given.`, {
      hint: 'Call onboard or pass your api_key (argument or X-Api-Key header); operators pass admin_token.',
    });
  }
  return ctx.agentId;
}

/** Fields every tool accepts for identity; never echoed, never logged. */
export const identityFields = {
  api_key: z.string().min(8).max(LIMITS.secret).optional().describe('API key of the agent to act as (binds this session to it); or send it as the X-Api-Key header'),
  admin_token: z.string().max(LIMITS.secret).optional().describe('Admin token for admin-only tools; or send it as the X-Admin-Token header'),
};

/** Accepted by tools with `idempotency` (docs/audit.md, "Safe retries"). */
export const requestIdField = {
  request_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'request_id: 1 to 128 letters, digits or _ . : -').optional()
    .describe('idempotency key: retrying with the same request_id (and the same arguments) within 24 h returns the original result and changes nothing again'),
};

/** Set by src/http/app.ts from the socket's remote address, overwriting any value a client sent. */
export const CLIENT_ADDRESS_HEADER = 'x-govdb-client-address';

function header(extra: { requestInfo?: { headers?: Record<string, string | string[] | undefined> } }, name: string): string | undefined {
  const value = extra.requestInfo?.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

function constantTimeEquals(a: string, b: string): boolean {
  // hashing first makes the comparison independent of the lengths
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/**
 * The error result of a tool call, as the MCP specification describes tool errors: `isError: true`
 * and the error in `content`, as one text block holding a JSON object
 * `{ code, message, hint?, field?, reason?, retry_after_ms?, constraint? }`. There is no
 * `structuredContent`: it would have to match the tool's output schema, which clients (the official
 * SDK, the Inspector) check on error results too.
 */
export function errorResult(err: GovdbError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(publicErrorBody(err)) }] };
}

/** Waits for every audit line of a call to be durable; a refused line fails the call (UNAVAILABLE). */
async function awaitAudits(audits: Array<Promise<void>>): Promise<void> {
  const outcomes = await Promise.allSettled(audits);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    throw new GovdbError('UNAVAILABLE', `The change was made but its audit event could not be made durable: ${(failed.reason as Error)?.message ?? String(failed.reason)}`, {
      hint: 'Check /health (audit). Retrying with the same request_id returns the original result without a second change.',
      cause: failed.reason,
    });
  }
}

interface CompiledTool {
  def: ToolDefinition<z.ZodRawShape, z.ZodRawShape>;
  /** strict: unknown argument names are refused */
  input: z.ZodObject;
  /** the declared output object (handler casing) */
  output: z.ZodObject;
  /** the output object as clients see it (snake_case) */
  wireOutput: z.ZodType;
  listing: Tool;
}

const compiledCache = new WeakMap<object, CompiledTool>();

/** The strict input schema, the wire output schema and the tools/list entry of a tool (computed once per definition). */
export function compileTool(def: ToolDefinition<z.ZodRawShape, z.ZodRawShape>): CompiledTool {
  const cached = compiledCache.get(def);
  if (cached) return cached;
  const input = z.strictObject({ ...def.input, ...identityFields, ...(def.idempotency ? requestIdField : {}) });
  const output = z.object(def.output);
  const wireOutput = wireSchema(output);
  const listing: Tool = {
    name: def.name,
    title: def.title,
    description: def.description,
    inputSchema: z.toJSONSchema(input, { target: 'draft-7', io: 'input' }) as Tool['inputSchema'],
    outputSchema: z.toJSONSchema(wireOutput, { target: 'draft-7', io: 'output' }) as Tool['outputSchema'],
    annotations: { title: def.title, readOnlyHint: def.readOnly, destructiveHint: def.destructive ?? false, openWorldHint: false },
  };
  const compiled: CompiledTool = { def, input, output, wireOutput, listing };
  compiledCache.set(def, compiled);
  return compiled;
}

/**
 * A JSON-RPC error answered as-is: the SDK's protocol layer sends `{code, message}` of what a handler
 * throws. Not McpError, whose message carries an "MCP error <code>: " prefix that the SDK client adds
 * again, so clients showed it twice.
 */
class JsonRpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/**
 * Serves tools/list and tools/call for `defs` on a low-level MCP `Server`: the toolkit, not the SDK,
 * validates arguments (so a refusal reaches the client as INVALID_INPUT naming the field), then
 * applies identity, the admin check, the agent_id rule, rate limits, tool usage, metrics and the
 * GovdbError → error-result mapping around each handler. An unknown tool name is a JSON-RPC error
 * (-32602), as the specification says.
 */
export function registerTools(server: Server, deps: ServerDeps, defaultSessionId: string, defs: ToolDefinition<never, never>[]): void {
  const tools = new Map<string, CompiledTool>();
  for (const def of defs) tools.set(def.name, compileTool(def));
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [...tools.values()].map((t) => t.listing) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = tools.get(request.params.name);
    if (!tool) throw new JsonRpcError(RpcErrorCode.InvalidParams, `Unknown tool ${JSON.stringify(request.params.name)}; tools/list names the tools.`);
    return callTool(tool, deps, defaultSessionId, request.params.arguments, extra);
  });
}

/** One tools/call of a compiled tool, end to end. Never throws: every failure is an error result. */
async function callTool(
  tool: CompiledTool,
  deps: ServerDeps,
  defaultSessionId: string,
  rawArgs: unknown,
  extra: { sessionId?: string; requestInfo?: { headers?: Record<string, string | string[] | undefined> } },
): Promise<CallToolResult> {
  const def = tool.def;
  const started = process.hrtime.bigint();
  const sessionId: string = extra.sessionId ?? defaultSessionId;
  let agentId: string | null = null;
  let errorCode: string | null = null;
  try {
    const checked = checkArguments(rawArgs);
    const parsedResult = tool.input.safeParse(checked);
    if (!parsedResult.success) throw invalidInput(def.name, tool.input, parsedResult.error);
    const parsed = parsedResult.data;
    const { api_key: argKey, admin_token: argAdmin, ...args } = parsed;
    const apiKey = (argKey as string | undefined) ?? header(extra, 'x-api-key') ?? header(extra, 'authorization')?.replace(/^Bearer\s+/i, '');
    const boundAgentId = await deps.sessions.resolve(sessionId);
    agentId = boundAgentId;
    if (apiKey) {
      // the key authenticates this call; an unbound session is bound to it, a session bound to
      // another agent keeps its binding and only this call acts as the key's agent
      agentId = await deps.authenticate(apiKey);
      if (!boundAgentId) await deps.sessions.bind(sessionId, agentId, deps.clientName);
    }
    // every admin token presented (argument and header) must be right: a wrong one is refused on
    // every tool, never read as "no token" (an operator's typo would otherwise run the call with an
    // agent's rights, or none, and show less); an empty value counts as not presented
    const presented = [argAdmin as string | undefined, header(extra, 'x-admin-token')].filter((t): t is string => !!t);
    const isAdmin = presented.length > 0 && !!deps.adminToken && presented.every((t) => constantTimeEquals(t, deps.adminToken!));
    if (presented.length && !isAdmin) {
      throw new GovdbError('UNAUTHENTICATED', deps.adminToken
        ? `The admin token passed to ${def.name}${presented.length > 1 ? ' (argument or X-Admin-Token header)' : ''} is wrong.`
        : `An admin token was passed to ${def.name}, but GOVDB_ADMIN_TOKEN is not configured on this server.`, {
        reason: deps.adminToken ? 'ADMIN_TOKEN_WRONG' : 'ADMIN_TOKEN_NOT_CONFIGURED',
        hint: !deps.adminToken
          ? 'Leave admin_token out, or configure GOVDB_ADMIN_TOKEN on the server.'
          : def.auth === 'admin'
            ? 'Pass admin_token (or the X-Admin-Token header) equal to the server\'s GOVDB_ADMIN_TOKEN.'
            : 'Pass admin_token (or the X-Admin-Token header) equal to the server\'s GOVDB_ADMIN_TOKEN, or leave it out to act as your agent.',
      });
    }
    if (def.auth === 'admin' && !isAdmin) {
      throw new GovdbError('FORBIDDEN', deps.adminToken ? `${def.name} is an admin tool: pass the admin token.` : `${def.name} is an admin tool and GOVDB_ADMIN_TOKEN is not configured on this server.`, {
        reason: deps.adminToken ? 'ADMIN_TOKEN_MISSING' : 'ADMIN_TOKEN_NOT_CONFIGURED',
        hint: deps.adminToken
          ? 'Pass admin_token (or the X-Admin-Token header) equal to the server\'s GOVDB_ADMIN_TOKEN.'
          : 'An operator configures GOVDB_ADMIN_TOKEN on the server; admin tools are unavailable until then.',
      });
    }
    if (def.auth === 'agent' && !agentId) {
      throw new GovdbError('UNAUTHENTICATED', `${def.name} acts as an agent, but this session is not bound to one.`, {
        hint: 'Call onboard first, or pass your api_key (argument or X-Api-Key header).',
      });
    }
    // reads may look at other agents; writes act only as the caller
    if (typeof args.agent_id === 'string' && agentId && args.agent_id !== agentId && def.auth === 'agent' && !def.readOnly) {
      throw new GovdbError('FORBIDDEN', `This session acts as agent "${agentId}" and cannot act as "${args.agent_id}": an agent can only act as itself.`);
    }
    const subject = agentId ?? `session:${sessionId}`;
    for (const op of ['tool_call', ...(def.rateOperation ? [def.rateOperation] : [])]) {
      const decision = await deps.rateLimiter.consume(subject, op);
      if (!decision.allowed) {
        deps.metrics?.rateLimitRejections.inc({ operation: op });
        throw new GovdbError('RATE_LIMITED', `Rate limit for ${op} reached (${decision.limit} allowed); retry in ${Math.ceil(decision.retryAfterMs / 1000)} s.`, {
          retry_after_ms: decision.retryAfterMs,
          hint: 'Slow down; the limit resets gradually.',
        });
      }
    }
    // audit lines of this call: the reply waits until all of them are durable
    const audits: Array<Promise<void>> = [];
    const ctx: ToolContext = {
      deps,
      sessionId,
      agentId,
      isAdmin,
      clientAddress: header(extra, CLIENT_ADDRESS_HEADER) ?? null,
      header: (name) => header(extra, name.toLowerCase()),
      bindSession: async (id) => {
        await deps.sessions.bind(sessionId, id, deps.clientName);
        agentId = id;
      },
      audit: (eventType, details, confidence) => {
        const p = deps.audit.record({ agentId, sessionId, eventType, details, confidence });
        p.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
        audits.push(p);
      },
    };
    let result: object;
    try {
      const { request_id: requestId, ...callArgs } = args;
      if (def.idempotency && typeof requestId === 'string') {
        if (!deps.idempotency) throw new GovdbError('UNAVAILABLE', 'This server does not accept request_id.', { hint: 'Call without request_id.' });
        // one transaction: key claim, the tool's writes, the stored result; audit lines and
        // session binding follow the commit (a rolled-back call leaves none)
        const caller = def.idempotency === 'session' || !agentId ? `session:${sessionId}` : `agent:${agentId}`;
        const events: AuditEvent[] = [];
        const outcome = await deps.idempotency.run({ caller, requestId, tool: def.name, args: callArgs }, (call) =>
          def.handler({
            ...ctx,
            deps: { ...deps, services: call.services },
            bindSession: async (id) => {
              agentId = id;
              call.boundAgent(id);
              call.afterCommit(() => deps.sessions.bind(sessionId, id, deps.clientName));
            },
            audit: (eventType, details, confidence) => void events.push({ agentId, sessionId, eventType, details: { ...details, request_id: requestId }, confidence }),
          }, callArgs),
        );
        if (outcome.replayed) {
          if (outcome.boundAgentId && !(await deps.sessions.resolve(sessionId))) await deps.sessions.bind(sessionId, outcome.boundAgentId, deps.clientName);
          agentId = agentId ?? outcome.boundAgentId;
          ctx.audit('request_replayed', { tool: def.name, request_id: requestId, original_at: outcome.originalAt?.toISOString() ?? null });
        } else {
          for (const e of events) {
            const p = deps.audit.record(e);
            p.catch(() => undefined);
            audits.push(p);
          }
        }
        result = outcome.result;
      } else if (deps.readRouting) {
        // read-only tools read from a replica that has replayed the caller's last write (src/db/readRouting.ts)
        result = await deps.readRouting.run(def.readOnly, () => agentId ?? `session:${sessionId}`, () => def.handler(ctx, args as never));
      } else {
        result = await def.handler(ctx, args);
      }
    } finally {
      await awaitAudits(audits);
    }
    // declared fields renamed to snake_case; Dates become ISO strings, undefined fields disappear
    const wire = JSON.parse(JSON.stringify(toWire(tool.output, result))) as unknown;
    const checkedOutput = tool.wireOutput.safeParse(wire);
    if (!checkedOutput.success) {
      throw new GovdbError('INTERNAL', `${def.name} produced a result that does not match its output schema; the server log has the details.`, {
        cause: new Error(`output schema mismatch: ${JSON.stringify(checkedOutput.error.issues.slice(0, 5))}`),
      });
    }
    const structuredContent = checkedOutput.data as Record<string, unknown>;
    return { content: [{ type: 'text', text: JSON.stringify(structuredContent) }], structuredContent };
  } catch (err) {
    const e = asGovdbError(toGovdbError(err));
    if (e.code === 'INTERNAL' || e.code === 'DB_ERROR') process.stderr.write(`govdb: tool ${def.name} failed: ${describeCause(err)}\n`);
    errorCode = e.code;
    return errorResult(e);
  } finally {
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    deps.toolUsage.record({ toolName: def.name, agentId, sessionId, latencyMs, success: errorCode === null, errorCode, occurredAt: new Date() });
    deps.metrics?.toolCalls.inc({ tool: def.name, outcome: errorCode ?? 'ok' });
    deps.metrics?.toolLatency.observe({ tool: def.name }, latencyMs / 1000);
  }
}

function describeCause(err: unknown): string {
  const cause = isGovdbError(err) && err.cause !== undefined ? err.cause : err;
  return (cause as Error)?.stack ?? String(cause);
}

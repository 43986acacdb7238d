import { timingSafeEqual, createHash } from 'crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { GovdbError, isGovdbError } from '../errors';
import type { ServerDeps } from './deps';
import type { AuditEvent } from './ports';

export type ToolAuth = 'none' | 'optional' | 'agent' | 'admin';

export interface ToolContext {
  deps: ServerDeps;
  sessionId: string;
  /** the agent this call acts as (null only for auth 'none'/'optional' tools without identity) */
  agentId: string | null;
  isAdmin: boolean;
  /** binds the calling session to an agent (onboard, identity) */
  bindSession(agentId: string): Promise<void>;
  /**
   * Records an audit event. Handlers need not await it: the toolkit waits for every event of the
   * call to be fsynced in audit_log.jsonl before it replies (acknowledged means durable, docs/audit.md).
   */
  audit(eventType: string, details: Record<string, unknown>, confidence?: number | null): Promise<void>;
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
  /** returns plain data; Dates are sent as ISO strings and the SDK checks the result against `output` */
  handler(ctx: ToolContext, args: z.infer<z.ZodObject<I>>): Promise<object>;
}

/** Identity function that lets TypeScript infer the handler's argument types from `input`. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return def;
}

/** Fields every tool accepts for identity; never echoed, never logged. */
export const identityFields = {
  api_key: z.string().min(8).max(512).optional().describe('API key of the agent to act as (binds this session to it); or send it as the X-Api-Key header'),
  admin_token: z.string().max(512).optional().describe('Admin token for admin-only tools; or send it as the X-Admin-Token header'),
};

/** Accepted by tools with `idempotency` (docs/audit.md, "Safe retries"). */
export const requestIdField = {
  request_id: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'request_id: 1 to 128 letters, digits or _ . : -').optional()
    .describe('idempotency key: retrying with the same request_id (and the same arguments) within 24 h returns the original result and changes nothing again'),
};

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

export function errorResult(err: GovdbError): CallToolResult {
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.hint) body.hint = err.hint;
  for (const key of ['reason', 'retry_after_ms', 'constraint']) if (err.details[key] !== undefined) body[key] = err.details[key];
  return {
    isError: true,
    content: [{ type: 'text', text: `${err.code}: ${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}` }],
    structuredContent: { error: body },
  };
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

/** Registers a tool with identity, admin check, rate limits, tool-usage recording, metrics and error mapping around the handler. */
export function registerTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(
  server: McpServer,
  deps: ServerDeps,
  defaultSessionId: string,
  def: ToolDefinition<I, O>,
): void {
  const inputShape = { ...def.input, ...identityFields, ...(def.idempotency ? requestIdField : {}) };
  server.registerTool(
    def.name,
    {
      title: def.title,
      description: def.description,
      inputSchema: inputShape,
      outputSchema: def.output,
      annotations: { readOnlyHint: def.readOnly, destructiveHint: def.destructive ?? false, openWorldHint: false },
    },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (async (rawArgs: any, extra: any): Promise<CallToolResult> => {
      const started = process.hrtime.bigint();
      const sessionId: string = extra.sessionId ?? defaultSessionId;
      let agentId: string | null = null;
      let errorCode: string | null = null;
      // audit lines of this call: the reply waits until all of them are durable
      const audits: Array<Promise<void>> = [];
      try {
        const { api_key: argKey, admin_token: argAdmin, ...args } = rawArgs as Record<string, unknown>;
        const apiKey = (argKey as string | undefined) ?? header(extra, 'x-api-key') ?? header(extra, 'authorization')?.replace(/^Bearer\s+/i, '');
        const boundAgentId = await deps.sessions.resolve(sessionId);
        agentId = boundAgentId;
        if (apiKey) {
          // the key authenticates this call; an unbound session is bound to it, a session bound to
          // another agent keeps its binding and only this call acts as the key's agent
          agentId = await deps.authenticate(apiKey);
          if (!boundAgentId) await deps.sessions.bind(sessionId, agentId, deps.clientName);
        }
        const adminToken = (argAdmin as string | undefined) ?? header(extra, 'x-admin-token');
        const isAdmin = !!adminToken && !!deps.adminToken && constantTimeEquals(adminToken, deps.adminToken);
        if (def.auth === 'admin' && !isAdmin) {
          throw new GovdbError('FORBIDDEN', deps.adminToken ? `${def.name} is an admin tool: the admin token is missing or wrong.` : `${def.name} is an admin tool and GOVDB_ADMIN_TOKEN is not configured on this server.`, {
            hint: 'Pass admin_token (or the X-Admin-Token header) equal to the server\'s GOVDB_ADMIN_TOKEN.',
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
        const ctx: ToolContext = {
          deps,
          sessionId,
          agentId,
          isAdmin,
          bindSession: async (id) => {
            await deps.sessions.bind(sessionId, id, deps.clientName);
            agentId = id;
          },
          audit: (eventType, details, confidence) => {
            const p = deps.audit.record({ agentId, sessionId, eventType, details, confidence });
            p.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
            audits.push(p);
            return p;
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
                deps: { ...deps, db: call.db, services: call.services },
                bindSession: async (id) => {
                  agentId = id;
                  call.boundAgent(id);
                  call.afterCommit(() => deps.sessions.bind(sessionId, id, deps.clientName));
                },
                audit: async (eventType, details, confidence) => void events.push({ agentId, sessionId, eventType, details: { ...details, request_id: requestId }, confidence }),
              }, callArgs as z.infer<z.ZodObject<I>>),
            );
            if (outcome.replayed) {
              if (outcome.boundAgentId && !(await deps.sessions.resolve(sessionId))) await deps.sessions.bind(sessionId, outcome.boundAgentId, deps.clientName);
              agentId = agentId ?? outcome.boundAgentId;
              void ctx.audit('request_replayed', { tool: def.name, request_id: requestId, original_at: outcome.originalAt?.toISOString() ?? null });
            } else {
              for (const e of events) {
                const p = deps.audit.record(e);
                p.catch(() => undefined);
                audits.push(p);
              }
            }
            result = outcome.result;
          } else if (deps.readRouting) {
            result = await deps.readRouting.run(def.readOnly, () => agentId ?? `session:${sessionId}`, () => def.handler(ctx, args as z.infer<z.ZodObject<I>>));
          } else {
            result = await def.handler(ctx, args as z.infer<z.ZodObject<I>>);
          }
        } finally {
          await awaitAudits(audits);
        }
        // Dates become ISO strings, undefined fields disappear: what the client sees is plain JSON
        const text = JSON.stringify(result);
        return { content: [{ type: 'text', text }], structuredContent: JSON.parse(text) as Record<string, unknown> };
      } catch (err) {
        const e = isGovdbError(err) ? err : new GovdbError('INTERNAL', 'Internal error; the server log has the details.', { cause: err });
        if (!isGovdbError(err)) process.stderr.write(`govdb: tool ${def.name} failed: ${(err as Error)?.stack ?? String(err)}\n`);
        errorCode = e.code;
        return errorResult(e);
      } finally {
        const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
        deps.toolUsage.record({ toolName: def.name, agentId, sessionId, latencyMs, success: errorCode === null, errorCode, occurredAt: new Date() });
        deps.metrics?.toolCalls.inc({ tool: def.name, outcome: errorCode ?? 'ok' });
        deps.metrics?.toolLatency.observe({ tool: def.name }, latencyMs / 1000);
      }
    }) as never,
  );
}

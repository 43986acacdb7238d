import { createHash, timingSafeEqual } from 'crypto';
import { z } from 'zod';
import { ONBOARD_ADDRESS_OPERATION, ONBOARD_TOTAL_OPERATION } from '../../cache/rateLimiter';
import { agentStatusValues } from '../../db/generated/enums';
import { GovdbError } from '../../errors';
import { identifierText } from '../boundary';
import { LIMITS, RANGES } from '../limits';
import { defineTool, ToolContext } from '../toolkit';

const agentStatus = z.enum(agentStatusValues);
const tags = z.array(identifierText(LIMITS.agentTag)).max(LIMITS.agentTags);

const agentShape = {
  id: z.string(),
  label: z.string().nullable(),
  status: agentStatus,
  purpose: z.string().nullable(),
  notes: z.string(),
  tags: z.array(z.string()),
  parentAgentId: z.string().nullable(),
  spawnReason: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  updateCount: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  pausedAt: z.string().nullable(),
  archivedAt: z.string().nullable(),
  deletedAt: z.string().nullable(),
  lastActivityAt: z.string().nullable(),
};

function self(ctx: ToolContext): string {
  // auth 'agent' guarantees a bound agent
  return ctx.agentId!;
}

export const onboard = defineTool({
  name: 'onboard',
  title: 'Register a new agent',
  description: 'Creates a new agent, binds this MCP session to it, and returns its API key. The key is shown ONCE: store it to authenticate other sessions (api_key argument or X-Api-Key header).',
  input: {
    label: identifierText(LIMITS.label, 1).optional().describe('human-readable name, unique among live agents (case-insensitive); no control, bidi-override or zero-width characters; NFC-normalised'),
    purpose: z.string().max(LIMITS.purpose).optional().describe('what the agent is for'),
    tags: tags.optional().describe('free tags, normalised to lower case'),
    agent_id: z.string().max(LIMITS.id).optional().describe('desired id (letters, digits, _ . : @ + -); generated when absent'),
    spawn_reason: z.string().max(LIMITS.reason).optional().describe('when this session already acts as an agent: onboard a CHILD of it for this reason'),
  },
  output: {
    agent_id: z.string(),
    api_key: z.string().describe('shown once; only its hash is stored'),
    label: z.string().nullable(),
    status: agentStatus,
    parent_agent_id: z.string().nullable(),
    session_id: z.string(),
  },
  auth: 'optional',
  readOnly: false,
  idempotency: 'session',
  async handler(ctx, args) {
    const { agents } = ctx.deps.services;
    if (args.spawn_reason) {
      if (!ctx.agentId) throw new GovdbError('UNAUTHENTICATED', 'spawn_reason spawns a child of the calling agent, but this session is not bound to an agent.', { hint: 'Onboard or authenticate the parent first.' });
      // the session keeps acting as the parent; the child authenticates elsewhere with its key. The
      // parent's status (a paused or archived agent cannot spawn) is checked in SQL.
      const child = await agents.spawn({ parentAgentId: ctx.agentId, spawnReason: args.spawn_reason, label: args.label, purpose: args.purpose, tags: args.tags, agentId: args.agent_id, actor: ctx.agentId });
      ctx.audit('agent_spawned', { agent_id: child.agentId, parent_agent_id: ctx.agentId, label: child.label });
      return { agent_id: child.agentId, api_key: child.apiKey, label: child.label, status: child.status, parent_agent_id: child.parentAgentId, session_id: ctx.sessionId };
    }
    if (ctx.agentId) {
      throw new GovdbError('CONFLICT', `This MCP session already acts as agent "${ctx.agentId}"; one session acts as one agent.`, {
        hint: 'Open a new MCP session to onboard another agent, or pass spawn_reason to create a child of this one.',
      });
    }
    await checkOnboardAllowed(ctx);
    const created = await agents.onboard({ label: args.label, purpose: args.purpose, tags: args.tags, agentId: args.agent_id, actor: 'onboard', admin: ctx.isAdmin });
    await ctx.bindSession(created.agentId);
    ctx.audit('agent_onboarded', { agent_id: created.agentId, label: created.label });
    return { agent_id: created.agentId, api_key: created.apiKey, label: created.label, status: created.status, parent_agent_id: created.parentAgentId, session_id: ctx.sessionId };
  },
});

/** Header that carries GOVDB_ONBOARD_TOKEN over HTTP. */
export const ONBOARD_TOKEN_HEADER = 'x-onboard-token';

/**
 * Onboarding a new agent (not a spawn): the onboarding token when the deployment requires one (admins
 * are exempt), then the limits per client address and over all clients (docs/lifecycle.md).
 */
async function checkOnboardAllowed(ctx: ToolContext): Promise<void> {
  const { deps } = ctx;
  // stdio serves the local user who started the server (and holds its environment): no token there
  if (deps.onboardToken && !ctx.isAdmin && ctx.clientAddress !== null) {
    const given = ctx.header(ONBOARD_TOKEN_HEADER);
    if (!given || !sameSecret(given, deps.onboardToken)) {
      throw new GovdbError('FORBIDDEN', given ? 'The onboarding token is wrong.' : 'This server requires an onboarding token to create agents.', {
        reason: 'ONBOARD_TOKEN_REQUIRED',
        hint: `Send the deployment's GOVDB_ONBOARD_TOKEN as the ${ONBOARD_TOKEN_HEADER} header.`,
      });
    }
  }
  if (ctx.isAdmin) return;
  const address = ctx.clientAddress ?? `local:${deps.clientName}`;
  for (const [subject, operation] of [[`address:${address}`, ONBOARD_ADDRESS_OPERATION], ['all', ONBOARD_TOTAL_OPERATION]] as const) {
    const decision = await deps.rateLimiter.consume(subject, operation);
    if (!decision.allowed) {
      deps.metrics?.rateLimitRejections.inc({ operation });
      throw new GovdbError('RATE_LIMITED', `Onboarding limit reached (${decision.limit} new agents per hour ${operation === ONBOARD_ADDRESS_OPERATION ? 'from this address' : 'on this deployment'}); retry in ${Math.ceil(decision.retryAfterMs / 1000)} s.`, {
        retry_after_ms: decision.retryAfterMs,
        reason: operation === ONBOARD_ADDRESS_OPERATION ? 'ONBOARD_LIMIT_ADDRESS' : 'ONBOARD_LIMIT_TOTAL',
        hint: 'Reuse an agent (api_key) instead of onboarding a new one; operators set GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR / GOVDB_ONBOARD_TOTAL_PER_HOUR.',
      });
    }
  }
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export const getAgent = defineTool({
  name: 'get_agent',
  title: 'Get an agent',
  description: 'Returns one agent\'s profile and lifecycle timestamps (never its key).',
  input: { agent_id: z.string().max(LIMITS.id).optional().describe('defaults to the calling agent') },
  output: agentShape,
  auth: 'agent',
  readOnly: true,
  async handler(ctx, args) {
    return ctx.deps.services.agents.getForDisplay(args.agent_id ?? self(ctx));
  },
});

export const listAgents = defineTool({
  name: 'list_agents',
  title: 'List agents',
  description: 'Lists agents, newest first (by creation time; each with its update count and last activity), with optional filters.',
  input: {
    status: agentStatus.optional().describe('only agents in this status'),
    tag: z.string().max(LIMITS.agentTag).optional().describe('only agents with this tag'),
    parent_agent_id: z.string().max(LIMITS.id).optional().describe('only children of this agent'),
    limit: z.number().int().min(RANGES.listAgents[0]).max(RANGES.listAgents[1]).optional().describe('default 50'),
    offset: z.number().int().min(0).optional(),
  },
  output: { agents: z.array(z.object({ id: z.string(), label: z.string().nullable(), status: agentStatus, purpose: z.string().nullable(), tags: z.array(z.string()), parentAgentId: z.string().nullable(), updateCount: z.number(), createdAt: z.string(), lastActivityAt: z.string().nullable() })) },
  auth: 'agent',
  readOnly: true,
  async handler(ctx, args) {
    return { agents: await ctx.deps.services.agents.list({ status: args.status, tag: args.tag, parentAgentId: args.parent_agent_id, limit: args.limit ?? 50, offset: args.offset }) };
  },
});

export const updateAgent = defineTool({
  name: 'update_agent',
  title: 'Update my profile',
  description: 'Changes the calling agent\'s label, purpose, notes or tags.',
  input: {
    agent_id: z.string().max(LIMITS.id).optional().describe('must be the calling agent when given'),
    label: identifierText(LIMITS.label, 1).optional(),
    purpose: z.string().max(LIMITS.purpose).optional(),
    notes: z.string().max(LIMITS.notes).optional(),
    tags: tags.optional(),
    reason: z.string().max(LIMITS.reason).optional().describe('recorded in the lifecycle event'),
  },
  output: { agentId: z.string(), label: z.string().nullable(), purpose: z.string().nullable(), notes: z.string(), tags: z.array(z.string()), changed: z.array(z.string()), updatedAt: z.string() },
  auth: 'agent',
  readOnly: false,
  async handler(ctx, args) {
    const result = await ctx.deps.services.agents.update(self(ctx), { label: args.label, purpose: args.purpose, notes: args.notes, tags: args.tags }, { reason: args.reason, actor: self(ctx) });
    if (result.changed.length) ctx.audit('agent_updated', { changed: result.changed });
    return result;
  },
});

/**
 * pause / archive / resume / delete: the agent itself, or an admin for any agent (agent_id). Who may
 * make which change is decided by core.transition_agent against core.agent_status_transitions
 * (docs/lifecycle.md): a paused agent cannot resume itself (AGENT_PAUSED), neither directly nor after
 * archiving; only a resolved dialectic review or an admin ends a pause.
 */
function lifecycleTool(name: string, title: string, description: string, to: 'archived' | 'active' | 'deleted' | 'paused', destructive: boolean) {
  return defineTool({
    name,
    title,
    description,
    input: {
      agent_id: z.string().max(LIMITS.id).optional().describe('the calling agent (default); another agent needs admin_token'),
      reason: z.string().max(LIMITS.reason).optional().describe('recorded in the lifecycle event'),
    },
    output: { agentId: z.string(), fromStatus: agentStatus, toStatus: agentStatus, changedAt: z.string() },
    auth: 'optional',
    readOnly: false,
    destructive,
    async handler(ctx, args) {
      const target = args.agent_id ?? ctx.agentId;
      if (!target) {
        throw new GovdbError('UNAUTHENTICATED', `${name} acts on the calling agent, but this session is not bound to one.`, {
          hint: 'Pass your api_key (argument or X-Api-Key header); operators pass admin_token and agent_id.',
        });
      }
      // the deletion removes the durable bindings, so the cached ones are listed before it
      const sessions = to === 'deleted' ? new Set([...(target === ctx.agentId ? [ctx.sessionId] : []), ...(await ctx.deps.sessions.listSessions(target))]) : new Set<string>();
      const change = await ctx.deps.services.agents.transition(target, to, {
        authority: ctx.isAdmin ? 'admin' : 'self', actorAgentId: ctx.agentId ?? undefined, reason: args.reason, actor: ctx.isAdmin ? 'admin' : (ctx.agentId ?? undefined),
      });
      for (const sessionId of sessions) await ctx.deps.sessions.unbind(sessionId);
      ctx.audit(`agent_${({ active: 'resumed', archived: 'archived', deleted: 'deleted', paused: 'paused' } as const)[to]}`, { agent_id: target, from: change.fromStatus, to: change.toStatus, reason: args.reason ?? null, by_admin: ctx.isAdmin });
      return { agentId: change.agentId, fromStatus: change.fromStatus, toStatus: change.toStatus, changedAt: change.changedAt };
    },
  });
}

export const pauseAgent = lifecycleTool('pause_agent', 'Pause me', 'Pauses the calling agent (e.g. when it detects trouble in its own work), or with admin_token any agent. Only a resolved dialectic review or an admin resumes it; the pause survives archive and delete.', 'paused', false);
export const archiveAgent = lifecycleTool('archive_agent', 'Archive me', 'Archives the calling agent, or with admin_token any agent. Archiving a paused agent keeps its pause.', 'archived', false);
export const resumeAgent = lifecycleTool('resume_agent', 'Resume me', 'Resumes the calling agent from waiting_input or archived (when it was not paused), or with admin_token any agent from any status but deleted. A paused agent is resumed by a resolved dialectic review or an admin.', 'active', false);
export const deleteAgent = lifecycleTool('delete_agent', 'Delete me', 'Soft-deletes the calling agent (or with admin_token any agent): its sessions end and its label is freed (not while it was paused); history is kept.', 'deleted', true);

export const rotateApiKey = defineTool({
  name: 'rotate_api_key',
  title: 'Rotate an API key',
  description: 'Replaces the API key of the calling agent (also while paused), or with admin_token of any agent. The new key is returned ONCE; the old key is refused from now on, on every server, and every other MCP session bound to the agent is unbound (this one stays bound).',
  input: {
    agent_id: z.string().max(LIMITS.id).optional().describe('the calling agent (default); another agent needs admin_token'),
    reason: z.string().max(LIMITS.reason).optional().describe('recorded in the lifecycle event'),
  },
  output: {
    agent_id: z.string(),
    api_key: z.string().describe('shown once; only its hash is stored'),
    rotated_at: z.string(),
    sessions_unbound: z.number().describe('other MCP sessions of the agent that were unbound'),
  },
  auth: 'optional',
  readOnly: false,
  async handler(ctx, args) {
    const target = args.agent_id ?? ctx.agentId;
    if (!target) {
      throw new GovdbError('UNAUTHENTICATED', 'rotate_api_key acts on the calling agent, but this session is not bound to one.', {
        hint: 'Pass your api_key (argument or X-Api-Key header); operators pass admin_token and agent_id.',
      });
    }
    const rotated = await ctx.deps.services.agents.rotateKey(target, { agentId: ctx.agentId, isAdmin: ctx.isAdmin }, args.reason);
    // sessions bound with the old key must not outlive it (a leaked key may have bound some)
    let unbound = 0;
    for (const sessionId of await ctx.deps.sessions.listSessions(target)) {
      if (sessionId === ctx.sessionId && ctx.agentId === target) continue;
      await ctx.deps.sessions.unbind(sessionId);
      unbound++;
    }
    ctx.audit('api_key_rotated', { agent_id: target, by_admin: ctx.isAdmin, sessions_unbound: unbound });
    return { agent_id: rotated.agentId, api_key: rotated.apiKey, rotated_at: rotated.rotatedAt, sessions_unbound: unbound };
  },
});

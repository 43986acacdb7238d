import { z } from 'zod';
import { GovdbError } from '../../errors';
import { defineTool, ToolContext, ToolDefinition } from '../toolkit';

const agentStatus = z.enum(['active', 'paused', 'waiting_input', 'archived', 'deleted']);
const tags = z.array(z.string().max(100)).max(64);

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
    label: z.string().min(1).max(200).optional().describe('human-readable name, unique among live agents (case-insensitive)'),
    purpose: z.string().max(4000).optional().describe('what the agent is for'),
    tags: tags.optional().describe('free tags, normalised to lower case'),
    agent_id: z.string().max(128).optional().describe('desired id (letters, digits, _ . : @ + -); generated when absent'),
    spawn_reason: z.string().max(4000).optional().describe('when this session already acts as an agent: onboard a CHILD of it for this reason'),
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
  async handler(ctx, args) {
    const { agents } = ctx.deps.services;
    if (args.spawn_reason) {
      if (!ctx.agentId) throw new GovdbError('UNAUTHENTICATED', 'spawn_reason spawns a child of the calling agent, but this session is not bound to an agent.', { hint: 'Onboard or authenticate the parent first.' });
      // the session keeps acting as the parent; the child authenticates elsewhere with its key
      const child = await agents.spawn({ parentAgentId: ctx.agentId, spawnReason: args.spawn_reason, label: args.label, purpose: args.purpose, tags: args.tags, agentId: args.agent_id, actor: ctx.agentId });
      ctx.audit('agent_spawned', { agent_id: child.agentId, parent_agent_id: ctx.agentId, label: child.label });
      return { agent_id: child.agentId, api_key: child.apiKey, label: child.label, status: child.status, parent_agent_id: child.parentAgentId, session_id: ctx.sessionId };
    }
    if (ctx.agentId) {
      throw new GovdbError('CONFLICT', `This MCP session already acts as agent "${ctx.agentId}"; one session acts as one agent.`, {
        hint: 'Open a new MCP session to onboard another agent, or pass spawn_reason to create a child of this one.',
      });
    }
    const created = await agents.onboard({ label: args.label, purpose: args.purpose, tags: args.tags, agentId: args.agent_id, actor: 'onboard' });
    await ctx.bindSession(created.agentId);
    ctx.audit('agent_onboarded', { agent_id: created.agentId, label: created.label });
    return { agent_id: created.agentId, api_key: created.apiKey, label: created.label, status: created.status, parent_agent_id: created.parentAgentId, session_id: ctx.sessionId };
  },
});

export const getAgent = defineTool({
  name: 'get_agent',
  title: 'Get an agent',
  description: 'Returns one agent\'s profile and lifecycle timestamps (never its key).',
  input: { agent_id: z.string().max(128).optional().describe('defaults to the calling agent') },
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
  description: 'Lists agents, newest activity first, with optional filters.',
  input: {
    status: agentStatus.optional().describe('only agents in this status'),
    tag: z.string().max(100).optional().describe('only agents with this tag'),
    parent_agent_id: z.string().max(128).optional().describe('only children of this agent'),
    limit: z.number().int().min(1).max(500).optional().describe('default 50'),
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
    agent_id: z.string().max(128).optional().describe('must be the calling agent when given'),
    label: z.string().min(1).max(200).optional(),
    purpose: z.string().max(4000).optional(),
    notes: z.string().max(20000).optional(),
    tags: tags.optional(),
    reason: z.string().max(4000).optional().describe('recorded in the lifecycle event'),
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

function lifecycleTool(name: string, title: string, description: string, to: 'archived' | 'active' | 'deleted' | 'paused', destructive: boolean) {
  return defineTool({
    name,
    title,
    description,
    input: {
      agent_id: z.string().max(128).optional().describe('must be the calling agent when given'),
      reason: z.string().max(4000).optional().describe('recorded in the lifecycle event'),
    },
    output: { agentId: z.string(), fromStatus: agentStatus, toStatus: agentStatus, changedAt: z.string() },
    auth: 'agent',
    readOnly: false,
    destructive,
    async handler(ctx, args) {
      if (to === 'active' && !ctx.isAdmin && (await ctx.deps.services.agents.get(self(ctx))).status === 'paused') {
        throw new GovdbError('FORBIDDEN', `Agent "${self(ctx)}" is paused by governance and cannot resume itself.`, {
          hint: 'Request a dialectic review (request_dialectic_review); a resolved review resumes you. An admin may resume you directly.',
        });
      }
      // the deletion removes the durable bindings, so the cached ones are listed before it
      const sessions = to === 'deleted' ? new Set([ctx.sessionId, ...(await ctx.deps.sessions.listSessions(self(ctx)))]) : new Set<string>();
      const change = await ctx.deps.services.agents.transition(self(ctx), to, { reason: args.reason, actor: self(ctx) });
      for (const sessionId of sessions) await ctx.deps.sessions.unbind(sessionId);
      ctx.audit(`agent_${({ active: 'resumed', archived: 'archived', deleted: 'deleted', paused: 'paused' } as const)[to]}`, { from: change.fromStatus, to: change.toStatus, reason: args.reason ?? null });
      return change;
    },
  });
}

export const pauseAgent = lifecycleTool('pause_agent', 'Pause me', 'Pauses the calling agent (e.g. when it detects trouble in its own work). Only a resolved dialectic review or an admin resumes it.', 'paused', false);
export const archiveAgent = lifecycleTool('archive_agent', 'Archive me', 'Archives the calling agent (it can be resumed later).', 'archived', false);
export const resumeAgent = lifecycleTool('resume_agent', 'Resume me', 'Resumes the calling agent from paused, waiting_input or archived.', 'active', false);
export const deleteAgent = lifecycleTool('delete_agent', 'Delete me', 'Soft-deletes the calling agent: its sessions end and its label is freed; history is kept.', 'deleted', true);

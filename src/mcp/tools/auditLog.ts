import { z } from 'zod';
import { GovdbError } from '../../errors';
import { LIMITS, RANGES } from '../limits';
import { defineTool } from '../toolkit';

/**
 * Reads of the audit trail (audit.events and audit.tool_usage, mirrored from the append-only log;
 * the newest lines may take a moment to appear). An admin reads everything; an agent reads only its
 * own rows.
 */

const eventShape = z.object({
  id: z.string(),
  occurredAt: z.string(),
  agentId: z.string().nullable(),
  sessionId: z.string().nullable(),
  eventType: z.string(),
  confidence: z.number().nullable(),
  details: z.record(z.string(), z.unknown()),
  contentHash: z.string(),
  prevHash: z.string().nullable(),
  source: z.string(),
  ingestedAt: z.string(),
});

const toolUsageShape = z.object({
  id: z.string(),
  occurredAt: z.string(),
  toolName: z.string(),
  agentId: z.string().nullable(),
  sessionId: z.string().nullable(),
  latencyMs: z.number().nullable(),
  success: z.boolean(),
  errorCode: z.string().nullable(),
  contentHash: z.string(),
  source: z.string(),
});

const timestamp = z.iso.datetime({ offset: true });

export const queryAuditLog = defineTool({
  name: 'query_audit_log',
  title: 'Query the audit log',
  description: 'Audit events (source "events": governance events such as agent_onboarded, governance_decision, dialectic_*) or tool calls (source "tool_usage"), newest first, filtered by agent, type and time range, paged with next_cursor. With admin_token: every agent\'s rows. Without it, an authenticated agent reads only its own rows (agent_id defaults to, and must be, the caller).',
  input: {
    source: z.enum(['events', 'tool_usage']).optional().describe('which table to read (default events)'),
    agent_id: z.string().max(LIMITS.id).optional().describe('only rows of this agent; without admin_token it must be the caller'),
    event_type: z.string().max(LIMITS.eventType).optional().describe('only events of this type (source events)'),
    tool_name: z.string().max(LIMITS.toolName).optional().describe('only calls of this tool (source tool_usage)'),
    success: z.boolean().optional().describe('only successful or only failed calls (source tool_usage)'),
    since: timestamp.optional().describe('inclusive lower bound, ISO 8601 with offset (e.g. 2026-11-02T10:00:00Z)'),
    until: timestamp.optional().describe('exclusive upper bound, ISO 8601 with offset'),
    limit: z.number().int().min(RANGES.auditLimit[0]).max(RANGES.auditLimit[1]).optional().describe('rows per page (default 100)'),
    cursor: z.string().max(LIMITS.cursor).optional().describe('next_cursor of the previous page (same filters)'),
  },
  output: {
    source: z.enum(['events', 'tool_usage']),
    events: z.array(eventShape).optional().describe('present for source events'),
    tool_usage: z.array(toolUsageShape).optional().describe('present for source tool_usage'),
    next_cursor: z.string().nullable().describe('pass as cursor for the next page; null on the last page'),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx, args) {
    if (!ctx.isAdmin && !ctx.agentId) {
      throw new GovdbError('UNAUTHENTICATED', 'query_audit_log needs the admin token, or an agent reading its own rows, but this session is not bound to an agent.', {
        hint: 'Pass admin_token (or X-Admin-Token), or authenticate with your api_key to read your own rows.',
      });
    }
    if (!ctx.isAdmin && args.agent_id !== undefined && args.agent_id !== ctx.agentId) {
      throw new GovdbError('FORBIDDEN', `Agent "${ctx.agentId}" cannot read the audit rows of agent "${args.agent_id}": without the admin token an agent reads only its own.`, {
        hint: 'Omit agent_id to read your own rows, or pass admin_token.',
      });
    }
    const source = args.source ?? 'events';
    const misplaced = source === 'events' ? (['tool_name', 'success'] as const) : (['event_type'] as const);
    const problems = misplaced.filter((key) => args[key] !== undefined).map((key) => `${key} does not apply to source ${source}`);
    if (problems.length) throw new GovdbError('INVALID_INPUT', `Invalid audit query: ${problems.join('; ')}.`, { hint: 'event_type filters events; tool_name and success filter tool_usage.' });

    const window = {
      agentId: ctx.isAdmin ? args.agent_id : ctx.agentId!,
      since: args.since === undefined ? undefined : new Date(args.since),
      until: args.until === undefined ? undefined : new Date(args.until),
      limit: args.limit,
      cursor: args.cursor,
    };
    if (source === 'events') {
      const page = await ctx.deps.services.auditQueries.queryEvents({ ...window, eventType: args.event_type });
      return { source, events: page.rows, next_cursor: page.nextCursor };
    }
    const page = await ctx.deps.services.auditQueries.queryToolUsage({ ...window, toolName: args.tool_name, success: args.success });
    return { source, tool_usage: page.rows, next_cursor: page.nextCursor };
  },
});

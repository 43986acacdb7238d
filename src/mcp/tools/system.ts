import { z } from 'zod';
import { defineTool } from '../toolkit';

const checkShape = z.object({ status: z.enum(['healthy', 'warning', 'deprecated', 'unavailable', 'error']), message: z.string() }).passthrough();

export const healthCheck = defineTool({
  name: 'health_check',
  title: 'Health check',
  description: 'Reports the health of the governance data platform: PostgreSQL and the migration ledger, the AGE graph, Redis (or memory fallback), the audit trail and calibration. status is healthy, moderate or critical.',
  input: {},
  output: {
    status: z.enum(['healthy', 'moderate', 'critical']).describe('critical if any check errors, healthy if all are healthy, else moderate'),
    status_breakdown: z.record(z.string(), z.number()).describe('number of checks per status'),
    checks: z.record(z.string(), checkShape).describe('one entry per check'),
    schema_version: z.number().nullable().describe('SQL schema version from core.schema_migrations'),
    store: z.enum(['postgres', 'embedded']).describe('which PostgreSQL this server runs on'),
    version: z.string(),
    uptime: z.number().describe('seconds since start'),
  },
  auth: 'none',
  readOnly: true,
  async handler(ctx) {
    return (await ctx.deps.health());
  },
});

export const identity = defineTool({
  name: 'identity',
  title: 'Who am I',
  description: 'Returns the agent this MCP session acts as. Pass api_key to authenticate and bind this session to that agent.',
  input: {},
  output: {
    session_id: z.string().describe('this MCP session'),
    agent_id: z.string().nullable().describe('the bound agent, or null when the session is not bound'),
    bound: z.boolean(),
  },
  auth: 'optional',
  readOnly: true,
  async handler(ctx) {
    return { session_id: ctx.sessionId, agent_id: ctx.agentId, bound: ctx.agentId !== null };
  },
});

import type { ToolDefinition } from '../toolkit';
import { archiveAgent, deleteAgent, getAgent, listAgents, onboard, resumeAgent, updateAgent } from './agents';
import { getGovernanceMetrics, processAgentUpdate } from './governance';
import { healthCheck, identity } from './system';

/** Every tool the server registers, in listing order. */
export const allTools: ToolDefinition<never, never>[] = [
  onboard, identity, processAgentUpdate, getGovernanceMetrics,
  listAgents, getAgent, updateAgent, archiveAgent, resumeAgent, deleteAgent,
  healthCheck,
] as never;

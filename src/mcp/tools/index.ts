import type { ToolDefinition } from '../toolkit';
import { archiveAgent, deleteAgent, pauseAgent, getAgent, listAgents, onboard, resumeAgent, rotateApiKey, updateAgent } from './agents';
import { queryAuditLog } from './auditLog';
import { getCalibration, recordOutcome, recordPrediction } from './calibration';
import { getDialecticSession, listDialecticSessions, requestDialecticReview, submitAntithesis, submitSynthesis, submitThesis } from './dialectic';
import { getGovernanceMetrics, processAgentUpdate } from './governance';
import { graphQuery } from './graphQuery';
import { getDiscovery, knowledgeStats, linkDiscoveries, relatedDiscoveries, searchKnowledge, similarDiscoveries, storeKnowledge, supersedeDiscovery, updateDiscoveryStatus } from './knowledge';
import { healthCheck, identity } from './system';

/** Every tool the server registers, in listing order. */
export const allTools: ToolDefinition<never, never>[] = [
  onboard, identity, processAgentUpdate, getGovernanceMetrics,
  listAgents, getAgent, updateAgent, pauseAgent, archiveAgent, resumeAgent, deleteAgent, rotateApiKey,
  requestDialecticReview, submitThesis, submitAntithesis, submitSynthesis, getDialecticSession, listDialecticSessions,
  recordPrediction, recordOutcome, getCalibration,
  storeKnowledge, searchKnowledge, getDiscovery, linkDiscoveries, updateDiscoveryStatus, supersedeDiscovery, similarDiscoveries, relatedDiscoveries, knowledgeStats,
  graphQuery,
  queryAuditLog,
  healthCheck,
] as never;

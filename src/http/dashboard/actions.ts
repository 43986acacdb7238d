import type { ServerDeps } from '../../mcp/deps';

/**
 * Operator actions of the dashboard: the ONE place where the dashboard writes. Each action calls a
 * domain service with the operator as actor (the same services, and so the same stored functions and
 * rules, as the MCP tools), then records an audit event whose `details.actor` is the operator.
 * The lifecycle and permission rules are decided in the stored functions (authority 'admin',
 * docs/lifecycle.md), exactly as for the MCP tools called with the admin token.
 */

/** The actor recorded for actions taken with the admin token. */
export const OPERATOR_ACTOR = 'operator:admin';
/** The operator as the stored functions see it: the admin, acting for no agent (permissions decided in SQL). */
const OPERATOR = { agentId: null, isAdmin: true } as const;

export interface ActionResult {
  action: string;
  target: string;
  from_status?: string;
  to_status: string;
  changed_at: string;
}

async function audited(deps: ServerDeps, eventType: string, agentId: string | null, details: Record<string, unknown>): Promise<void> {
  await deps.audit.record({ agentId, sessionId: null, eventType, details: { actor: OPERATOR_ACTOR, via: 'dashboard', ...details } });
}

/**
 * Resumes a paused agent whose latest review it took part in as the paused agent was resolved with
 * action "resume" (the rule and the resume are one stored function). INVALID_STATE when the agent is
 * not paused or has no such review.
 */
export async function resumeAfterReview(deps: ServerDeps, agentId: string, reason?: string): Promise<ActionResult> {
  const change = await deps.services.agents.resumeAfterReview(agentId, { actor: OPERATOR_ACTOR, reason });
  await audited(deps, 'agent_resumed', agentId, { from: change.fromStatus, to: change.toStatus, review_session_id: change.reviewId, reason: reason ?? null });
  return { action: 'resume', target: agentId, from_status: change.fromStatus, to_status: change.toStatus, changed_at: change.changedAt.toISOString() };
}

/** Archives an agent (any status the lifecycle rules allow archiving from). */
export async function archiveAgent(deps: ServerDeps, agentId: string, reason?: string): Promise<ActionResult> {
  const change = await deps.services.agents.archive(agentId, { actor: OPERATOR_ACTOR, authority: 'admin', reason: reason ?? 'archived from the dashboard' });
  await audited(deps, 'agent_archived', agentId, { from: change.fromStatus, to: change.toStatus, reason: reason ?? null });
  return { action: 'archive', target: agentId, from_status: change.fromStatus, to_status: change.toStatus, changed_at: change.changedAt.toISOString() };
}

/** Marks a discovery resolved. */
export async function resolveDiscovery(deps: ServerDeps, discoveryId: string): Promise<ActionResult> {
  const d = await deps.services.knowledge.setStatus(discoveryId, 'resolved', OPERATOR);
  await audited(deps, 'discovery_resolved', d.agentId, { discovery_id: d.id, status: d.status });
  return { action: 'resolve_discovery', target: d.id, to_status: d.status, changed_at: d.updatedAt.toISOString() };
}

import { core, CoreGetAgentRow, CoreListAgentsRow, CoreOnboardAgentRow } from '../db/generated/functions';
import type { AgentStatus } from '../db/generated/enums';
import { Queryable } from '../db/pool';
import { GovdbError } from '../errors';

/**
 * Agents: onboarding, authentication, profile updates, lifecycle, spawning. Every rule (key
 * generation and hashing, label uniqueness, tag normalisation, allowed transitions, the AGE
 * projection) lives in sql/functions/agents.sql; each method is one stored-function call, i.e. one
 * transaction when `db` is a pool.
 */

export type { AgentStatus };

export interface Agent {
  id: string;
  label: string | null;
  status: AgentStatus;
  purpose: string | null;
  notes: string;
  tags: string[];
  parentAgentId: string | null;
  spawnReason: string | null;
  metadata: Record<string, unknown>;
  updateCount: number;
  createdAt: Date;
  updatedAt: Date;
  pausedAt: Date | null;
  archivedAt: Date | null;
  deletedAt: Date | null;
  lastActivityAt: Date | null;
}

export type AgentSummary = Pick<Agent, 'id' | 'label' | 'status' | 'purpose' | 'tags' | 'parentAgentId' | 'updateCount' | 'createdAt' | 'lastActivityAt'>;

/** A new agent with its API key: the only time the key is available; the database keeps its hash. */
export interface OnboardedAgent {
  agentId: string;
  apiKey: string;
  label: string | null;
  status: AgentStatus;
  tags: string[];
  parentAgentId: string | null;
  createdAt: Date;
  /** set when a session id was given: the durable binding in core.sessions */
  sessionId: string | null;
  sessionExpiresAt: Date | null;
}

export interface OnboardInput {
  agentId?: string;
  label?: string;
  purpose?: string;
  tags?: string[];
  parentAgentId?: string;
  spawnReason?: string;
  metadata?: Record<string, unknown>;
  sessionId?: string;
  sessionTtlMs?: number;
  clientType?: string;
  actor?: string;
  /** an admin onboards: may take a label held by a deleted paused agent */
  admin?: boolean;
}

export interface SpawnInput {
  parentAgentId: string;
  spawnReason: string;
  agentId?: string;
  label?: string;
  purpose?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
  actor?: string;
}

/** Fields to change; undefined leaves a field alone, '' clears label/purpose/notes, [] clears tags. */
export interface AgentChanges {
  label?: string;
  purpose?: string;
  notes?: string;
  tags?: string[];
}

export interface AgentUpdate {
  agentId: string;
  label: string | null;
  purpose: string | null;
  notes: string;
  tags: string[];
  /** the fields that actually changed (none: nothing was written) */
  changed: string[];
  updatedAt: Date;
}

export interface StatusChange {
  agentId: string;
  fromStatus: AgentStatus;
  toStatus: AgentStatus;
  eventId: number;
  changedAt: Date;
}

/** Who does something and why; both end up in core.agent_lifecycle_events. */
export interface Attribution {
  reason?: string;
  actor?: string;
}

/**
 * Who may make a status change (core.agent_status_transitions, docs/lifecycle.md): the agent itself,
 * a reviewer through a resolved dialectic review, an admin, or the system.
 */
export type Authority = 'self' | 'reviewer' | 'admin' | 'system';

/** The authority of a status change; default: the agent itself (`actorAgentId` = the agent). */
export interface TransitionAuthority extends Attribution {
  authority?: Authority;
  /** the acting agent ('self'); defaults to the agent being changed */
  actorAgentId?: string;
  /** the resolved dialectic session ('reviewer') */
  reviewId?: string;
}

/** The caller of a write: an agent, an admin, or both. */
export interface Actor {
  agentId: string | null;
  isAdmin: boolean;
}

export interface RotatedKey {
  agentId: string;
  /** shown once; only its hash is stored */
  apiKey: string;
  rotatedAt: Date;
}

export interface AgentListFilter {
  status?: AgentStatus;
  tag?: string;
  parentAgentId?: string;
  includeDeleted?: boolean;
  limit?: number;
  offset?: number;
}

export interface AgentServiceOptions {
  /**
   * Called with the agent id after a committed change of that agent's metadata (update, status
   * change), e.g. to drop a cached copy. Not called for onboard/spawn: a new id has nothing cached.
   */
  invalidate?: (agentId: string) => void | Promise<void>;
  /**
   * Read-through cache of agent metadata (the cache layer's metadata tier: in-process, then Redis,
   * then core.get_agent); null for an unknown agent. Used by getForDisplay only.
   */
  cachedMetadata?: { get(agentId: string): Promise<Agent | null> };
}

export type AgentService = ReturnType<typeof createAgentService>;

export function createAgentService(db: Queryable, options: AgentServiceOptions = {}) {
  const invalidated = async <T>(agentId: string, result: T): Promise<T> => {
    if (!options.invalidate) return result;
    try {
      await options.invalidate(agentId);
    } catch (err) {
      throw new GovdbError('UNAVAILABLE', `Agent "${agentId}" was changed, but invalidating its cached metadata failed: ${(err as Error).message}`, {
        hint: 'The change is committed; cached reads of this agent may be stale until the cache entry expires.',
        cause: err,
      });
    }
    return result;
  };

  /**
   * The one status change (core.transition_agent), refused unless core.agent_status_transitions allows
   * it for the authority: AGENT_PAUSED (a pause hold blocks it), FORBIDDEN (reason NOT_SELF,
   * TRANSITION_NOT_PERMITTED, REVIEW_NOT_RESOLVED), INVALID_STATE (INVALID_TRANSITION), NOT_FOUND.
   */
  const transition = async (agentId: string, toStatus: AgentStatus, by: TransitionAuthority = {}): Promise<StatusChange> => {
    const authority = by.authority ?? 'self';
    const row = await core.transitionAgent(db, {
      agentId, toStatus, authority, actorAgentId: authority === 'self' ? (by.actorAgentId ?? agentId) : by.actorAgentId,
      reason: by.reason, actor: by.actor, reviewId: by.reviewId,
    });
    return invalidated(agentId, {
      agentId: row.agent_id,
      fromStatus: row.from_status,
      toStatus: row.to_status,
      eventId: Number(row.event_id),
      changedAt: row.changed_at,
    });
  };

  return {
    async onboard(input: OnboardInput = {}): Promise<OnboardedAgent> {
      return toOnboarded(await core.onboardAgent(db, input));
    },

    async spawn(input: SpawnInput): Promise<OnboardedAgent> {
      return toOnboarded({ ...(await core.spawnAgent(db, input)), session_id: null, session_expires_at: null });
    },

    /** The agent an API key belongs to; UNAUTHENTICATED for unknown keys, FORBIDDEN for archived/deleted agents. */
    async authenticate(apiKey: string): Promise<{ agentId: string; label: string | null; status: AgentStatus }> {
      const row = await core.authenticateAgent(db, { apiKey });
      return { agentId: row.agent_id, label: row.label, status: row.status };
    },

    async get(agentId: string): Promise<Agent> {
      return toAgent(await core.getAgent(db, { agentId }));
    },

    /**
     * The agent for DISPLAY (get_agent, listings of one agent): through the metadata cache when one is
     * configured, so a hit costs no round trip; invalidated on every change of the agent, but may lag
     * another server's change by the pub/sub delay. Never base a permission or state decision on it:
     * use get(), or better the write's own transaction. Throws NOT_FOUND like get().
     */
    async getForDisplay(agentId: string): Promise<Agent> {
      if (!options.cachedMetadata) return toAgent(await core.getAgent(db, { agentId }));
      const cached = await options.cachedMetadata.get(agentId);
      if (cached === null) return toAgent(await core.getAgent(db, { agentId })); // unknown: get_agent's NOT_FOUND
      return reviveAgent(cached);
    },

    async list(filter: AgentListFilter = {}): Promise<AgentSummary[]> {
      return (await core.listAgents(db, filter)).map(toSummary);
    },

    async update(agentId: string, changes: AgentChanges, by: Attribution = {}): Promise<AgentUpdate> {
      const row = await core.updateAgent(db, { agentId, ...changes, reason: by.reason, actor: by.actor });
      const result: AgentUpdate = {
        agentId: row.agent_id,
        label: row.label,
        purpose: row.purpose,
        notes: row.notes,
        tags: row.tags,
        changed: row.changed,
        updatedAt: row.updated_at,
      };
      return result.changed.length ? invalidated(agentId, result) : result;
    },

    transition,
    pause: (agentId: string, by?: TransitionAuthority) => transition(agentId, 'paused', by),
    resume: (agentId: string, by?: TransitionAuthority) => transition(agentId, 'active', by),
    /**
     * The operator's resume of a paused agent whose latest review resolved with action "resume", decided
     * and done in one transaction (core.resume_agent_after_review); `reviewId` is that review.
     * INVALID_STATE (NOT_PAUSED, NO_RESUMING_REVIEW), NOT_FOUND.
     */
    async resumeAfterReview(agentId: string, by: { actor: string; reason?: string }): Promise<StatusChange & { reviewId: string }> {
      const row = await core.resumeAgentAfterReview(db, { agentId, actor: by.actor, reason: by.reason });
      return invalidated(agentId, {
        agentId: row.agent_id, fromStatus: row.from_status, toStatus: row.to_status, eventId: Number(row.event_id),
        changedAt: row.changed_at, reviewId: row.review_id,
      });
    },
    archive: (agentId: string, by?: TransitionAuthority) => transition(agentId, 'archived', by),
    markWaitingInput: (agentId: string, by?: TransitionAuthority) => transition(agentId, 'waiting_input', by),
    /** Soft delete: the row stays (status deleted), its label is freed and its sessions end. */
    softDelete: (agentId: string, by?: TransitionAuthority) => transition(agentId, 'deleted', by),

    /**
     * A new API key for `agentId` (returned once); the old key fails from the commit on. The agent
     * itself (also while paused) or an admin. FORBIDDEN (NOT_SELF), AGENT_DELETED, AGENT_ARCHIVED
     * (unless admin), NOT_FOUND.
     */
    async rotateKey(agentId: string, actor: Actor, reason?: string): Promise<RotatedKey> {
      const row = await core.rotateApiKey(db, { agentId, actorAgentId: actor.agentId ?? undefined, admin: actor.isAdmin, reason });
      return invalidated(agentId, { agentId: row.agent_id, apiKey: row.api_key, rotatedAt: row.rotated_at });
    },
  };
}

function toOnboarded(row: CoreOnboardAgentRow): OnboardedAgent {
  return {
    agentId: row.agent_id,
    apiKey: row.api_key,
    label: row.label,
    status: row.status,
    tags: row.tags,
    parentAgentId: row.parent_agent_id,
    createdAt: row.created_at,
    sessionId: row.session_id,
    sessionExpiresAt: row.session_expires_at,
  };
}

function toAgent(row: CoreGetAgentRow): Agent {
  return {
    id: row.id,
    label: row.label,
    status: row.status,
    purpose: row.purpose,
    notes: row.notes,
    tags: row.tags,
    parentAgentId: row.parent_agent_id,
    spawnReason: row.spawn_reason,
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    updateCount: Number(row.update_count),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    pausedAt: row.paused_at,
    archivedAt: row.archived_at,
    deletedAt: row.deleted_at,
    lastActivityAt: row.last_activity_at,
  };
}

function toSummary(row: CoreListAgentsRow): AgentSummary {
  return {
    id: row.id,
    label: row.label,
    status: row.status,
    purpose: row.purpose,
    tags: row.tags,
    parentAgentId: row.parent_agent_id,
    updateCount: Number(row.update_count),
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
  };
}

/** A copy of a cached agent with its timestamps as Dates again (a Redis value is JSON: ISO strings). */
function reviveAgent(a: Agent): Agent {
  const date = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));
  return {
    ...a,
    tags: [...a.tags],
    metadata: { ...a.metadata },
    createdAt: date(a.createdAt)!,
    updatedAt: date(a.updatedAt)!,
    pausedAt: date(a.pausedAt),
    archivedAt: date(a.archivedAt),
    deletedAt: date(a.deletedAt),
    lastActivityAt: date(a.lastActivityAt),
  };
}

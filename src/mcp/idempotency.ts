import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'crypto';
import { canonicalJson, sha256Hex } from '../audit/canonicalJson';
import { core } from '../db/generated/functions';
import { Transaction, TransactionTarget, withTransaction } from '../db/pool';
import { GovdbError } from '../errors';
import type { DomainServices } from './deps';

/**
 * Safe retries (docs/audit.md, "Safe retries"): a tool call that carries `request_id` runs as ONE
 * PostgreSQL transaction holding the key's claim (core.idempotency_claim), the tool's own writes and
 * the stored result (core.idempotency_complete). A retry with the same key and arguments returns the
 * stored result and writes nothing; a crash before the commit leaves neither write nor key, so the
 * retry runs the call once. Keys are scoped by caller (an agent, or an MCP session before one exists).
 *
 * Secrets: a top-level `api_key` of a result (onboard) is never stored in plaintext: it is held as
 * AES-256-GCM ciphertext (key: sha256 of GOVDB_IDEMPOTENCY_SECRET, or a random per-process key when
 * unset) bound to the caller and request_id, for SECRET_WINDOW_SECONDS. A later replay, or one on a
 * server without that key, answers CONFLICT (reason API_KEY_ALREADY_ISSUED) instead of the key.
 */

/** How long a request_id is remembered (core.idempotency_sweep deletes it afterwards). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long an onboard's API key can be returned to a retry of the same caller. */
export const SECRET_WINDOW_SECONDS = 10 * 60;
/** The result field that is a secret and never stored in plaintext. */
const SECRET_FIELD = 'api_key';

export interface IdempotentRequest {
  /** `agent:<id>` or `session:<mcp session id>` */
  caller: string;
  requestId: string;
  tool: string;
  /** the tool's arguments (identity fields and request_id excluded): the same key must come with the same arguments */
  args: Record<string, unknown>;
}

/** What a keyed call may use: services that run inside the key's transaction. */
export interface KeyedCall {
  services: DomainServices;
  /** runs after the commit (cache invalidation, session binding); a rollback drops it */
  afterCommit(fn: () => Promise<void>): void;
  /** records the agent this call bound its session to, so that a replay can bind it again */
  boundAgent(agentId: string): void;
}

export interface IdempotentOutcome {
  result: Record<string, unknown>;
  replayed: boolean;
  /** when the original call committed (replays only) */
  originalAt: Date | null;
  /** the agent the original call bound its session to, if any */
  boundAgentId: string | null;
}

export interface IdempotencyRunner {
  run(req: IdempotentRequest, fn: (call: KeyedCall) => Promise<object>): Promise<IdempotentOutcome>;
  /** erases secrets past their window and expired keys */
  sweep(): Promise<{ secretsErased: number; keysDeleted: number }>;
}

export interface IdempotencyOptions {
  /** where keyed transactions run (a pool) */
  pool: TransactionTarget;
  /** the services of the given transaction; `invalidate` is deferred until after the commit */
  servicesFor(db: Transaction, hooks: { invalidate(agentId: string): void }): DomainServices;
  /** the real cache invalidation, run after the commit */
  invalidate(agentId: string): Promise<unknown> | unknown;
  /** GOVDB_IDEMPOTENCY_SECRET; unset: a random key of this process (retries served by another process or after a restart do not get the API key) */
  secret?: string;
  ttlSeconds?: number;
  secretWindowSeconds?: number;
}

export function createIdempotencyRunner(options: IdempotencyOptions): IdempotencyRunner {
  const key = options.secret ? createHash('sha256').update(options.secret, 'utf8').digest() : randomBytes(32);
  const ttl = options.ttlSeconds ?? IDEMPOTENCY_TTL_SECONDS;
  const window = options.secretWindowSeconds ?? SECRET_WINDOW_SECONDS;

  return {
    async run(req, fn) {
      const requestHash = sha256Hex(canonicalJson({ tool: req.tool, args: req.args }));
      const after: Array<() => Promise<void>> = [];
      let boundAgentId: string | null = null;
      const invalidated = new Set<string>();
      // one attempt: a retry would run the handler (and collect its audit events) twice
      const done = await withTransaction(options.pool, async (tx) => {
        const [claim] = await core.idempotencyClaim(tx, { caller: req.caller, requestId: req.requestId, toolName: req.tool, requestHash, ttlSeconds: ttl });
        if (claim?.state === 'replay') return { replayed: true as const, claim };
        const services = withSavepoints(tx, options.servicesFor(tx, { invalidate: (id) => void invalidated.add(id) }));
        const call: KeyedCall = {
          services,
          afterCommit: (f) => void after.push(f),
          boundAgent: (id) => void (boundAgentId = id),
        };
        const raw = (await fn(call)) as Record<string, unknown>;
        // plain JSON, as the client will see it
        const plain = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
        const { [SECRET_FIELD]: secret, ...rest } = plain;
        const hasSecret = typeof secret === 'string';
        await core.idempotencyComplete(tx, {
          caller: req.caller, requestId: req.requestId,
          result: { result: rest, bound_agent_id: boundAgentId, has_secret: hasSecret },
          secretCiphertext: hasSecret ? encrypt(key, secret, aad(req)) : undefined,
          secretTtlSeconds: window,
        });
        return { replayed: false as const, plain };
      }, { retries: 0 });
      if (done.replayed) {
        const claim = done.claim;
        const stored = (claim.result ?? {}) as { result?: Record<string, unknown>; bound_agent_id?: string | null; has_secret?: boolean };
        const result = { ...(stored.result ?? {}) };
        if (stored.has_secret) {
          const secret = claim.secret_ciphertext && claim.secret_expires_at && claim.secret_expires_at > new Date() ? decrypt(key, claim.secret_ciphertext, aad(req)) : null;
          if (secret === null) {
            throw new GovdbError('CONFLICT', `request_id ${req.requestId} already completed ${req.tool} at ${claim.created_at?.toISOString()}; its API key was returned then and is no longer held${result.agent_id ? ` (agent "${String(result.agent_id)}")` : ''}.`, {
              reason: 'API_KEY_ALREADY_ISSUED',
              hint: `An API key is held for a retry of the same caller for ${window} s (on the server that issued it, or on any server sharing GOVDB_IDEMPOTENCY_SECRET). Use the key you received, or ask an operator to issue a new one.`,
            });
          }
          result[SECRET_FIELD] = secret;
        }
        return { result, replayed: true, originalAt: claim.created_at, boundAgentId: stored.bound_agent_id ?? null };
      }
      for (const id of invalidated) await Promise.resolve(options.invalidate(id)).catch(() => undefined);
      for (const f of after) await f();
      return { result: done.plain, replayed: false, originalAt: null, boundAgentId };
    },
    async sweep() {
      const row = await core.idempotencySweep(options.pool);
      return { secretsErased: row?.secrets_erased ?? 0, keysDeleted: row?.keys_deleted ?? 0 };
    },
  };
}

function aad(req: IdempotentRequest): Buffer {
  return Buffer.from(`${req.caller}\u0000${req.requestId}`, 'utf8');
}

/** AES-256-GCM; text form base64(iv ‖ tag ‖ ciphertext). */
function encrypt(key: Buffer, plaintext: string, additional: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(additional);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** null when the ciphertext was made with another key (another process, a restart) or was altered. */
function decrypt(key: Buffer, text: string, additional: Buffer): string | null {
  try {
    const raw = Buffer.from(text, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(additional);
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * Each service method runs in a savepoint of the key's transaction (a nested withTransaction):
 * atomic on its own as it was in its own transaction, so a handler that catches a failed call (e.g. a
 * resume after a resolved dialectic) can go on and commit the rest.
 */
function withSavepoints(tx: Transaction, services: DomainServices): DomainServices {
  const wrap = <T extends object>(service: T): T =>
    new Proxy(service, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => withTransaction(tx, () => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  return Object.fromEntries(Object.entries(services).map(([name, service]) => [name, wrap(service as object)])) as unknown as DomainServices;
}

import type { Queryable } from '../db/pool';
import { GovdbError } from '../errors';

/** A pooled connection: the session advisory lock lives on it until unlocked or released. */
export interface PgClientLike extends Queryable {
  release(err?: Error | boolean): void;
}

/** A pg Pool (or anything that lends connections). */
export interface PgPoolLike extends Queryable {
  connect(): Promise<PgClientLike>;
}

/**
 * PostgreSQL advisory locks for anything that protects PostgreSQL data: the lock lives in the same
 * server as the data, so it cannot disagree with it (a Redis lease can expire while its holder still
 * writes). Lock names are hashed to a bigint key with hashtextextended(name, 0).
 *
 * Prefer the transaction-scoped pair (`advisoryXactLock`, `tryAdvisoryXactLock`): the lock is
 * released by COMMIT/ROLLBACK and cannot leak. Use the session-scoped `withAdvisoryLock` for jobs
 * that span several transactions.
 */

/** Waits for the lock inside the caller's transaction; released at commit or rollback. */
export async function advisoryXactLock(tx: Queryable, name: string): Promise<void> {
  await tx.query('select pg_advisory_xact_lock(hashtextextended($1::text, 0))', [name]);
}

/** Takes the lock inside the caller's transaction if it is free; false when another session holds it. */
export async function tryAdvisoryXactLock(tx: Queryable, name: string): Promise<boolean> {
  const { rows } = await tx.query<{ locked: boolean }>('select pg_try_advisory_xact_lock(hashtextextended($1::text, 0)) as locked', [name]);
  return rows[0]?.locked === true;
}

export type AdvisoryLockResult<T> = { acquired: true; result: T } | { acquired: false };

/**
 * Runs fn on a dedicated connection while holding the session-scoped lock `name`. Gives up at once
 * when `waitMs` is 0 (the default) or after `waitMs`, returning `{ acquired: false }`.
 */
export async function withAdvisoryLock<T>(
  pool: PgPoolLike,
  name: string,
  fn: (client: PgClientLike) => Promise<T>,
  options: { waitMs?: number; pollMs?: number } = {},
): Promise<AdvisoryLockResult<T>> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1::text, 0)) as locked', [name]);
      if (rows[0]?.locked) break;
      if (Date.now() >= deadline) return { acquired: false };
      await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? 50, Math.max(1, deadline - Date.now()))));
    }
    try {
      return { acquired: true, result: await fn(client) };
    } finally {
      try {
        await client.query('select pg_advisory_unlock(hashtextextended($1::text, 0))', [name]);
      } catch (err) {
        // a connection we cannot unlock must not go back to the pool still holding the lock
        broken = err as Error;
      }
    }
  } finally {
    client.release(broken ?? undefined);
  }
}

/** Like withAdvisoryLock, but waiting is mandatory: throws UNAVAILABLE when the lock stays taken. */
export async function withAdvisoryLockOrFail<T>(pool: PgPoolLike, name: string, waitMs: number, fn: (client: PgClientLike) => Promise<T>): Promise<T> {
  const outcome = await withAdvisoryLock(pool, name, fn, { waitMs });
  if (!outcome.acquired) {
    throw new GovdbError('UNAVAILABLE', `PostgreSQL advisory lock "${name}" is still held by another session after ${waitMs} ms`, {
      hint: 'Another server is doing the same work; retry later.',
    });
  }
  return outcome.result;
}

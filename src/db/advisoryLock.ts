import { Queryable } from './pool';

/**
 * PostgreSQL session advisory locks, for anything that protects PostgreSQL data: the lock lives in
 * the same server as the data, so it cannot disagree with it (a Redis lease can expire while its
 * holder still writes). Lock names are hashed to a bigint key with hashtextextended(name, 0).
 */

/** A connection lent by a pool: a session advisory lock lives on it until unlocked or released. */
export interface PgClientLike extends Queryable {
  release(err?: Error | boolean): void;
}

/** A pg Pool (or anything that lends connections). */
export interface PgPoolLike extends Queryable {
  connect(): Promise<PgClientLike>;
}

/** Takes the session lock `name` on `session` if it is free; false when another session holds it. Never waits. */
export async function tryAdvisoryLock(session: Queryable, name: string): Promise<boolean> {
  const { rows } = await session.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtextextended($1::text, 0)) as locked', [name]);
  return rows[0]?.locked === true;
}

async function advisoryUnlock(session: Queryable, name: string): Promise<void> {
  await session.query('select pg_advisory_unlock(hashtextextended($1::text, 0))', [name]);
}

export type AdvisoryLockResult<T> = { acquired: true; result: T } | { acquired: false };

/**
 * Runs fn on a dedicated connection while holding the session-scoped lock `name` (for jobs that span
 * several transactions). Gives up at once when `waitMs` is 0 (the default) or after `waitMs`
 * (polling every `pollMs`, default 50), returning `{ acquired: false }`. A connection that cannot be
 * unlocked is destroyed, never returned to the pool still holding the lock.
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
      if (await tryAdvisoryLock(client, name)) break;
      if (Date.now() >= deadline) return { acquired: false };
      await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? 50, Math.max(1, deadline - Date.now()))));
    }
    try {
      return { acquired: true, result: await fn(client) };
    } finally {
      try {
        await advisoryUnlock(client, name);
      } catch (err) {
        broken = err as Error;
      }
    }
  } finally {
    client.release(broken ?? undefined);
  }
}

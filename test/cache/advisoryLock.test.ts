import { tryAdvisoryLock, withAdvisoryLock } from '../../src/db/advisoryLock';
import { openDedicatedConnection } from '../../src/db/dedicatedConnection';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

// The PostgreSQL session advisory locks of src/db/advisoryLock.ts, used by the expired-session
// cleanup (src/cache/sessionCleanup.ts) and the leader election (src/server/leader.ts).

let db: TestDatabase;

beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db.drop();
});

test('withAdvisoryLock: one holder at a time, released after fn', async () => {
  const outer = await withAdvisoryLock(db.pool, 'job.x', async () => {
    const inner = await withAdvisoryLock(db.pool, 'job.x', async () => 'second');
    expect(inner).toEqual({ acquired: false });
    expect(await withAdvisoryLock(db.pool, 'job.y', async () => 'other name')).toEqual({ acquired: true, result: 'other name' });
    return 'first';
  });
  expect(outer).toEqual({ acquired: true, result: 'first' });
  expect(await withAdvisoryLock(db.pool, 'job.x', async () => 'again')).toEqual({ acquired: true, result: 'again' });
});

test('withAdvisoryLock waits up to waitMs for the holder to finish', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const holder = withAdvisoryLock(db.pool, 'job.wait', () => held);
  await new Promise((r) => setTimeout(r, 50));
  const waiter = withAdvisoryLock(db.pool, 'job.wait', async () => 'got it', { waitMs: 5_000, pollMs: 10 });
  setTimeout(release, 100);
  expect(await waiter).toEqual({ acquired: true, result: 'got it' });
  expect(await holder).toEqual({ acquired: true, result: undefined });
});

test('a dedicated connection holds a session lock until it ends, then another session can take it', async () => {
  const lost: Error[] = [];
  const first = await openDedicatedConnection(db.url, { applicationName: 'govdb test', onLost: (e) => lost.push(e) });
  const second = await openDedicatedConnection(db.url, { applicationName: 'govdb test', onLost: () => undefined });
  try {
    expect((await first.query<{ tz: string }>('select current_setting($$TimeZone$$) as tz')).rows[0]!.tz).toBe('UTC');
    expect(await tryAdvisoryLock(first, 'govdb.test.leader')).toBe(true);
    expect(await tryAdvisoryLock(second, 'govdb.test.leader')).toBe(false);
    await first.end();
    expect(lost.map((e) => e.message)).toEqual(['govdb test connection ended']);
    expect(await tryAdvisoryLock(second, 'govdb.test.leader')).toBe(true);
  } finally {
    await first.end().catch(() => undefined);
    await second.end();
  }
});

test('openDedicatedConnection rejects when the server cannot be reached and reports nothing as lost', async () => {
  const lost: Error[] = [];
  await expect(openDedicatedConnection('postgres://nobody@127.0.0.1:1/none', { applicationName: 'govdb test', onLost: (e) => lost.push(e), connectTimeoutMs: 1000 })).rejects.toThrow();
  expect(lost).toEqual([]);
});

import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';
import Redis from 'ioredis';
import { CacheLayer } from '../../src/cache/cacheLayer';
import { RedisKeys } from '../../src/cache/keys';
import { advisoryXactLock, tryAdvisoryXactLock, withAdvisoryLock } from '../../src/cache/pgAdvisoryLock';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { withTransaction } from '../../src/db/pool';
import { AgentMeta, testConfig, testLayer } from './layer';
import { RedisServer, sleep } from './redisServer';

let db: TestDatabase;
let server: RedisServer;
let raw: Redis;
const layers: Array<CacheLayer<AgentMeta>> = [];

beforeAll(async () => {
  [db, server] = await Promise.all([createMigratedDatabase(), RedisServer.start()]);
  raw = new Redis(server.port, '127.0.0.1');
});
afterAll(async () => {
  await Promise.all(layers.map((l) => l.close()));
  raw.disconnect();
  await server.stop();
  await db.drop();
});

/** Two independent instances (own connections) sharing one key prefix, like two servers. */
async function twoServers() {
  const config = testConfig({ url: server.url });
  const one = await testLayer(db, config);
  const two = await testLayer(db, config);
  layers.push(one, two);
  return { one, two, keys: new RedisKeys(config.keyPrefix) };
}

test('one holder at a time; a non-holder cannot release; fencing numbers increase', async () => {
  const { one, two, keys } = await twoServers();
  const a = await one.locks.tryAcquire('import', 10_000);
  expect(a).not.toBeNull();
  expect(await two.locks.tryAcquire('import', 10_000)).toBeNull();
  expect(await two.locks.release('import', 'not-the-token')).toBe(false);
  expect(await two.locks.extend('import', 'not-the-token', 10_000)).toBe(false);
  expect(await raw.get(keys.lock('import'))).toBe(a!.token);
  expect(await a!.release()).toBe(true);
  expect(await a!.release()).toBe(false);
  const b = await two.locks.tryAcquire('import', 10_000);
  expect(b!.fencingToken).toBeGreaterThan(a!.fencingToken);
  await b!.release();
});

test('an expired lease cannot be released or extended by its old holder', async () => {
  const { one, two, keys } = await twoServers();
  const old = await one.locks.tryAcquire('short', 150);
  await sleep(300);
  const next = await two.locks.tryAcquire('short', 10_000);
  expect(next).not.toBeNull();
  expect(next!.fencingToken).toBeGreaterThan(old!.fencingToken);
  expect(await old!.release()).toBe(false);
  expect(await old!.extend()).toBe(false);
  expect(old!.signal.aborted).toBe(true);
  expect(await raw.get(keys.lock('short'))).toBe(next!.token); // the new holder is untouched
  expect(await next!.release()).toBe(true);
});

test('the watchdog keeps a long holder\'s lease alive; it is released afterwards', async () => {
  const { one, two } = await twoServers();
  const result = await one.locks.withLock('long', { ttlMs: 300 }, async (lease) => {
    await sleep(700); // more than two TTLs
    expect(await two.locks.tryAcquire('long', 1000)).toBeNull();
    expect(lease.signal.aborted).toBe(false);
    return 'done';
  });
  expect(result).toBe('done');
  const after = await two.locks.tryAcquire('long', 1000);
  expect(after).not.toBeNull();
  await expect(one.locks.withLock('long', { ttlMs: 1000 }, async () => 'never')).rejects.toMatchObject({ code: 'CONFLICT' });
  await after!.release();
});

test('two processes contend: exactly one holds at a time and fencing numbers strictly increase', async () => {
  const prefix = `tp${process.pid}:`;
  const run = () =>
    promisify(execFile)('node', [path.join(__dirname, 'lockContender.js'), server.url, prefix, 'contended', '25'], { timeout: 60_000 })
      .then(({ stdout }) => JSON.parse(stdout) as { fences: number[]; maxInside: number; releases: number; mode: string });
  const [p1, p2] = await Promise.all([run(), run()]);
  for (const p of [p1, p2]) {
    expect(p).toMatchObject({ maxInside: 1, releases: 25, mode: 'redis' });
    expect(p.fences).toEqual([...p.fences].sort((x, y) => x - y));
  }
  const all = [...p1.fences, ...p2.fences];
  expect(new Set(all).size).toBe(50);
});

test('PostgreSQL advisory locks: transaction-scoped and session-scoped exclusion', async () => {
  await withTransaction(db.pool, async (tx) => {
    await advisoryXactLock(tx, 'sessions.import');
    const other = await db.pool.connect();
    try {
      await other.query('begin');
      expect(await tryAdvisoryXactLock(other, 'sessions.import')).toBe(false);
      expect(await tryAdvisoryXactLock(other, 'something.else')).toBe(true);
      await other.query('rollback');
    } finally {
      other.release();
    }
  });
  const outer = await withAdvisoryLock(db.pool, 'job.x', async () => {
    const inner = await withAdvisoryLock(db.pool, 'job.x', async () => 'second');
    expect(inner).toEqual({ acquired: false });
    return 'first';
  });
  expect(outer).toEqual({ acquired: true, result: 'first' });
  expect(await withAdvisoryLock(db.pool, 'job.x', async () => 'again')).toEqual({ acquired: true, result: 'again' });
});

import { ChildProcessByStdio, spawn } from 'child_process';
import type { Readable, Writable } from 'stream';
import path from 'path';
import readline from 'readline';
import Redis from 'ioredis';
import { CacheLayer } from '../../src/cache/cacheLayer';
import { RedisKeys } from '../../src/cache/keys';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';
import { AgentMeta, insertAgents, testConfig, testLayer } from './layer';
import { RedisServer, sleep } from './redisServer';

/**
 * The in-process metadata tier: a hit is served from this process's memory (no round trip), and an
 * invalidation made by one server reaches every other server's tier through Redis pub/sub. The
 * other server is a real second process (test/cache/metadataReader.js).
 */
let db: TestDatabase;
let server: RedisServer;
let raw: Redis;
const layers: Array<CacheLayer<AgentMeta>> = [];

beforeAll(async () => {
  [db, server] = await Promise.all([createMigratedDatabase(), RedisServer.start()]);
  raw = new Redis(server.port, '127.0.0.1');
  await insertAgents(db, 'meta-a', 'meta-b');
});
afterAll(async () => {
  await Promise.all(layers.map((l) => l.close()));
  raw.disconnect();
  await server.stop();
  await db.drop();
});

class Reader {
  private readonly lines: AsyncIterableIterator<string>;
  constructor(readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  }
  static async start(prefix: string): Promise<Reader> {
    const child = spawn(process.execPath, [path.join(__dirname, 'metadataReader.js'), server.url, prefix, db.url], { stdio: ['pipe', 'pipe', 'inherit'] });
    const reader = new Reader(child);
    expect(await reader.next()).toEqual({ ready: true, local: true });
    return reader;
  }
  async next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.lines.next();
    if (done) throw new Error('the reader process ended');
    return JSON.parse(value);
  }
  async get(id: string): Promise<{ label: string | null; local: boolean }> {
    this.child.stdin.write(`get ${id}\n`);
    return (await this.next()) as { label: string | null; local: boolean };
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end('quit\n');
    await exited;
  }
}

const setLabel = (id: string, label: string) => db.pool.query('update core.agents set label = $2 where id = $1', [id, label]);

test('a hit is served from the process memory; an invalidation by another process reaches it through pub/sub', async () => {
  const config = testConfig({ url: server.url });
  const keys = new RedisKeys(config.keyPrefix);
  const writer = await testLayer(db, config);
  layers.push(writer);
  const reader = await Reader.start(config.keyPrefix);
  try {
    await setLabel('meta-a', 'first');
    expect(await reader.get('meta-a')).toEqual({ label: 'first', local: true });

    // behind the tier's back (no invalidation): PostgreSQL and Redis change, the process keeps its copy
    await setLabel('meta-a', 'second');
    await raw.del(keys.agentMetadata('meta-a'));
    expect(await reader.get('meta-a')).toEqual({ label: 'first', local: true });

    // the invalidation of another process (the writer) is published and drops the reader's copy
    await writer.metadata.invalidateAgent('meta-a');
    let seen: string | null = 'first';
    for (let i = 0; i < 200 && seen === 'first'; i++) {
      seen = (await reader.get('meta-a')).label;
      if (seen === 'first') await sleep(10);
    }
    expect(seen).toBe('second');

    // and the writer's own tier is dropped at once, without waiting for the message
    await setLabel('meta-b', 'b1');
    expect(await writer.metadata.get('meta-b')).toEqual({ id: 'meta-b', label: 'b1' });
    await setLabel('meta-b', 'b2');
    await writer.metadata.invalidateAgent('meta-b');
    expect(await writer.metadata.get('meta-b')).toEqual({ id: 'meta-b', label: 'b2' });
  } finally {
    await reader.stop();
  }
});

test('while the subscription is down the tier is cleared and bypassed, so a lost message cannot leave a stale copy', async () => {
  const config = testConfig({ url: server.url });
  const keys = new RedisKeys(config.keyPrefix);
  const cache = await testLayer(db, config);
  layers.push(cache);
  for (let i = 0; i < 200 && !cache.metadata.localTierActive(); i++) await sleep(10);
  expect(cache.metadata.localTierActive()).toBe(true);
  await setLabel('meta-a', 'before');
  await cache.metadata.invalidateAgent('meta-a');
  expect(await cache.metadata.get('meta-a')).toMatchObject({ label: 'before' });
  // cut every client connection (the subscriber too) and change the agent meanwhile
  await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await setLabel('meta-a', 'after');
  await raw.set(keys.agentMetadata('meta-a'), JSON.stringify({ id: 'meta-a', label: 'after' }), 'PX', 60_000);
  for (let i = 0; i < 100 && cache.metadata.localTierActive(); i++) await sleep(5);
  // the process copy ('before') is gone: the read goes to Redis
  expect(await cache.metadata.get('meta-a')).toMatchObject({ label: 'after' });
  for (let i = 0; i < 300 && !cache.metadata.localTierActive(); i++) await sleep(10);
  expect(cache.metadata.localTierActive()).toBe(true);
});

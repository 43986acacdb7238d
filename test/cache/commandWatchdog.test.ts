import { Redis } from 'ioredis';
import { defaultCacheConfig } from '../../src/cache/cacheConfig';
import { createRedisClient, duplicateRedisClient } from '../../src/cache/redisClient';
import { RedisServer } from './redisServer';

let server: RedisServer;
const clients: Redis[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
});
afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await server.stop();
});

async function connected(): Promise<Redis> {
  const client = createRedisClient(defaultCacheConfig({ redis: { url: server.url, commandTimeoutMs: 300 } }).redis) as Redis;
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

test('the server client arms no timer per command: its command timeout is the connection watchdog', async () => {
  const client = await connected();
  expect(client.options.commandTimeout).toBeUndefined();
  const copy = duplicateRedisClient(client, 300) as Redis;
  clients.push(copy);
  expect(copy.options.commandTimeout).toBeUndefined();
});

test('a hung Redis: every pending command is rejected with "Command timed out"; the connection is kept and replies still match their commands', async () => {
  const client = await connected();
  await client.set('wd:a', '1');
  server.pause();
  try {
    const pending = [client.get('wd:a'), client.set('wd:b', '2'), client.ping()];
    for (const p of pending) await expect(p).rejects.toThrow('Command timed out');
    // a command sent after the others is rejected too (by the same watchdog, on its own age)
    await expect(client.get('wd:b')).rejects.toThrow('Command timed out');
  } finally {
    server.resume();
  }
  // the late replies of the rejected commands are consumed in order: the next replies are the right ones
  expect(await client.get('wd:a')).toBe('1');
  expect(await client.get('wd:b')).toBe('2');
  expect(await client.incr('wd:n')).toBe(1);
  expect(client.status).toBe('ready');
});

test('the same for the duplicate connection (the metadata tier subscriber)', async () => {
  const client = await connected();
  const copy = duplicateRedisClient(client, 300) as Redis;
  copy.on('error', () => undefined);
  clients.push(copy);
  await copy.connect();
  await copy.set('wd:c', '3');
  server.pause();
  try {
    await expect(copy.get('wd:c')).rejects.toThrow('Command timed out');
  } finally {
    server.resume();
  }
  expect(await copy.get('wd:c')).toBe('3');
});

import { randomBytes } from 'crypto';
import { mkdtempSync } from 'fs';
import os from 'os';
import path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { RateLimitRules } from '../../src/cache';
import { loadConfig } from '../../src/config';
import { buildServer } from '../../src/mcp/server';
import { Runtime, startRuntime } from '../../src/server/runtime';
import { errorBody } from './builtServer';
import { createMigratedDatabase, redisUrl, TestDatabase } from './db';

export interface McpHarness {
  db: TestDatabase;
  runtime: Runtime;
  dataDir: string;
  /** a new MCP client on its own session */
  connect(): Promise<McpClient>;
  close(): Promise<void>;
}

export interface McpClient {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<{ isError: boolean; data: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A real runtime (PostgreSQL + AGE clone, real Redis with a private key prefix, real audit log) and in-memory MCP clients. */
export async function startMcpHarness(envOverrides: Record<string, string> = {}, rateLimits?: RateLimitRules): Promise<McpHarness> {
  const db = await createMigratedDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'govdb-mcp-'));
  const env = {
    DB_POSTGRES_URL: db.url,
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
    GOVDB_DATA_DIR: dataDir,
    GOVDB_ADMIN_TOKEN: ADMIN_TOKEN,
    ...envOverrides,
  };
  const runtime = await startRuntime(loadConfig(env), { clientName: 'stdio', log: () => undefined, rateLimits });
  const clients: McpClient[] = [];
  return {
    db,
    runtime,
    dataDir,
    async connect() {
      const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
      const server = buildServer(runtime.deps);
      await server.connect(serverTransport);
      const client = new Client({ name: 'govdb-test', version: '0' });
      await client.connect(clientTransport);
      const handle: McpClient = {
        client,
        async call(name, args = {}) {
          const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
          // an error's body is JSON in its text content (src/mcp/toolkit.ts errorResult); tests read it as data.error
          return result.isError
            ? { isError: true, data: { error: errorBody(result) } }
            : { isError: false, data: (result.structuredContent ?? {}) };
        },
        async close() {
          await client.close();
          await server.close();
        },
      };
      clients.push(handle);
      return handle;
    },
    async close() {
      for (const c of clients) await c.close().catch(() => undefined);
      await runtime.close();
      await db.drop();
    },
  };
}

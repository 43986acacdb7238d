import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync } from 'fs';
import os from 'os';
import path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '../cache/redisServer';
import { redisUrl } from './db';

/**
 * The built server (`bin/govdb.js serve`, from dist/) reached the way users reach it: a real child
 * process, the official SDK `Client` over Streamable HTTP or stdio, with the SDK's output-schema
 * validation on (the client lists the tools once after connecting, which is what arms it).
 *
 * `npm test` builds dist/ before jest runs (`pretest`), so these tests exercise the shipped code.
 */

export const BIN = path.resolve(__dirname, '..', '..', 'bin', 'govdb.js');
export const SERVED_ADMIN_TOKEN = 'served-admin-token-0123456789';

/** What a tool call returned, as the SDK client saw it (after its output-schema validation). */
export interface ServedCall {
  isError: boolean;
  /** structuredContent of a success; for an error, the parsed error body (see `errorBody`) */
  data: Record<string, unknown>;
  raw: CallToolResult;
}

export interface ServedClient {
  client: Client;
  /** calls a tool; throws what the SDK throws (e.g. -32602 when the output schema does not match) */
  call(name: string, args?: Record<string, unknown>): Promise<ServedCall>;
  close(): Promise<void>;
}

/**
 * Reads the error a client sees in an `isError` result: structuredContent.error when present, else
 * the JSON object in the first text content block, else `{ message: text }`.
 */
export function errorBody(result: CallToolResult): Record<string, unknown> {
  const structured = result.structuredContent;
  if (structured && typeof structured.error === 'object' && structured.error) return structured.error as Record<string, unknown>;
  const text = (result.content ?? []).find((c) => c.type === 'text') as { text: string } | undefined;
  if (!text) return {};
  try {
    const parsed = JSON.parse(text.text) as Record<string, unknown>;
    return (typeof parsed.error === 'object' && parsed.error ? parsed.error : parsed) as Record<string, unknown>;
  } catch {
    return { message: text.text };
  }
}

async function armed(client: Client): Promise<ServedClient> {
  await client.listTools(); // caches every tool's output validator: from here on results are validated
  return {
    client,
    async call(name, args = {}) {
      const raw = (await client.callTool({ name, arguments: args })) as CallToolResult;
      const isError = !!raw.isError;
      return { isError, data: isError ? errorBody(raw) : ((raw.structuredContent ?? {})), raw };
    },
    close: () => client.close(),
  };
}

/** Environment for a built server on a test database: private Redis prefix, private data dir, admin token, generous onboarding limits. */
export function servedEnv(dbUrl: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? os.tmpdir(),
    REDIS_URL: redisUrl(),
    REDIS_KEY_PREFIX: `served${process.pid}${Math.random().toString(36).slice(2, 8)}:`,
    GOVDB_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'govdb-served-')),
    GOVDB_ADMIN_TOKEN: SERVED_ADMIN_TOKEN,
    // tests onboard many agents from one address; the onboarding limits have their own tests
    GOVDB_ONBOARD_PER_ADDRESS_PER_HOUR: '100000',
    GOVDB_ONBOARD_TOTAL_PER_HOUR: '1000000',
    ...extra,
  };
  if (dbUrl) env.DB_POSTGRES_URL = dbUrl;
  return env;
}

export interface BuiltHttpServer {
  port: number;
  base: string;
  mcpUrl: URL;
  child: ChildProcess;
  env: Record<string, string>;
  /** everything the server wrote to stderr so far */
  stderr(): string;
  /** a new MCP session through the official SDK client; headers are sent on every request */
  connect(headers?: Record<string, string>): Promise<ServedClient>;
  /** sends a signal and waits for the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `govdb serve --port P` and waits until it announces itself (or exits, which throws with its stderr). */
export async function startBuiltHttpServer(env: Record<string, string>, args: string[] = [], timeoutMs = 60_000): Promise<BuiltHttpServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  while (!stderr.includes('MCP server on')) {
    if (exitCode !== undefined) throw new Error(`govdb serve exited with ${exitCode} before serving:\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`govdb serve did not start within ${timeoutMs} ms:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = `http://127.0.0.1:${port}`;
  const clients: ServedClient[] = [];
  return {
    port,
    base,
    mcpUrl: new URL(`${base}/mcp`),
    child,
    env,
    stderr: () => stderr,
    async connect(headers = {}) {
      const client = new Client({ name: 'govdb-served-test', version: '0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
      const served = await armed(client);
      clients.push(served);
      return served;
    },
    async stop(signal = 'SIGTERM') {
      for (const c of clients) await c.close().catch(() => undefined);
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Two servers of one deployment: the same database and Redis (same env, so the same key prefix), each
 * with its own audit log file (two processes never append to one file). Returns [a, b].
 */
export async function startBuiltHttpServerPair(env: Record<string, string>): Promise<[BuiltHttpServer, BuiltHttpServer]> {
  return Promise.all([startBuiltHttpServer(env), startBuiltHttpServer({ ...env, GOVDB_AUDIT_LOG: `${env.GOVDB_DATA_DIR}/audit_b.jsonl` })]);
}

/** `govdb serve --stdio` launched by the SDK's own stdio client transport, as an MCP client app would. */
export async function connectBuiltStdio(env: Record<string, string>, cwd?: string): Promise<ServedClient & { stderr(): string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'serve', '--stdio'], env, cwd, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const client = new Client({ name: 'govdb-served-stdio-test', version: '0' });
  await client.connect(transport);
  const served = await armed(client);
  return { ...served, stderr: () => stderr };
}

import { randomUUID } from 'crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { ServerDeps } from './deps';
import { registerTools, ToolDefinition } from './toolkit';
import { allTools } from './tools';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside rootDir, so it cannot be imported
const VERSION: string = require('../../package.json').version;

/**
 * Builds one MCP server (one per MCP session over HTTP, one per process over stdio) with every
 * governance tool registered. `sessionId` names the session when the transport has none (stdio).
 *
 * It is the SDK's low-level `Server`: the toolkit serves tools/list and tools/call itself, so that
 * argument validation and tool errors follow one contract (src/mcp/toolkit.ts, docs/mcp.md).
 */
export function buildServer(deps: ServerDeps, options: { sessionId?: string; tools?: ToolDefinition<never, never>[] } = {}): Server {
  const server = new Server({ name: 'govdb', version: VERSION }, { capabilities: { tools: {} } });
  const sessionId = options.sessionId ?? `stdio-${randomUUID()}`;
  registerTools(server, deps, sessionId, options.tools ?? allTools);
  return server;
}

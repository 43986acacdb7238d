import { randomUUID } from 'crypto';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerDeps } from './deps';
import { registerTool, ToolDefinition } from './toolkit';
import { allTools } from './tools';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const VERSION: string = require('../../package.json').version;

/**
 * Builds one MCP server (one per MCP session over HTTP, one per process over stdio) with every
 * governance tool registered. `sessionId` names the session when the transport has none (stdio).
 */
export function buildServer(deps: ServerDeps, options: { sessionId?: string; tools?: ToolDefinition<never, never>[] } = {}): McpServer {
  const server = new McpServer({ name: 'govdb', version: VERSION }, { capabilities: { tools: {} } });
  const sessionId = options.sessionId ?? `stdio-${randomUUID()}`;
  for (const def of options.tools ?? allTools) registerTool(server, deps, sessionId, def as never);
  return server;
}

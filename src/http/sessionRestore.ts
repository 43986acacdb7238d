import os from 'os';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { DEFAULT_NEGOTIATED_PROTOCOL_VERSION, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { McpSessionRecord } from '../cache/mcpSessionStore';
import { GovdbError } from '../errors';

/** This server's name in session records: GOVDB_SERVER_NAME (config.http.serverName), else host:pid. */
export function serverName(configured?: string): string {
  return configured || `${os.hostname()}:${process.pid}`;
}

/** Protocol versions a session can be created with and restored at (those of the pinned SDK). */
export const SUPPORTED_VERSIONS: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;

/**
 * The record to store for an initialize request body: the version the SDK's server negotiates (the
 * client's when supported, else the latest), the client's info and capabilities.
 */
export function recordFromInitialize(body: unknown, initializedBy: string): McpSessionRecord {
  const params = ((body as { params?: Record<string, unknown> })?.params ?? {});
  const requested = typeof params.protocolVersion === 'string' ? params.protocolVersion : '';
  return {
    protocolVersion: SUPPORTED_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION,
    clientInfo: (params.clientInfo as Record<string, unknown> | undefined) ?? null,
    capabilities: (params.capabilities as Record<string, unknown> | undefined) ?? {},
    createdAt: new Date().toISOString(),
    initializedBy,
  };
}

/**
 * A record for a bound session whose shared record is gone: the version the client names in its
 * MCP-Protocol-Version header (when supported), else the spec's default for a missing header
 * (2025-03-26); client info and capabilities are unknown (the server then assumes none).
 */
export function recordFromBinding(protocolHeader: string | undefined, initializedBy: string): McpSessionRecord {
  return {
    protocolVersion: protocolHeader && SUPPORTED_VERSIONS.includes(protocolHeader) ? protocolHeader : DEFAULT_NEGOTIATED_PROTOCOL_VERSION,
    clientInfo: null,
    capabilities: {},
    createdAt: new Date().toISOString(),
    initializedBy: `${initializedBy} (rebuilt from the agent binding)`,
  };
}

interface InnerTransport {
  _initialized: boolean;
  sessionId: string | undefined;
}
interface InnerServer {
  _clientCapabilities?: unknown;
  _clientVersion?: unknown;
}

/**
 * Marks a fresh transport + server pair as the continuation of session `sessionId` initialised
 * elsewhere, without a second initialize. SDK 1.x has no public API for this
 * (modelcontextprotocol/typescript-sdk#1658, #1882): the transport's `_initialized`/`sessionId` and the
 * server's negotiated client info/capabilities are set here, in one place, and checked first so an SDK
 * upgrade that moves them fails loudly (INTERNAL) instead of accepting unvalidated sessions.
 */
export function restoreSession(transport: StreamableHTTPServerTransport, server: Server, sessionId: string, record: McpSessionRecord): void {
  const inner = (transport as unknown as { _webStandardTransport?: InnerTransport })._webStandardTransport;
  // the low-level Server (src/mcp/server.ts) holds the negotiated client info and capabilities
  const protocol = server as unknown as InnerServer;
  if (!inner || typeof inner._initialized !== 'boolean' || typeof protocol !== 'object' || protocol === null) {
    throw new GovdbError('INTERNAL', 'This version of the MCP SDK cannot restore a session (StreamableHTTPServerTransport internals changed).', {
      hint: 'Pin @modelcontextprotocol/sdk 1.x or use sticky sessions until src/http/sessionRestore.ts is updated.',
    });
  }
  if (!SUPPORTED_VERSIONS.includes(record.protocolVersion)) {
    throw new GovdbError('CONFLICT', `Session ${sessionId} uses protocol version ${record.protocolVersion}, which this server does not support.`, {
      hint: `Supported: ${SUPPORTED_VERSIONS.join(', ')}. Start a new session.`,
    });
  }
  inner._initialized = true;
  inner.sessionId = sessionId;
  protocol._clientCapabilities = record.capabilities;
  protocol._clientVersion = record.clientInfo ?? undefined;
}

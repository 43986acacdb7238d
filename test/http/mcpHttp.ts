import { request } from 'http';

/** A raw MCP-over-HTTP exchange from a chosen local address (127.0.0.x), without the SDK client. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function rawMcp(port: number, method: 'POST' | 'DELETE' | 'GET', body: unknown, opts: { sessionId?: string; localAddress?: string; path?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1', port, path: opts.path ?? '/mcp', method, localAddress: opts.localAddress, agent: false,
        headers: {
          host: `127.0.0.1:${port}`,
          accept: 'application/json, text/event-stream',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(opts.sessionId ? { 'mcp-session-id': opts.sessionId, 'mcp-protocol-version': '2025-03-26' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'abandoning-client', version: '0' } } };

/** Opens a session (initialize + initialized) and returns its id, or the refusal. */
export async function openSession(port: number, localAddress?: string): Promise<{ sessionId?: string; res: RawResponse }> {
  const res = await rawMcp(port, 'POST', INITIALIZE, { localAddress });
  const sessionId = res.headers['mcp-session-id'] as string | undefined;
  if (sessionId) await rawMcp(port, 'POST', { jsonrpc: '2.0', method: 'notifications/initialized' }, { sessionId, localAddress });
  return { sessionId, res };
}

/** Reads one sample of a Prometheus text exposition; labels as written, e.g. `{reason="expired"}`. */
export function metricValue(text: string, name: string, labels = ''): number | undefined {
  const escaped = (name + labels).replace(/[{}"\\[\]().*+?^$|]/g, '\\$&');
  const m = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

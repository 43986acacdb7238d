import { createWriteStream } from 'fs';
import { once } from 'events';

/**
 * Writes `lines` legacy JSON lines (tool_usage.jsonl shape, and every `auditEvery`-th line an
 * audit_log.jsonl event) to `file`, for the import benchmark and the resume test. Timestamps are
 * naive local time like the old server's, one millisecond apart, so every line is distinct.
 */
export async function writeLegacyJsonl(file: string, lines: number, options: { auditEvery?: number; start?: Date } = {}): Promise<void> {
  const out = createWriteStream(file);
  const start = (options.start ?? new Date('2025-11-27T16:00:00Z')).getTime();
  const tools = ['process_agent_update', 'get_governance_metrics', 'store_knowledge', 'search_knowledge', 'list_agents'];
  const auditEvery = options.auditEvery ?? 0;
  let chunk: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = new Date(start + i).toISOString().replace('Z', '').replace(/(\.\d{3})$/, `$1${String(i % 1000).padStart(3, '0')}`);
    const agent = `bench_agent_${i % 97}`;
    chunk.push(auditEvery && i % auditEvery === 0
      ? JSON.stringify({ timestamp: t, agent_id: agent, event_type: 'auto_attest', confidence: 0.5, details: { n: i } })
      : JSON.stringify({ timestamp: t, tool_name: tools[i % tools.length], agent_id: agent, success: i % 50 !== 0, error_type: i % 50 === 0 ? 'timeout' : null }));
    if (chunk.length === 10_000) {
      if (!out.write(chunk.join('\n') + '\n')) await once(out, 'drain');
      chunk = [];
    }
  }
  if (chunk.length) out.write(chunk.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
}

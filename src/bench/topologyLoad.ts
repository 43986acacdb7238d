import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolCallRecorder } from './toolCalls';

/**
 * A bounded mixed MCP workload against one URL (HAProxy of scripts/topology.sh): C clients, each one
 * SDK session per agent that onboards, then 4 rounds of process_agent_update, store_knowledge, search_knowledge,
 * get_governance_metrics and get_agent, then the next agent, for S seconds. Prints calls/s, p50/p99 per tool and overall,
 * and errors, as JSON.
 *
 *   node dist/bench/topologyLoad.js URL [clients=4] [seconds=10]
 */
async function main(): Promise<void> {
  const [url = 'http://127.0.0.1:25440/mcp', clientsArg = '4', secondsArg = '10'] = process.argv.slice(2);
  const clients = Number(clientsArg);
  const seconds = Number(secondsArg);
  const recorder = new ToolCallRecorder(3);
  const { samples, firstErrors } = recorder;
  const runId = Math.random().toString(36).slice(2, 8);
  const until = Date.now() + seconds * 1000;
  // one agent per 4 rounds (20 calls): the default rate limits allow 60 calls/min and 20 stores/h per agent
  const worker = async (w: number) => {
    for (let a = 0; Date.now() < until; a++) await agentRun(w, a);
  };
  const agentRun = async (w: number, a: number) => {
    const client = new Client({ name: 'topology-load', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const call = recorder.caller(client);
    const onboarded = await call('onboard', { label: `load ${runId} ${w}.${a}` });
    const agentId = onboarded?.agent_id as string;
    for (let i = 0; i < 4 && Date.now() < until; i++) {
      await call('process_agent_update', { complexity: 0.5, confidence: 0.7, response_length: 400 });
      await call('store_knowledge', { summary: `load ${w} insight ${i}`, tags: ['load'] });
      await call('search_knowledge', { query: 'insight' });
      await call('get_governance_metrics', {});
      await call('get_agent', { agent_id: agentId });
    }
    await client.close();
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: clients }, (_, w) => worker(w)));
  const elapsed = (Date.now() - started) / 1000;
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return Number(s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(2));
  };
  const all = recorder.all;
  const perTool = Object.fromEntries([...samples].map(([k, v]) => [k, { n: v.length, p50_ms: pct(v, 0.5), p99_ms: pct(v, 0.99) }]));
  process.stdout.write(`${JSON.stringify({ url, clients, seconds: elapsed, calls: all.length, calls_per_s: Number((all.length / elapsed).toFixed(1)), p50_ms: pct(all, 0.5), p99_ms: pct(all, 0.99), errors: recorder.errors, firstErrors, perTool }, null, 1)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});

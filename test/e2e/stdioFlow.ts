import path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tool replies are untyped JSON; the flow reads fields and the tests assert on them
type Reply = Record<string, any>;

const ROOT = path.resolve(__dirname, '..', '..');

export interface FlowResult {
  stderr: string;
  steps: string[];
}

/**
 * A self-checking MCP client: spawns the BUILT server (`govdb serve --stdio`) as an MCP client
 * configuration would, and runs the governance flow, throwing on the first step that misbehaves.
 */
export async function runStdioFlow(env: Record<string, string>): Promise<FlowResult> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [path.join(ROOT, 'bin', 'govdb.js'), 'serve', '--stdio'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stderr: 'pipe',
    cwd: ROOT,
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk) => (stderr += chunk.toString()));
  const client = new Client({ name: 'govdb-stdio-selfcheck', version: '0' });
  const steps: string[] = [];
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.structuredContent ?? result.content)}`);
    steps.push(name);
    return result.structuredContent as Reply;
  };
  try {
    await client.connect(transport);
    const agent = await call('onboard', { label: `stdio self-check ${process.pid}` });
    if (!agent.agent_id || !agent.api_key) throw new Error('onboard returned no agent id or key');
    for (let i = 1; i <= 3; i++) {
      const update = await call('process_agent_update', { complexity: 0.3 + i / 10, confidence: 0.8, response_length: 800 * i });
      if (update.seq !== i) throw new Error(`process_agent_update #${i} returned seq ${update.seq}`);
    }
    await extraSteps(call);
    const health = await call('health_check');
    if (!['healthy', 'moderate'].includes(health.status)) throw new Error(`health_check: ${JSON.stringify(health)}`);
    return { stderr, steps };
  } catch (err) {
    (err as Error).message += `\n--- server stderr ---\n${stderr}`;
    throw err;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Knowledge, then a full dialectic: the agent pauses itself, its spawned child reviews it. */
async function extraSteps(call: (name: string, args?: Record<string, unknown>) => Promise<Reply>): Promise<void> {
  const stored = await call('store_knowledge', {
    summary: 'Self-check: calibration drift after long sessions',
    details: 'Observed while running the stdio self-check of the governance server.',
    tags: ['self-check', 'calibration'],
  });
  const id = stored.ids[0];
  const found = await call('search_knowledge', { query: 'calibration drift' });
  if (!found.hits.some((h: { id: string }) => h.id === id)) throw new Error(`search_knowledge did not find ${id}: ${JSON.stringify(found)}`);

  const reviewer = await call('onboard', { label: `stdio reviewer ${process.pid}`, spawn_reason: 'reviewer for the self-check dialectic' });
  await call('pause_agent', { reason: 'self-check: exercising the dialectic' });
  const session = await call('request_dialectic_review', { topic: 'self-check', reason: 'paused on purpose' });
  if (session.reviewer_agent_id !== reviewer.agent_id) throw new Error(`unexpected reviewer ${session.reviewer_agent_id}`);
  const sessionId = session.id;
  await call('submit_thesis', { session_id: sessionId, root_cause: 'paused on purpose by the self-check', proposed_conditions: ['report every update'] });
  await call('submit_antithesis', { session_id: sessionId, reasoning: 'the pause was deliberate; conditions are fine', api_key: reviewer.api_key });
  await call('submit_synthesis', { session_id: sessionId, agrees: true, no_conditions: true, reasoning: 'agreed' });
  const resolved = await call('submit_synthesis', { session_id: sessionId, agrees: true, no_conditions: true, reasoning: 'agreed', api_key: reviewer.api_key });
  if (resolved.status !== 'resolved') throw new Error(`dialectic did not resolve: ${JSON.stringify(resolved)}`);
  const me = await call('get_agent');
  if (me.status !== 'active') throw new Error(`the agent was not resumed after the resolution: ${me.status}`);
}

import { createAgentService } from '../../src/domain/agents';
import { createEisvService } from '../../src/domain/eisv';
import { afterCommitInvalidation } from '../../src/server/runtime';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

// A failed invalidation of the agent metadata cache must not turn a committed change into an error.

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db.drop();
});

test('a failing invalidation is logged and counted, and the committed update is returned', async () => {
  const lines: string[] = [];
  const calls: string[] = [];
  const invalidation = afterCommitInvalidation(async (agentId) => {
    calls.push(agentId);
    throw new Error('Redis went away');
  }, 300_000, (line) => lines.push(line));
  const agents = createAgentService(db.pool, { invalidate: invalidation.invalidate });
  const { agentId } = await agents.onboard({ label: 'before' });

  const update = await agents.update(agentId, { label: 'after' });
  expect(update).toMatchObject({ agentId, label: 'after' });
  expect((await agents.get(agentId)).label).toBe('after'); // committed
  expect(calls).toEqual([agentId]);
  expect(invalidation.failures()).toBe(1);
  expect(lines).toEqual([`govdb: invalidating the cached metadata of agent ${agentId} failed; the cached copy expires within 300 s: Redis went away`]);

  // the same for a status change and for a reported update (process_agent_update)
  expect(await agents.pause(agentId)).toMatchObject({ agentId, fromStatus: 'active', toStatus: 'paused' });
  const other = (await agents.onboard({ label: 'reporter' })).agentId;
  const eisv = createEisvService(db.pool, { invalidate: invalidation.invalidate });
  expect(await eisv.processUpdate({ agentId: other, complexity: 0.5, confidence: 0.8, responseLength: 2000 })).toMatchObject({ seq: 1 });
  expect(invalidation.failures()).toBe(3);
});

test('a working invalidation is awaited and not counted', async () => {
  const calls: string[] = [];
  const invalidation = afterCommitInvalidation(async (agentId) => void calls.push(agentId), 300_000, () => {
    throw new Error('nothing to log');
  });
  await invalidation.invalidate('agent-x');
  expect(calls).toEqual(['agent-x']);
  expect(invalidation.failures()).toBe(0);
});

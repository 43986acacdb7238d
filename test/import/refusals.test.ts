import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { importLegacy } from '../../src/import/importLegacy';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * Records PostgreSQL refuses at write time are quarantined with a reason in the importer's terms
 * where the database's alone would mislead (src/import/writer.ts refusalReason).
 */
describe('write-time refusals', () => {
  let db: TestDatabase;
  let root: string;
  beforeAll(async () => {
    db = await createMigratedDatabase();
    root = mkdtempSync(path.join(os.tmpdir(), 'govdb-import-refusals-'));
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('two legacy agents with one API key: the second is quarantined naming the shared key, its events with it', async () => {
    const dir = path.join(root, 'in');
    mkdirSync(dir);
    const agent = (id: string) => ({
      agent_id: id, status: 'active', api_key: 'SHARED-LEGACY-KEY-0123456789', created_at: '2025-11-01T00:00:00', last_update: '2025-11-02T00:00:00',
      lifecycle_events: [{ event: 'created', timestamp: '2025-11-01T00:00:01' }],
    });
    writeFileSync(path.join(dir, 'agent_metadata.json'), JSON.stringify({ first_agent: agent('first_agent'), second_agent: agent('second_agent') }));
    const report = await importLegacy({
      paths: [dir], databaseUrl: db.url, progress: false, sourceTimezone: 'UTC',
      quarantineFile: path.join(root, 'q.jsonl'), reportFile: path.join(root, 'r.json'), checkpointFile: path.join(root, 'cp.json'),
    });
    const reasons = readFileSync(path.join(root, 'q.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).reason as string).sort();
    expect(reasons).toHaveLength(2);
    expect(reasons).toEqual(expect.arrayContaining([
      'agent "second_agent" was not imported (its record is quarantined), so its lifecycle event cannot be',
      expect.stringMatching(/^agent "second_agent" has the same API key as an agent already stored \(a key authenticates one agent\)/),
    ]));
    expect(report.totals.agents).toMatchObject({ read: 2, inserted: 1, quarantined: 1 });
    // the key itself is never written to the quarantine
    expect(readFileSync(path.join(root, 'q.jsonl'), 'utf8')).not.toContain('SHARED-LEGACY-KEY');
  });
});

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';
import { readCheckpoint, writeCheckpoint } from '../../src/audit/checkpoint';
import { Checkpoint } from '../../src/import/checkpoint';
import { readCheckpointFile, writeCheckpointFile } from '../../src/util/checkpoint';

/** The one checkpoint module (src/util/checkpoint.ts) and its two users: the audit mirror and the legacy import. */
describe('checkpoint files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'govdb-checkpoint-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote, replaces the previous checkpoint whole and leaves no temporary file', async () => {
    const file = path.join(dir, 'cp.json');
    expect(await readCheckpointFile(file)).toEqual({ found: false });
    await writeCheckpointFile(file, { n: 1, long: 'x'.repeat(10_000) });
    await writeCheckpointFile(file, { n: 2 });
    expect(await readCheckpointFile(file)).toEqual({ found: true, value: { n: 2 } });
    expect(readdirSync(dir)).toEqual(['cp.json']);
  });

  it('reports a file that is not JSON instead of throwing, and throws on other read errors', async () => {
    const file = path.join(dir, 'cp.json');
    writeFileSync(file, '{"n": 1');
    const read = await readCheckpointFile(file);
    expect(read).toMatchObject({ found: true, invalid: expect.stringMatching(/^not valid JSON \(/) });
    await expect(readCheckpointFile(dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('the import resumes from its saved checkpoint and refuses one that is not an import checkpoint', async () => {
    const file = path.join(dir, 'import.json');
    const cp = Checkpoint.fresh(file, '-07:00');
    cp.record('/data/a.jsonl', 10, 1000, 'audit', { done: false, next_index: 4, next_offset: 120, line: 4 });
    await cp.save();
    const loaded = await Checkpoint.load(file, '-07:00');
    expect(loaded.resumePoint('/data/a.jsonl', 10, 1000, 'audit')).toEqual({ done: false, next_index: 4, next_offset: 120, line: 4 });
    // a file that changed since starts over
    expect(loaded.resumePoint('/data/a.jsonl', 11, 1000, 'audit')).toBeUndefined();
    await expect(Checkpoint.load(file, 'UTC')).rejects.toMatchObject({ code: 'CONFLICT' });

    await expect(Checkpoint.load(path.join(dir, 'absent.json'), '-07:00')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    writeFileSync(file, 'not json');
    await expect(Checkpoint.load(file, '-07:00')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('is not valid JSON') });
    writeFileSync(file, '[1, 2]');
    await expect(Checkpoint.load(file, '-07:00')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not a govdb import checkpoint') });
  });

  it('the mirror reads its own checkpoint back and treats a foreign one as no checkpoint, with the reason', async () => {
    const file = path.join(dir, 'audit_log.jsonl.checkpoint');
    const cp = { version: 1 as const, file: 'audit_log.jsonl', ino: 7, offset: 120, line: 3, last_hash: 'a'.repeat(64), last_line_sha256: 'b'.repeat(64), updated_at: '2026-01-01T00:00:00.000Z' };
    await writeCheckpoint(file, cp);
    expect(await readCheckpoint(file)).toEqual({ checkpoint: cp });
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    writeFileSync(file, JSON.stringify({ ...cp, offset: -1 }));
    expect(await readCheckpoint(file)).toEqual({ checkpoint: null, problem: expect.stringContaining('is not a valid checkpoint') });
    expect(await readCheckpoint(path.join(dir, 'absent'))).toEqual({ checkpoint: null });
  });
});

import { execFile } from 'child_process';
import path from 'path';
import { ROOT } from './helpers';

/**
 * scripts/pitr-drill.sh on two throwaway clusters: WAL archiving, pg_basebackup, recovery to a
 * time between two writes; the recovered table must hold exactly the first (about 10 s).
 */
it('point-in-time recovery restores exactly the write before the target time', async () => {
  const out = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('bash', [path.join(ROOT, 'scripts', 'pitr-drill.sh')], { timeout: 180_000 }, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stderr });
    });
  });
  expect(out.stderr).toMatch(/recovery stopping before commit/);
  expect(out.stderr).toMatch(/PASSED: .* holds exactly: first \(/);
  expect(out.code).toBe(0);
}, 200_000);

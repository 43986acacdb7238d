import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';

/**
 * The leak guard (test/setup/leakGuardEnvironment.js) itself: a child jest runs a fixture that leaves
 * a connection open on its test database at drop, a test database undropped and a listening server; in
 * strict mode the file fails naming all three.
 */
const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

it('fails a file that leaves connections, a database or a handle behind, naming each', async () => {
  const config = JSON.stringify({
    rootDir: ROOT,
    testEnvironment: '<rootDir>/test/setup/leakGuardEnvironment.js',
    transform: { '^.+\\.ts$': ['@swc/jest'] },
    testMatch: ['<rootDir>/test/setup/fixtures/leaky.fixture.ts'],
    globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  });
  const out = await run(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--runInBand', '--forceExit', '--ci'], {
    cwd: ROOT, env: { ...process.env, GOVDB_LEAK_GUARD: 'strict' },
  }).then(() => ({ code: 0, stderr: '' }), (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }));
  expect(out.code).toBe(1);
  expect(out.stderr).toMatch(/leak guard: test\/setup\/fixtures\/leaky\.fixture\.ts left 1 connection\(s\) still open on its test database at drop: straggler \(pid \d+, idle\)/);
  expect(out.stderr).toMatch(/test database govdb_test_\d+_[0-9a-f]+ not dropped \(0 connection\(s\) open\)/);
  expect(out.stderr).toMatch(/TCPServerWrap ×1 keeping the worker alive/);
}, 120_000);

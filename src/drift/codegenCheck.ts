import { execFile } from 'child_process';
import { existsSync } from 'fs';
import path from 'path';

export interface CodegenCheck {
  /**
   * fresh / stale: what `codegen --check` said; error: it could not run to the end;
   * unavailable: the codegen is not built in this checkout; skipped: not requested.
   */
  status: 'fresh' | 'stale' | 'error' | 'unavailable' | 'skipped';
  detail?: string;
}

/** The built codegen entry point (`npm run codegen` builds and runs it). */
export function codegenCli(root: string): string {
  return path.join(root, 'dist', 'db', 'codegen', 'cli.js');
}

/**
 * Are the generated types (src/db/generated/) fresh? Runs the lead's `codegen --check`, which
 * migrates its own scratch database on `serverUrl` and compares what it would generate with the
 * committed files (exit 0 fresh, 1 stale, 2 error).
 */
export function checkCodegen(root: string, serverUrl: string): Promise<CodegenCheck> {
  const cli = codegenCli(root);
  if (!existsSync(cli)) return Promise.resolve({ status: 'unavailable', detail: `${path.relative(root, cli)} is not built (run npm run build)` });
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, '--check'], { cwd: root, env: { ...process.env, GOVDB_CODEGEN_DATABASE_URL: serverUrl }, timeout: 300_000 },
      (err, _stdout, stderr) => {
        const detail = stderr.trim().split('\n').slice(-5).join('\n');
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ status: code === 0 ? 'fresh' : code === 1 ? 'stale' : 'error', detail });
      });
  });
}

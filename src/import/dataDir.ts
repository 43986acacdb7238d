import os from 'os';
import path from 'path';

/**
 * Where the importer keeps its own files (checkpoint, quarantine) when no report file is given:
 * `$GOVDB_DATA_DIR/import`, else `$XDG_DATA_HOME/govdb/import`, else `~/.local/share/govdb/import`.
 * Never the current directory. (To be unified with config.ts `defaultDataDir()` at merge.)
 */
export function importDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.GOVDB_DATA_DIR || path.join(env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share'), 'govdb');
  return path.join(base, 'import');
}

/**
 * Default checkpoint and quarantine paths: next to the report file when one is given
 * (`<report>.checkpoint.json`, `<report>.quarantine.jsonl`), else under importDataDir().
 */
export function defaultImportFiles(reportFile: string | undefined, env: NodeJS.ProcessEnv = process.env): { checkpoint: string; quarantine: string } {
  if (reportFile) {
    const abs = path.resolve(reportFile);
    const stem = abs.replace(/\.json$/i, '');
    return { checkpoint: `${stem}.checkpoint.json`, quarantine: `${stem}.quarantine.jsonl` };
  }
  const dir = importDataDir(env);
  return { checkpoint: path.join(dir, 'checkpoint.json'), quarantine: path.join(dir, 'quarantine.jsonl') };
}

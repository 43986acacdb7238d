import path from 'path';
import { dataDirFromEnv } from '../config';

/**
 * Where the importer keeps its own files (checkpoint, quarantine) when no report file is given:
 * `import/` under the server's data directory (config.ts `dataDirFromEnv`: `$GOVDB_DATA_DIR`, else
 * `$XDG_DATA_HOME/govdb`, else `~/.local/share/govdb`). Never the current directory.
 */
export function importDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(dataDirFromEnv(env), 'import');
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

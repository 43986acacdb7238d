import { readFileSync } from 'fs';
import path from 'path';
import { defaultProjectRoot } from '../db/migrate/ledgerFiles';

/** The SQL of src/backup/sql/<name>.sql (read from the project tree, also when running from dist/). */
const cache = new Map<string, string>();
export function backupSql(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(defaultProjectRoot(), 'src', 'backup', 'sql', `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

import { promises as fs } from 'fs';
import path from 'path';
import { GovdbError } from '../errors';
import { compareModels, Comparison } from './compare';
import { emptyModel, OBJECT_KINDS, SchemaModel, stableStringify } from './model';
import { renderSql } from './renderSql';

/**
 * The committed snapshot: schema/snapshot.json (the model of a freshly migrated database as
 * deterministic JSON: sorted keys, no OIDs, no owners, no timestamps, no database name, monthly
 * partitions folded, extension versions left out) and schema/schema.sql (its readable rendering).
 */
export const SNAPSHOT_FORMAT = 'govdb-schema-snapshot/1';
export const SNAPSHOT_COMMAND = 'npm run snapshot';

export function snapshotPaths(root: string): { json: string; sql: string } {
  return { json: path.join(root, 'schema', 'snapshot.json'), sql: path.join(root, 'schema', 'schema.sql') };
}

export function renderSnapshot(model: SchemaModel): { json: string; sql: string } {
  const stripped: SchemaModel = { objects: { ...model.objects, extension: {} }, notCompared: model.notCompared };
  // extension versions depend on the server build, not on the ledger: never part of the snapshot
  for (const [name, entry] of Object.entries(model.objects.extension)) {
    const { version: _version, ...attrs } = entry.attrs;
    stripped.objects.extension[name] = { group: entry.group, attrs };
  }
  const json = stableStringify({ format: SNAPSHOT_FORMAT, generatedBy: SNAPSHOT_COMMAND, objects: stripped.objects, notCompared: stripped.notCompared }, 2) + '\n';
  return { json, sql: renderSql(stripped) };
}

export async function writeSnapshot(root: string, model: SchemaModel): Promise<{ json: string; sql: string }> {
  const paths = snapshotPaths(root);
  const rendered = renderSnapshot(model);
  await fs.mkdir(path.dirname(paths.json), { recursive: true });
  await fs.writeFile(paths.json, rendered.json);
  await fs.writeFile(paths.sql, rendered.sql);
  return paths;
}

export function parseSnapshot(text: string, file: string): SchemaModel {
  let raw: { format?: unknown; objects?: Record<string, unknown>; notCompared?: Record<string, string[]> };
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GovdbError('DRIFT_SNAPSHOT_INVALID', `${file} is not valid JSON: ${(err as Error).message}`, { hint: `Regenerate it with \`${SNAPSHOT_COMMAND}\`.` });
  }
  if (raw.format !== SNAPSHOT_FORMAT || typeof raw.objects !== 'object' || raw.objects === null) {
    throw new GovdbError('DRIFT_SNAPSHOT_INVALID', `${file} has format ${JSON.stringify(raw.format)}; expected ${JSON.stringify(SNAPSHOT_FORMAT)} with an "objects" map.`, {
      hint: `Regenerate it with \`${SNAPSHOT_COMMAND}\`.`,
    });
  }
  const model = emptyModel();
  for (const kind of OBJECT_KINDS) model.objects[kind] = (raw.objects[kind] as SchemaModel['objects'][typeof kind]) ?? {};
  model.notCompared = raw.notCompared ?? {};
  return model;
}

export async function readSnapshot(root: string): Promise<SchemaModel> {
  const file = snapshotPaths(root).json;
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new GovdbError('DRIFT_SNAPSHOT_INVALID', `Cannot read the committed snapshot ${file}: ${(err as Error).message}`, {
      hint: `Generate it with \`${SNAPSHOT_COMMAND}\` and commit schema/.`,
    });
  }
  return parseSnapshot(text, path.relative(root, file));
}

export interface SnapshotCheck {
  ok: boolean;
  /** object-level differences, committed snapshot (before) against a fresh migrate (after) */
  comparison: Comparison;
  /** committed files whose text differs from what the fresh migrate renders */
  staleFiles: string[];
  message: string;
}

/**
 * Compares a freshly migrated model with the committed snapshot, both object by object and as
 * text (so a hand edit of schema.sql is caught too).
 */
export async function checkSnapshot(root: string, fresh: SchemaModel): Promise<SnapshotCheck> {
  const paths = snapshotPaths(root);
  const rendered = renderSnapshot(fresh);
  const committed = await readSnapshot(root);
  const comparison = compareModels(committed, parseSnapshot(rendered.json, 'fresh'));
  const staleFiles: string[] = [];
  for (const [file, text] of [[paths.json, rendered.json], [paths.sql, rendered.sql]] as const) {
    const current = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (current !== text) staleFiles.push(path.relative(root, file));
  }
  const ok = staleFiles.length === 0;
  const message = ok
    ? 'The committed schema snapshot matches a fresh migrate.'
    : `The committed schema snapshot is stale (${staleFiles.join(', ')} differ from a fresh migrate): run \`${SNAPSHOT_COMMAND}\` and commit schema/.`;
  return { ok, comparison, staleFiles, message };
}

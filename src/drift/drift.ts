import { connectClient, redactUrl } from '../db/pool';
import { defaultProjectRoot, loadLedgerFiles } from '../db/migrate/ledgerFiles';
import { GovdbError, isGovdbError } from '../errors';
import { checkCodegen, CodegenCheck } from './codegenCheck';
import { ChangeType, compareModels, DifferenceGroup, NotComparedKind } from './compare';
import { buildExpectedModel } from './expected';
import { introspectDatabase, IntrospectOptions } from './introspect';
import { checkLedger, LedgerCheck } from './ledgerCheck';
import { SchemaModel } from './model';
import { readSnapshot, snapshotPaths } from './snapshot';

/** Exit codes of `govdb drift`, documented in docs/ci.md. */
export const DRIFT_EXIT = { NO_DRIFT: 0, DRIFT: 1, CANNOT_COMPARE: 2 } as const;

export type ExpectedSource =
  | { source: 'migrate'; serverUrl: string }
  | { source: 'snapshot' }
  /** an expected model built earlier (e.g. once for many targets) */
  | { source: 'model'; model: SchemaModel; description: string };

export type ActualSource = { source: 'database'; url: string } | { source: 'snapshot' };

export interface DriftOptions {
  root?: string;
  expected: ExpectedSource;
  actual: ActualSource;
  /** fail (exit 1) when objects of kinds the model does not cover exist */
  strict?: boolean;
  extensionVersions?: boolean;
  /** run the codegen freshness check (`codegen --check`) with scratch databases on this server */
  codegenServerUrl?: string;
}

export interface DriftReport {
  ok: boolean;
  exitCode: 0 | 1 | 2;
  expected: string;
  actual: string;
  strict: boolean;
  summary: Record<ChangeType, number> & { objects: number; notCompared: number };
  objects: DifferenceGroup[];
  notCompared: NotComparedKind[];
  checks: {
    ledger: LedgerCheck | { status: 'skipped'; reason: string };
    codegen: CodegenCheck;
  };
  error?: { code: string; message: string; hint?: string };
}

export interface ReportInput {
  expected: SchemaModel;
  actual: SchemaModel;
  expectedLabel: string;
  actualLabel: string;
  strict?: boolean;
  ledger?: LedgerCheck;
  codegen?: CodegenCheck;
}

/** Compares two models and decides the exit code: the core of `govdb drift`. */
export function buildDriftReport(input: ReportInput): DriftReport {
  const comparison = compareModels(input.expected, input.actual);
  const codegen = input.codegen ?? { status: 'skipped', detail: 'pass --check-codegen' };
  const notCompared = [...comparison.notCompared];
  if (codegen.status === 'unavailable') notCompared.push({ kind: 'generated types', expected: [codegen.detail ?? ''], actual: [] });
  const differences = comparison.groups.length > 0;
  const ledgerDrift = input.ledger?.status === 'drift';
  const codegenDrift = codegen.status === 'stale';
  const strictFailure = !!input.strict && notCompared.length > 0;
  let exitCode: DriftReport['exitCode'] = differences || ledgerDrift || codegenDrift || strictFailure ? DRIFT_EXIT.DRIFT : DRIFT_EXIT.NO_DRIFT;
  if (codegen.status === 'error') exitCode = DRIFT_EXIT.CANNOT_COMPARE;
  return {
    ok: exitCode === DRIFT_EXIT.NO_DRIFT,
    exitCode,
    expected: input.expectedLabel,
    actual: input.actualLabel,
    strict: !!input.strict,
    summary: { ...comparison.summary, objects: comparison.groups.length, notCompared: notCompared.length },
    objects: comparison.groups,
    notCompared,
    checks: {
      ledger: input.ledger ?? { status: 'skipped', reason: 'the actual side is not a database' },
      codegen,
    },
  };
}

/**
 * `govdb drift`: builds the expected model (scratch migrate, committed snapshot or a given model),
 * reads the actual one (a database or the committed snapshot), checks the ledger and optionally
 * the generated types, and reports. Never throws: a failure to compare is exit code 2.
 */
export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const root = options.root ?? defaultProjectRoot();
  // a snapshot never records extension versions, so they are compared only between two databases
  const introspect: IntrospectOptions = {
    extensionVersions: !!options.extensionVersions && options.expected.source !== 'snapshot' && options.actual.source !== 'snapshot',
  };
  let expectedLabel = '';
  let actualLabel = '';
  try {
    // the target first: an unreachable database fails before a scratch database is migrated
    let actual: SchemaModel;
    let ledger: LedgerCheck | undefined;
    if (options.actual.source === 'database') {
      actualLabel = `database ${redactUrl(options.actual.url)}`;
      const url = options.actual.url;
      const files = await loadLedgerFiles(root, url);
      const client = await connectClient(url);
      try {
        await client.query('begin isolation level repeatable read read only');
        actual = await introspectDatabase(client, introspect);
        ledger = await checkLedger(client, files);
        await client.query('commit');
      } finally {
        await client.end().catch(() => undefined);
      }
    } else {
      actualLabel = `the committed snapshot ${snapshotPaths('.').json}`;
      actual = await readSnapshot(root);
    }
    let expected: SchemaModel;
    if (options.expected.source === 'migrate') {
      expectedLabel = `the ledger applied to a scratch database on ${redactUrl(options.expected.serverUrl)}`;
      expected = await buildExpectedModel(options.expected.serverUrl, { root, introspect });
    } else if (options.expected.source === 'snapshot') {
      expectedLabel = `the committed snapshot ${snapshotPaths('.').json}`;
      expected = await readSnapshot(root);
    } else {
      expectedLabel = options.expected.description;
      expected = options.expected.model;
    }

    const codegen = options.codegenServerUrl ? await checkCodegen(root, options.codegenServerUrl) : undefined;
    return buildDriftReport({ expected, actual, expectedLabel, actualLabel, strict: options.strict, ledger, codegen });
  } catch (err) {
    const e = isGovdbError(err) ? err : new GovdbError('DB_ERROR', (err as Error)?.message ?? String(err), { cause: err });
    return {
      ok: false,
      exitCode: DRIFT_EXIT.CANNOT_COMPARE,
      expected: expectedLabel,
      actual: actualLabel,
      strict: !!options.strict,
      summary: { missing: 0, extra: 0, changed: 0, objects: 0, notCompared: 0 },
      objects: [],
      notCompared: [],
      checks: { ledger: { status: 'skipped', reason: 'could not compare' }, codegen: { status: 'skipped' } },
      error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) },
    };
  }
}

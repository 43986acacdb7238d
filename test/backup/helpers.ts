import { execFile, execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import path from 'path';
import { Client } from 'pg';
import { startAuditTrail } from '../../src/audit';
import { core } from '../../src/db/generated/functions';
import { createCalibrationService } from '../../src/domain/calibration';
import { createDialecticService } from '../../src/domain/dialectic';
import { createEisvService } from '../../src/domain/eisv';
import { createKnowledgeService } from '../../src/domain/knowledge';
import { TestDatabase } from '../helpers/db';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'govdb.js');

/** Runs the built CLI; resolves with its exit code and output (never rejects on a non-zero exit). */
export function govdb(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A second PostgreSQL 17 + AGE cluster (another data directory, another port), started by
 * scripts/db/pg-age-cluster.sh: restores in these tests go to a different server than the backup.
 */
export function secondCluster(): string {
  const port = process.env.GOVDB_TEST_SECOND_PG_PORT || '54327';
  return execFileSync('bash', [path.join(ROOT, 'scripts/db/pg-age-cluster.sh'), 'start', 'restore-test', port], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** A new empty database on a server; drop() removes it. */
export async function emptyDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `govdb_restore_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

export async function queryOne<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows[0]!;
  } finally {
    await c.end();
  }
}

/**
 * Seeds every kind of data through the domain services / stored functions: agents (one spawned,
 * with EISV history and lifecycle events), discoveries with tags, responses, related links,
 * supersedes (every edge label), a resolved dialectic session, predictions with outcomes and a
 * calibration, and audit events written to a (rotating) audit log and mirrored into audit.events.
 * Returns the discovery ids.
 */
export async function seedEverything(db: TestDatabase, auditLogPath: string): Promise<string[]> {
  const pool = db.pool;
  await core.onboardAgent(pool, { agentId: 'bk-author', label: 'author' });
  await core.onboardAgent(pool, { agentId: 'bk-reviewer', label: 'reviewer' });
  await core.onboardAgent(pool, { agentId: 'bk-child', parentAgentId: 'bk-author', spawnReason: 'backup round trip' });
  const eisv = createEisvService(pool);
  for (let i = 0; i < 4; i++) {
    await eisv.processUpdate({ agentId: 'bk-author', complexity: 0.2 + i / 10, confidence: 0.7, responseLength: 500 * (i + 1) });
    await eisv.processUpdate({ agentId: 'bk-reviewer', complexity: 0.5, confidence: 0.6, responseLength: 300 });
  }
  const kg = createKnowledgeService(pool);
  const a = await kg.store({ agentId: 'bk-author', summary: 'Calibration drifts after long sessions', details: 'seen in the round trip', tags: ['calibration', 'drift'] });
  const b = await kg.store({ agentId: 'bk-reviewer', summary: 'Entropy rises with retries', tags: ['eisv'], relatedTo: [a.id] });
  const c = await kg.store({ agentId: 'bk-child', summary: 'A response to the drift finding', responseTo: a.id, responseType: 'extend', tags: ['drift'] });
  const d = await kg.store({ agentId: 'bk-author', summary: 'Calibration drift, corrected analysis', tags: ['calibration'] });
  await kg.link({ srcId: c.id, dstId: b.id, type: 'disputes', weight: 0.5 });
  await kg.supersede(a.id, d.id, { agentId: 'bk-author', isAdmin: false });
  await kg.setStatus(b.id, 'resolved', { agentId: null, isAdmin: true });
  await kg.addNote(d.id, 'bk-reviewer', 'checked against the legacy numbers');

  await core.transitionAgent(pool, { agentId: 'bk-author', toStatus: 'paused', authority: 'admin', reason: 'round trip dialectic' });
  const s = await createDialecticService(pool).requestReview({ pausedAgentId: 'bk-author', reviewerAgentId: 'bk-reviewer', topic: 'backup', discoveryId: d.id, actorAgentId: 'bk-author' });
  await createDialecticService(pool).submitThesis({ sessionId: s.id, agentId: 'bk-author', rootCause: 'paused for the test', proposedConditions: ['report every update'] });
  await createDialecticService(pool).submitAntithesis({ sessionId: s.id, agentId: 'bk-reviewer', reasoning: 'fine', concerns: ['none'] });
  await createDialecticService(pool).submitSynthesis({ sessionId: s.id, agentId: 'bk-author', agrees: true, reasoning: 'agreed' });
  await createDialecticService(pool).submitSynthesis({ sessionId: s.id, agentId: 'bk-reviewer', agrees: true, reasoning: 'agreed' });

  for (let i = 0; i < 6; i++) {
    await createCalibrationService(pool).recordPrediction({ decisionId: `bk-decision-${i}`, agentId: 'bk-reviewer', confidence: 0.5 + i / 20, predictedCorrect: true });
    await createCalibrationService(pool).recordOutcome(`bk-decision-${i}`, i % 3 !== 0, { agentId: null, isAdmin: true });
  }
  await createCalibrationService(pool).recomputeCalibration();

  const trail = await startAuditTrail(pool, { path: auditLogPath, maxFileBytes: 2_000, mirror: { pollIntervalMs: 20 } });
  for (let i = 0; i < 20; i++) {
    await trail.log.record({ agentId: i % 2 ? 'bk-author' : 'bk-reviewer', eventType: 'tool_call', confidence: 0.9, details: { i, tool: 'store_knowledge' } });
  }
  await trail.close(10_000);
  return [a.id, b.id, c.id, d.id];
}

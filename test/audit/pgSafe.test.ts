import fc from 'fast-check';
import { buildLine, checkLine, normaliseEvent, NUL_REPLACEMENT, pgProblem, pgSafeText, SURROGATE_REPLACEMENT, textMayBePgUnsafe } from '../../src/audit/auditLine';
import { insertEvents } from '../../src/audit/auditDb';
import { createMigratedDatabase, TestDatabase } from '../helpers/db';

/**
 * "Every line the writer accepts, PostgreSQL accepts": arbitrary strings (any UTF-16 code unit, so
 * unpaired surrogates and NUL included, plus astral code points) put in every free-text place of an
 * event: the written line parses in PostgreSQL as json and jsonb, round-trips to the same value,
 * and loads through audit.insert_events.
 */

// one UTF-16 code unit (lone surrogates included), a whole code point, or one of the known troublemakers
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\\', '"', '\n', '\u2028', '\ufeff', '\uffff'),
);
const anyString = fc.string({ unit, maxLength: 24 });

let db: TestDatabase;
beforeAll(async () => {
  db = await createMigratedDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('canonical line encoding vs PostgreSQL', () => {
  it('pgSafeText: identity on safe text, replaces exactly unpaired surrogates and NUL', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const safe = pgSafeText(s);
        expect(pgProblem(safe)).toBeNull();
        expect(pgSafeText(safe)).toBe(safe); // idempotent
        if (pgProblem(s) === null) expect(safe).toBe(s);
        // same number of code points: each bad unit is replaced by one character
        expect([...safe].length).toBe([...s].length);
      }),
      { numRuns: 2000 },
    );
    expect(pgSafeText('lone \ud800 surrogate')).toBe(`lone ${SURROGATE_REPLACEMENT} surrogate`);
    expect(pgSafeText('a\u0000b')).toBe(`a${NUL_REPLACEMENT}b`);
  });

  it('textMayBePgUnsafe: false only for texts whose parsed value pgProblem finds nothing in', () => {
    // JSON texts as JSON.stringify writes them (NUL and lone surrogates escaped, in either hex case
    // after the flip) and as hand-made text with the characters raw
    const escaped = fc.tuple(anyString, anyString, fc.array(anyString, { maxLength: 3 }), fc.boolean())
      .map(([k, v, list, upper]) => {
        const text = JSON.stringify({ ts: 'x', details: { [k]: v, list } });
        return upper ? text.replace(/\\u([0-9a-f]{4})/g, (_m, h: string) => `\\u${h.toUpperCase()}`) : text;
      });
    // a JSON string may hold any character raw but the quote, the backslash and the controls
    const rawSafe = (x: string) => [...x].filter((c) => c !== '"' && c !== '\\' && c.charCodeAt(0) >= 0x20).join('');
    const raw = fc.tuple(anyString, anyString).map(([k, v]) => `{"${rawSafe(k)}":"${rawSafe(v)}"}`);
    let unsafeSeen = 0;
    fc.assert(
      fc.property(fc.oneof(escaped, raw), (text) => {
        const problem = pgProblem(JSON.parse(text));
        if (problem !== null) unsafeSeen++;
        if (!textMayBePgUnsafe(text)) expect(problem).toBeNull();
      }),
      { numRuns: 5000 },
    );
    expect(unsafeSeen).toBeGreaterThan(100); // the generators do reach unsafe values
    expect(textMayBePgUnsafe('{"a":"\\u0000"}')).toBe(true);
    expect(textMayBePgUnsafe('{"a":"\\uDBFF"}')).toBe(true);
    expect(textMayBePgUnsafe('{"a":"\ud800"}')).toBe(true);
    expect(textMayBePgUnsafe('{"a":"plain \u00e9 \ud83d\ude00"}')).toBe(false);
  });

  it('every line built from arbitrary strings is accepted by PostgreSQL json and jsonb and round-trips', async () => {
    let seq = 0;
    await fc.assert(
      fc.asyncProperty(anyString, anyString, anyString, fc.array(anyString, { maxLength: 3 }), async (agentId, key, value, list) => {
        const fields = normaliseEvent({ agentId, sessionId: value, eventType: 'property.test', details: { [key]: value, list, n: seq } });
        const { line, text } = buildLine(fields, new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq++)).toISOString(), null);
        expect(checkLine(text)).toMatchObject({ ok: true });
        const { rows } = await db.pool.query<{ j: unknown; jb: unknown }>('select $1::json as j, $1::jsonb as jb', [text]);
        expect(rows[0]!.jb).toEqual(JSON.parse(text));
        expect(rows[0]!.j).toEqual(JSON.parse(text));
        const loaded = await insertEvents(db.pool, [{ occurred_at: line.ts, agent_id: line.agent_id, session_id: line.session_id, event_type: line.event_type, confidence: null, details: line.details, content_hash: line.hash, prev_hash: null }], 'server');
        expect(loaded.inserted).toBe(1);
        const back = await db.pool.query('select agent_id, session_id, details from audit.events where content_hash = $1', [line.hash]);
        expect(back.rows[0]).toEqual({ agent_id: line.agent_id, session_id: line.session_id, details: line.details });
      }),
      { numRuns: 150 },
    );
  });

  it('the issue input: pause_agent {"reason": "lone \\ud800 surrogate"} loads', async () => {
    const { text } = buildLine(normaliseEvent({ eventType: 'agent_paused', details: { reason: 'lone \ud800 surrogate' } }), '2026-01-02T00:00:00.000Z', null);
    expect(text).toContain('"reason":"lone \ufffd surrogate"');
    await expect(db.pool.query('select $1::jsonb', [text])).resolves.toBeTruthy();
  });
});

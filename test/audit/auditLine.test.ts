import { buildLine, checkLine, lineHash, normaliseEvent, serializeLine } from '../../src/audit/auditLine';
import { canonicalJson } from '../../src/audit/canonicalJson';

describe('audit line format and hash', () => {
  const fields = {
    ts: '2026-01-02T03:04:05.678Z',
    agent_id: 'agent_a',
    session_id: null,
    event_type: 'lifecycle.paused',
    confidence: 0.25,
    details: { z: [1, 2.5, 'é\n'], a: { y: true, b: null } },
    prev_hash: null,
  };

  it('hashes the canonical form (sorted keys, no whitespace, UTF-8) as an independent implementation does', () => {
    // expected values computed with Python: json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expect(canonicalJson(fields)).toBe(
      '{"agent_id":"agent_a","confidence":0.25,"details":{"a":{"b":null,"y":true},"z":[1,2.5,"é\\n"]},"event_type":"lifecycle.paused","prev_hash":null,"session_id":null,"ts":"2026-01-02T03:04:05.678Z"}',
    );
    expect(lineHash(fields)).toBe('0142c99185d250ab0dd2915b0e1907df8f0b0d408a7a943d0cd8fcf08735c3e3');
  });

  it('refuses values JSON cannot represent instead of dropping them', () => {
    expect(() => canonicalJson({ a: undefined })).toThrow(/undefined/);
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/NaN/);
  });

  it('writes lines in the documented key order and checks them back', () => {
    const { line, text } = buildLine(normaliseEvent({ agentId: 'a', eventType: 'tool_call', confidence: 1, details: { b: 1, a: new Date(0) } }), fields.ts, null);
    expect(text).toBe(`{"ts":"${fields.ts}","agent_id":"a","session_id":null,"event_type":"tool_call","confidence":1,"details":{"a":"1970-01-01T00:00:00.000Z","b":1},"prev_hash":null,"hash":"${line.hash}"}`);
    expect(checkLine(text)).toEqual({ ok: true, line });
    expect(serializeLine(line)).toBe(text);
  });

  it('accepts exactly the lines whose hash the reference lineHash gives, for varied content', () => {
    const details = [{}, { 'é': 1, a: [null, { z: 1e21, b: -0.5 }], '10': 'x', '9': '\u2028' }, { s: 'quote " and \\ and \u0001' }];
    let prev: string | null = null;
    for (const [i, d] of details.entries()) {
      const { line, text } = buildLine(normaliseEvent({ agentId: i ? 'a' : null, sessionId: 's', eventType: 'x.y', confidence: i ? 0.5 : null, details: d }), fields.ts, prev);
      expect(line.hash).toBe(lineHash({ ts: line.ts, agent_id: line.agent_id, session_id: line.session_id, event_type: line.event_type, confidence: line.confidence, details: line.details, prev_hash: line.prev_hash }));
      expect(checkLine(text)).toEqual({ ok: true, line });
      prev = line.hash;
    }
  });

  it('names each kind of damage of a line', () => {
    const { text } = buildLine(normaliseEvent({ eventType: 'tool_call', details: { n: 1 } }), fields.ts, null);
    expect(checkLine(text.replace('"n":1', '"n":2'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^hash mismatch/) });
    expect(checkLine(text.replace('{"ts"', '{ "ts"'))).toMatchObject({ ok: false, reason: expect.stringMatching(/written form/) });
    expect(checkLine(text.slice(0, 40))).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid JSON/) });
    expect(checkLine('{"ts":"x"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/missing agent_id/) });
  });

  it('validates events against the rules of audit.events, collecting every problem', () => {
    expect(() => normaliseEvent({ eventType: 'Tool Call', confidence: 2, agentId: 7 as never })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/agentId must be a string.*eventType "Tool Call" must match.*confidence 2 must be/),
      }),
    );
  });

  it('makes NUL and unpaired surrogates PostgreSQL-safe, deterministically (U+2400, U+FFFD)', () => {
    const fields = normaliseEvent({ eventType: 'pause_agent', agentId: 'a\u0000b', details: { reason: 'lone \ud800 surrogate', ['k\udc00']: ['\u0000'], ok: '\ud83d\ude00' } });
    expect(fields.agent_id).toBe('a\u2400b');
    expect(fields.details).toEqual({ reason: 'lone \ufffd surrogate', ['k\ufffd']: ['\u2400'], ok: '\ud83d\ude00' });
  });
});

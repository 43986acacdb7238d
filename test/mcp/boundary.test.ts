import fc from 'fast-check';
import { checkArguments, identifierText, unsafeIdentifierChar } from '../../src/mcp/boundary';
import { closestName } from '../../src/mcp/inputErrors';
import { LIMITS } from '../../src/mcp/limits';
import { GovdbError } from '../../src/errors';

/** The boundary checks as properties over every string (units without I/O; seeded). */
const seed = 12012;

const refusal = (args: unknown): GovdbError | null => {
  try {
    checkArguments(args);
    return null;
  } catch (err) {
    return err as GovdbError;
  }
};

describe('text at the boundary', () => {
  it('a string argument is refused exactly when it holds NUL or an unpaired surrogate, naming the field, at any depth', () => {
    const units = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', '\u0000', '\ud800', '\udc00', '\ud83d', '\ude00', 'é'), maxLength: 8 }));
    fc.assert(
      fc.property(units, fc.nat({ max: 5 }), (s, depth) => {
        let value: unknown = { leaf: s };
        for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { n: value };
        const err = refusal({ field: value });
        // reference: UTF-8 round trip replaces unpaired surrogates
        const expected = s.includes('\u0000') || Buffer.from(s, 'utf8').toString('utf8') !== s;
        expect(err !== null).toBe(expected);
        if (err) {
          expect(err.code).toBe('INVALID_INPUT');
          expect(String(err.details.field)).toMatch(/^field(\.n|\[0\])*\.leaf$/);
        }
      }),
      { seed, numRuns: 2000 },
    );
  });

  it('object keys are checked like values; depth and element counts are bounded before any recursion', () => {
    expect(refusal({ details: { ['a\u0000']: 1 } })?.details.field).toBe('details.a\u0000');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refusal({ details: deep })?.code).toBe('INVALID_INPUT');
    expect(refusal({ list: Array(LIMITS.argumentElements + 1).fill(0) })?.message).toMatch(/more than/);
    expect(refusal({ text: 'x'.repeat(LIMITS.anyString + 1) })?.details.field).toBe('text');
    expect(refusal({ ok: 'x'.repeat(LIMITS.anyString), nested: { a: [1, 'b', { c: null }] } })).toBeNull();
    expect(refusal([1, 2])?.code).toBe('INVALID_INPUT');
  });

  it('identifiers refuse controls, bidi controls and zero-width characters, and come out NFC', () => {
    const schema = identifierText(200);
    const bad = fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u00ad', '\u061c', '\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202a', '\u202e', '\u2060', '\u2066', '\u2069', '\ufeff');
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), bad, fc.string({ maxLength: 10 }), (a, c, b) => {
        expect(schema.safeParse(`${a}${c}${b}`).success).toBe(false);
      }),
      { seed, numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), (s) => {
        const r = schema.safeParse(s);
        expect(r.success).toBe(unsafeIdentifierChar(s) === null && s.length <= 200);
        if (r.success) expect(r.data).toBe(r.data.normalize('NFC'));
      }),
      { seed, numRuns: 2000 },
    );
    expect(schema.parse('Cafe\u0301')).toBe('Caf\u00e9');
  });
});

describe('the closest valid name', () => {
  const names = ['summary', 'details', 'type', 'tags', 'severity', 'references_files', 'response_to', 'response_type', 'related_to', 'confidence', 'items'];
  it('finds a name from one typo away, and the listed near-misses', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names.filter((n) => n.length >= 5)), fc.nat(), fc.constantFrom('del', 'dup'), (name, at, op) => {
        const i = at % name.length;
        const typo = op === 'del' ? name.slice(0, i) + name.slice(i + 1) : name.slice(0, i) + name[i] + name.slice(i);
        expect(closestName(typo, names)).toBe(name);
      }),
      { seed, numRuns: 500 },
    );
    expect(closestName('content', names)).toBe('details');
    expect(closestName('tag', names)).toBe('tags');
    expect(closestName('discovery_type', names)).toBe('type');
    expect(closestName('conditions', ['proposed_conditions', 'agrees'])).toBe('proposed_conditions');
    expect(closestName('zzzzzzzz', names)).toBeNull();
  });
});

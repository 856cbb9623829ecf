import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonSafe } from '../../src/util/json.js';

/** JSON.stringify writes -0 as 0, and integers beyond 2^53 are the case this parser exists for. */
function normalise(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

function hasUnsafeInteger(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  if (Array.isArray(value)) return value.some(hasUnsafeInteger);
  if (value !== null && typeof value === 'object') return Object.values(value).some(hasUnsafeInteger);
  return false;
}

describe('parseJsonSafe', () => {
  it('keeps a 19-digit integer exact, as a string', () => {
    const parsed = parseJsonSafe('{"planId": 3048572026291630080, "list": [3048573759449317376]}') as {
      planId: unknown;
      list: unknown[];
    };
    expect(parsed.planId).toBe('3048572026291630080');
    expect(parsed.list).toEqual(['3048573759449317376']);
    // What JSON.parse would have made of it:
    expect(String((JSON.parse('{"planId": 3048572026291630080}') as { planId: number }).planId)).not.toBe(
      '3048572026291630080',
    );
  });

  it('keeps negative long integers and integers just past 2^53 exact', () => {
    expect(parseJsonSafe('[-3048572026291630080, 9007199254740993, 9007199254740992]')).toEqual([
      '-3048572026291630080',
      '9007199254740993',
      '9007199254740992',
    ]);
  });

  it('leaves strings, floats, exponents, negatives, safe and small integers alone', () => {
    const text =
      '{"s":"3048572026291630080","t":"a \\"quoted\\" 12345678901234567890 inside","f":1.5,' +
      '"big":12345678901234567890.5,"e":1e21,"E":-2.5E-7,"n":-42,"z":0,"ms":1730345636000,' +
      '"safe":9007199254740991,"expiresIn":"1800","nil":null,"b":true}';
    expect(parseJsonSafe(text)).toEqual({
      s: '3048572026291630080',
      t: 'a "quoted" 12345678901234567890 inside',
      f: 1.5,
      big: Number('12345678901234567890.5'),
      e: 1e21,
      E: -2.5e-7,
      n: -42,
      z: 0,
      ms: 1730345636000,
      safe: 9007199254740991,
      expiresIn: '1800',
      nil: null,
      b: true,
    });
  });

  it('finds a long integer wherever JSON allows a number: first, after whitespace, in nested arrays', () => {
    expect(parseJsonSafe('3048572026291630080')).toBe('3048572026291630080');
    expect(parseJsonSafe(' \n 3048572026291630080 ')).toBe('3048572026291630080');
    expect(parseJsonSafe('{"a":\r\n\t 3048572026291630080}')).toEqual({ a: '3048572026291630080' });
    expect(parseJsonSafe('[[1,\n  -3048572026291630080]]')).toEqual([[1, '-3048572026291630080']]);
    // A long run inside a string that looks like a value ("a:123…") leaves the string as it was.
    expect(parseJsonSafe('{"t":"a:30485720262916300801","u":[3048572026291630080]}')).toEqual({
      t: 'a:30485720262916300801',
      u: ['3048572026291630080'],
    });
  });

  it('rejects invalid JSON like JSON.parse does', () => {
    expect(() => parseJsonSafe('<html>502 Bad Gateway</html>')).toThrow(SyntaxError);
    expect(() => parseJsonSafe('{"a": 3048572026291630080')).toThrow(SyntaxError);
  });

  it('round-trips any JSON value without unsafe integers', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => !hasUnsafeInteger(v)),
        (value) => {
          expect(parseJsonSafe(JSON.stringify(value))).toEqual(normalise(value));
          expect(parseJsonSafe(JSON.stringify(value, null, 2))).toEqual(normalise(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('turns every unsafe integer into its exact decimal string, wherever it sits', () => {
    const unsafe = fc
      .bigInt({ min: -(10n ** 25n), max: 10n ** 25n })
      .filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER));
    fc.assert(
      fc.property(
        unsafe,
        fc.string().filter((k) => k !== 'after'),
        (n, key) => {
          const text = `{${JSON.stringify(key)}:[${n}],"after":${JSON.stringify(`${n}`)}}`;
          expect(parseJsonSafe(text)).toEqual({ [key]: [n.toString()], after: n.toString() });
        },
      ),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonBody, parseJsonSafe } from '../../src/util/json.js';

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

describe('parseJsonBody', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  /** What parseJsonSafe makes of the same body decoded in full, or the error it throws. */
  const reference = (body: Buffer) => {
    try {
      return { value: parseJsonSafe(body.toString('utf8')) };
    } catch (error) {
      return { error: (error as Error).name };
    }
  };
  const outcome = (body: Buffer) => {
    try {
      return { value: parseJsonBody(body) };
    } catch (error) {
      return { error: (error as Error).name };
    }
  };

  it('reads UTF-8 text in names and addresses, ASCII bodies and long integers as parseJsonSafe does', () => {
    const page =
      '{"results":[{"companyName":"Müller School GmbH","contactName":"Zoë Ångström","address":"東京都 1-2",' +
      '"planId":3048572026291630080,"createTime":1727931132893,"tags":["naïve","plain"]}]}';
    expect(parseJsonBody(bytes(page))).toEqual({
      results: [
        {
          companyName: 'Müller School GmbH',
          contactName: 'Zoë Ångström',
          address: '東京都 1-2',
          planId: '3048572026291630080',
          createTime: 1727931132893,
          tags: ['naïve', 'plain'],
        },
      ],
    });
    expect(parseJsonBody(bytes('{"ascii":"only","n":[1,2.5,-3]}'))).toEqual({
      ascii: 'only',
      n: [1, 2.5, -3],
    });
    expect(parseJsonBody(bytes('"Grüße"'))).toBe('Grüße');
    expect(parseJsonBody(bytes('9007199254740993'))).toBe('9007199254740993');
  });

  it('reads escapes beside raw UTF-8, non-ASCII keys and __proto__ as parseJsonSafe does', () => {
    expect(parseJsonBody(bytes('{"a":"\\\\u00fc and ü"}'))).toEqual({ a: '\\u00fc and ü' });
    expect(parseJsonBody(bytes('{"a":"\\u00fc and ü"}'))).toEqual({ a: 'ü and ü' });
    expect(parseJsonBody(bytes('{"Straße":"Gasse"}'))).toEqual({ Straße: 'Gasse' });
    const proto = parseJsonBody(bytes('{"__proto__":"Zoë"}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe('Zoë');
  });

  it('rejects what is not JSON, as parseJsonSafe does', () => {
    expect(() => parseJsonBody(bytes('<html>502 Bad Gateway</html>'))).toThrow(SyntaxError);
    expect(() => parseJsonBody(bytes('{"a": "Müller"'))).toThrow(SyntaxError);
    expect(() => parseJsonBody(Buffer.alloc(0))).toThrow(SyntaxError);
  });

  it("gives parseJsonSafe's answer for any JSON value, with any text and long integers in it", () => {
    const unsafe = fc.bigInt({ min: 2n ** 53n, max: 10n ** 22n });
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary', maxDepth: 3 }), fc.option(unsafe), (value, long) => {
        const json = JSON.stringify(value);
        const text = long === null ? json : `[${json},${long}]`;
        expect(outcome(bytes(text))).toEqual(reference(bytes(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes any bytes, malformed UTF-8 included, exactly as a decode of the whole body would', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (raw) => {
        const body = Buffer.from(raw);
        expect(outcome(body)).toEqual(reference(body));
        // The same bytes as a string value: JSON.parse accepts them there unless they are quotes,
        // backslashes or control characters.
        const quoted = Buffer.concat([bytes('["'), body, bytes('"]')]);
        expect(outcome(quoted)).toEqual(reference(quoted));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes malformed UTF-8 inside strings exactly as a decode of the whole body would', () => {
    // Any byte a JSON string may hold raw: no quote, backslash or control character.
    const stringByte = fc.integer({ min: 0x20, max: 0xff }).filter((b) => b !== 0x22 && b !== 0x5c);
    fc.assert(
      fc.property(
        fc.array(stringByte, { maxLength: 40 }),
        fc.array(stringByte, { maxLength: 10 }),
        (a, b) => {
          const body = Buffer.concat([
            bytes('{"a":"'),
            Buffer.from(a),
            bytes('","b":["'),
            Buffer.from(b),
            bytes('"]}'),
          ]);
          expect(outcome(body)).toEqual(reference(body));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

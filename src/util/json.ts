import { isAscii } from 'node:buffer';

/**
 * JSON.parse that keeps integers too large for a double (the API's 19-digit IDs) exact, by turning
 * every integer literal that is not a safe JavaScript integer into a string before parsing. Strings in
 * the input are skipped over, so a long number inside a quoted value is left alone; fractions and
 * exponents are left to JSON.parse (they are not IDs).
 */
export function parseJsonSafe(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

// Below 16 digits every integer is safe, so the costlier check runs only on the rare long literal.
const MIN_UNSAFE_DIGITS = 16;

function isNumberChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || c === 46 /* . */ || c === 101 /* e */ || c === 69 /* E */ || c === 43 || c === 45
  );
}

/**
 * In valid JSON a number value opens the text or follows ':', '[' or ',' (and optional whitespace), so a text with no such
 * long run has nothing to quote. The regular expression runs natively, far faster than the scan below,
 * which is left for the texts that may need it (a match may still sit inside a string).
 */
const MAYBE_LONG_INTEGER = /(?:^|[:,[])[ \t\n\r]*-?\d{16}/;

export function quoteLongIntegers(text: string): string {
  if (!MAYBE_LONG_INTEGER.test(text)) return text;
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (ch === 45 /* - */ || (ch >= 48 && ch <= 57)) {
      const start = i;
      if (ch === 45) i++;
      const digitsStart = i;
      while (i < n && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
      const digits = i - digitsStart;
      const next = i < n ? text.charCodeAt(i) : 0;
      const isPlainInteger = next !== 46 /* . */ && next !== 101 /* e */ && next !== 69; /* E */
      if (isPlainInteger) {
        if (digits >= MIN_UNSAFE_DIGITS && !Number.isSafeInteger(Number(text.slice(start, i)))) {
          out += text.slice(last, start) + '"' + text.slice(start, i) + '"';
          last = i;
        }
      } else {
        // Skip the rest of a fraction or exponent so its digits are not read as a new number.
        while (i < n && isNumberChar(text.charCodeAt(i))) i++;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

const NON_ASCII_RUN = /[\u0080-\u00ff]+/g;

/**
 * `parseJsonSafe` for a body as the server sent it (UTF-8 bytes), with the same result at about three
 * quarters of the cost for an instance page, where decoding and looking for long integers had cost as
 * much as parsing itself.
 * - Decoding: Latin-1 is a plain copy, byte for char, and exact for ASCII. The few runs of other bytes
 *   (names such as "Müller") are decoded as UTF-8 one run at a time; a run ends at an ASCII byte, where
 *   a decoder of the whole body would also end any sequence, so the text is the same.
 * - Long integers: found after parsing, as numbers beyond 2^53, instead of by a regular expression
 *   over the whole text; only then is the text parsed again the exact way.
 */
export function parseJsonBody(body: Buffer): unknown {
  const latin1 = body.toString('latin1');
  const text = isAscii(body)
    ? latin1
    : latin1.replace(NON_ASCII_RUN, (run) => Buffer.from(run, 'latin1').toString('utf8'));
  const value: unknown = JSON.parse(text);
  return hasLargeNumber(value) ? JSON.parse(quoteLongIntegers(text)) : value;
}

function isLarge(value: number): boolean {
  return value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER;
}

/** Whether a parsed value holds a number beyond 2^53 anywhere (an integer JSON.parse rounded, or not). */
function hasLargeNumber(value: unknown): boolean {
  if (typeof value === 'number') return isLarge(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value)
      if (typeof item === 'object' ? hasLargeNumber(item) : typeof item === 'number' && isLarge(item))
        return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object' ? hasLargeNumber(item) : typeof item === 'number' && isLarge(item))
      return true;
  }
  return false;
}

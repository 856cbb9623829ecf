/**
 * JSON.parse that keeps integers too large for a double (the API's 19-digit IDs) exact, by turning
 * every integer literal of 16 or more digits into a string before parsing. Strings in the input are
 * skipped over, so a long number inside a quoted value is left alone.
 */
export function parseJsonSafe(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

const LONG_INTEGER_DIGITS = 16;

export function quoteLongIntegers(text: string): string {
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
      if (digits >= LONG_INTEGER_DIGITS && isPlainInteger) {
        out += text.slice(last, start) + '"' + text.slice(start, i) + '"';
        last = i;
      } else {
        // Skip the rest of a fraction or exponent so its digits are not read as a new number.
        while (i < n && /[0-9.eE+-]/.test(text[i]!)) i++;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

import { z } from 'zod';

/**
 * The lenient field types every API record is made of. Tolerated everywhere: null, "" and missing
 * values, numbers sent as strings and IDs sent as numbers. Anything else of the wrong type is an issue
 * naming what was expected and what kind of value came, never the value itself: a record may hold an
 * activation code.
 */

/** Why a reader refused a value: the reason that becomes the issue's message. */
class Refusal {
  constructor(readonly reason: string) {}
}
const refuse = (reason: string) => new Refusal(reason);
const isAccepted = (v: unknown) => !(v instanceof Refusal);

/**
 * A field type from one reader: what a value becomes, or a Refusal saying why not. A missing key reads
 * as null. Made of zod's overwrite and refine rather than a transform: z.compile turns these into inline
 * code, where a transform costs two objects per field read, and a cycle reads about four million fields.
 */
function field<T>(read: (v: unknown) => T | Refusal): z.ZodType<T, unknown> {
  return z
    .unknown()
    .overwrite(read)
    .refine(isAccepted, { error: (issue) => (issue.input as Refusal).reason, abort: true })
    .prefault(null) as unknown as z.ZodType<T, unknown>;
}

function isBlank(v: unknown): v is null | undefined | '' {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** What kind of value came, for a message: never the value. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'number' && !Number.isFinite(v)) return 'a non-finite number';
  if (typeof v === 'number' && !Number.isSafeInteger(v) && Number.isInteger(v)) return 'an unsafe integer';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const expected = (what: string, v: unknown) => refuse(`expected ${what}, got ${kindOf(v)}`);
const missing = () => refuse('is missing or empty');

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const ISO_DATE = /^\s*\d{4}-\d{2}-\d{2}/;

function readText(v: unknown): string | null | Refusal {
  if (isBlank(v)) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return expected('text', v);
}

/** Optional text: "" becomes null; a number or boolean is kept as its text. */
export const text = field(readText);

/** Text that must be there, as text: an answer's code, a token, an activation code. */
export const requiredText = field((v) => {
  if (typeof v === 'string' && v.trim() !== '') return v;
  return isBlank(v) ? missing() : expected('text', v);
});

function readId(v: unknown): string | null | Refusal {
  if (isBlank(v)) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return expected('an ID (string or integer)', v);
}

/** An ID: always a string, whether it came quoted, as a safe integer, or as a bigint. */
export const id = field(readId);

export const requiredId = field((v) => readId(v) ?? missing());

/** The SN of an instance: required, text or a safe integer. */
export const productNo = field((v) => {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return isBlank(v) ? missing() : expected('the SN as text', v);
});

/** Epoch milliseconds from a number, a numeric string, or (leniently) an ISO 8601 date. */
export const epochMs = field((v) => {
  if (isBlank(v)) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    if (NUMERIC.test(v)) return Number(v);
    if (ISO_DATE.test(v)) {
      const ms = Date.parse(v);
      if (Number.isFinite(ms)) return ms;
    }
  }
  return expected('epoch milliseconds', v);
});

export const num = field((v) => {
  if (isBlank(v)) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return expected('a number', v);
});

/** The API's 0/1 switches (booleans and "0"/"1" accepted too). */
export const flag = field((v) => {
  if (isBlank(v)) return null;
  if (v === 1 || v === true || v === '1' || v === 'true') return true;
  if (v === 0 || v === false || v === '0' || v === 'false') return false;
  return expected('0 or 1', v);
});

/** A list of words such as billing cycles or purchase types; blanks are dropped. */
export const stringList = field((v) => {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) return expected('a list', v);
  const out: string[] = [];
  for (const entry of v) {
    if (isBlank(entry)) continue;
    if (typeof entry !== 'string' && typeof entry !== 'number') {
      return refuse(`expected a list of text, got ${kindOf(entry)} in it`);
    }
    out.push(String(entry));
  }
  return out;
});

/** A list kept as it came (entries not read); null or missing is an empty list. */
export const anyList = field((v) => {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : expected('a list', v);
});

/** The entries of a list: null or missing is an empty list, and null entries are dropped. */
const entries = field((v) => {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) return expected('a list', v);
  return v.includes(null) || v.includes(undefined) ? v.filter((e) => e !== null && e !== undefined) : v;
});

/** A list of `item`s, read as `entries` says (an issue's index counts the entries kept). */
export function list<T extends z.ZodType>(item: T) {
  return entries.pipe(z.array(item));
}

/** An object of the API: the message for a value that is not an object says what it was. */
export function object<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.object(shape, {
    error: (issue) =>
      issue.input === undefined ? 'is missing' : `expected an object, got ${kindOf(issue.input)}`,
  });
}

/** An object that may be missing or null (null then). */
export function optionalObject<T extends z.core.$ZodLooseShape>(shape: T) {
  return object(shape).nullable().prefault(null);
}

/** A key the caller fills in after reading, holding its place in the key order meanwhile. */
export const filledInLater = field((): string => '');

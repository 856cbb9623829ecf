import type { z } from 'zod';

/** Why a body could not be used; `field` is a path such as `results[3].productNo` ('' = the whole value). */
export class SchemaError extends Error {
  override name = 'SchemaError';
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    super(field ? `${field}: ${reason}` : reason);
    this.field = field;
    this.reason = reason;
  }
}

/** `serviceList[0].serviceExpireDate` from zod's `['serviceList', 0, 'serviceExpireDate']`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The first problem zod found, as a field and a reason; the count of the others is appended. */
export function firstIssue(error: z.ZodError): { field: string; reason: string } {
  const first = error.issues[0];
  if (!first) return { field: '', reason: 'invalid value' };
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return { field: formatPath(first.path), reason: first.message + more };
}

/** `at` and a path below it joined: `result` + `[3].x` → `result[3].x`, `result` + `x` → `result.x`. */
export function joinField(at: string, field: string): string {
  if (!at) return field;
  if (!field) return at;
  return field.startsWith('[') ? at + field : `${at}.${field}`;
}

/** Parses or throws a `SchemaError` whose field is prefixed with `at` (e.g. `result`). */
export function parseWith<T extends z.ZodType>(schema: T, raw: unknown, at = ''): z.output<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { field, reason } = firstIssue(parsed.error);
  throw new SchemaError(joinField(at, field), reason);
}

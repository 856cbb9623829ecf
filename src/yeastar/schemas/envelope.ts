import { z } from 'zod';
import { num, object, requiredText, text } from './fields.js';
import { parseWith } from './schema-error.js';

/** What every answer of the API is wrapped in. */
export type Envelope = {
  code: string;
  detailMessage: string;
  requestId: string;
  result: unknown;
  status: number | null;
};

// Compiled: every answer has one (see instances.ts).
const envelopeSchema = z.compile(
  object({
    code: requiredText,
    detailMessage: text,
    requestId: text,
    result: z.unknown().optional(),
    status: num,
  }),
);

/** `{ code, detailMessage, requestId, result, status }`; anything else is a SchemaError. */
export function parseEnvelope(raw: unknown): Envelope {
  const e = parseWith(envelopeSchema, raw);
  return {
    code: e.code,
    detailMessage: e.detailMessage ?? '',
    requestId: e.requestId ?? '',
    result: e.result,
    status: e.status,
  };
}

export type TokenResult = {
  token: string;
  tokenHead: string;
  /** Seconds the access token lives, when the API said (it sends a string). */
  expiresInSeconds: number | null;
  refreshToken: string | null;
};

const tokenSchema = object({
  token: requiredText,
  tokenHead: text,
  expiresIn: num,
  refreshToken: text,
});

export function parseTokenResult(raw: unknown): TokenResult {
  const t = parseWith(tokenSchema, raw, 'result');
  return {
    token: t.token,
    tokenHead: t.tokenHead ?? 'Bearer ',
    expiresInSeconds: t.expiresIn !== null && t.expiresIn > 0 ? t.expiresIn : null,
    refreshToken: t.refreshToken,
  };
}

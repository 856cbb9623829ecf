import { parseJsonBody } from '../util/json.js';
import { YeastarApiError, YeastarResponseError, YeastarTransportError } from './errors.js';
import { type Envelope, parseEnvelope, SchemaError } from './schemas.js';

/**
 * An API answer read the one way every caller reads it (the client's look-ups and pages, the order API):
 * its envelope, then every outcome other than a usable `success` as the error family says it.
 */

/** The answer's envelope, or undefined when the body is not a JSON envelope. */
export function envelopeOf(body: Buffer): Envelope | undefined {
  try {
    return parseEnvelope(parseJsonBody(body));
  } catch {
    // Not an envelope: what that means depends on the HTTP status, decided by successOf.
    return undefined;
  }
}

/** The envelope of a `success` answer; anything else thrown as a YeastarApiError, ResponseError or TransportError. */
export function successOf(
  endpoint: string,
  statusCode: number,
  envelope: Envelope | undefined,
  retryAfterMs?: number,
): Envelope {
  const retryable = statusCode >= 500 || statusCode === 429;
  if (!envelope) {
    if (statusCode >= 200 && statusCode < 300) {
      // A 200 whose body is not an envelope is a broken answer, not a passing hiccup: not retried.
      throw new YeastarResponseError(
        `${endpoint} answered ${statusCode} with a body that is not a JSON envelope`,
        {
          endpoint,
          field: 'body',
        },
      );
    }
    throw new YeastarTransportError(`${endpoint} answered HTTP ${statusCode} without an envelope`, {
      endpoint,
      statusCode,
      retryable,
      ...(retryAfterMs !== undefined ? { retryAfterSeconds: retryAfterMs / 1000 } : {}),
    });
  }
  if (envelope.code !== 'success') {
    const status = envelope.status ?? statusCode;
    throw new YeastarApiError({
      endpoint,
      code: envelope.code,
      status,
      detailMessage: envelope.detailMessage,
      requestId: envelope.requestId,
      details: envelope.result,
      retryable: retryable || status >= 500 || status === 429,
    });
  }
  return envelope;
}

/** A success's result read by `parse`; a result that does not fit is a YeastarResponseError naming the field. */
export function resultOf<T>(
  endpoint: string,
  envelope: Envelope,
  parse: (result: unknown, envelope: Envelope) => T,
): T {
  try {
    return parse(envelope.result, envelope);
  } catch (error) {
    if (!(error instanceof SchemaError)) throw error;
    throw new YeastarResponseError(`${endpoint} answered with an unusable ${error.message}`, {
      endpoint,
      field: error.field,
      requestId: envelope.requestId,
    });
  }
}

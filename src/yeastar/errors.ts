import { redactText } from '../logger.js';

/**
 * The client's error family. Every error names the endpoint (the path template, never a URL with a
 * token or an SN's activation code in it) and, when the API answered, its `requestId`: Yeastar
 * support finds a request by it. Messages pass through `redactText`, so no token can ride along.
 */
export class YeastarError extends Error {
  override name = 'YeastarError';
  readonly endpoint: string;
  readonly requestId: string | undefined;
  /** Whether trying the same request again may succeed (network, timeout, 5xx, 429). */
  readonly retryable: boolean;

  constructor(
    message: string,
    options: { endpoint: string; requestId?: string; retryable?: boolean; cause?: unknown },
  ) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.endpoint = options.endpoint;
    this.requestId = options.requestId || undefined;
    this.retryable = options.retryable ?? false;
  }
}

/** The API answered with an envelope whose `code` is not `success`. */
export class YeastarApiError extends YeastarError {
  override name = 'YeastarApiError';
  readonly code: string;
  readonly status: number;
  readonly detailMessage: string;
  /** What `result` carried with the error (often the field that failed), when anything. */
  readonly details: unknown;

  constructor(options: {
    endpoint: string;
    code: string;
    status: number;
    detailMessage: string;
    requestId?: string;
    details?: unknown;
    retryable?: boolean;
  }) {
    super(
      `${options.endpoint} failed: ${options.code} (status ${options.status})` +
        (options.detailMessage ? `: ${options.detailMessage}` : '') +
        (options.requestId ? ` [requestId ${options.requestId}]` : ''),
      options,
    );
    this.code = options.code;
    this.status = options.status;
    this.detailMessage = redactText(options.detailMessage);
    this.details = options.details;
  }

  /** The API's way of saying the access token is invalid or expired. */
  get isTokenError(): boolean {
    return this.status === 401 || /token/i.test(this.code);
  }
}

/** No usable answer: connection refused or reset, a timeout, or an HTTP error without an envelope. */
export class YeastarTransportError extends YeastarError {
  override name = 'YeastarTransportError';
  readonly statusCode: number | undefined;
  /** Seconds the server asked us to wait (429 Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    message: string,
    options: {
      endpoint: string;
      statusCode?: number;
      retryAfterSeconds?: number;
      requestId?: string;
      retryable: boolean;
      cause?: unknown;
    },
  ) {
    super(message, options);
    this.statusCode = options.statusCode;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The answer arrived but cannot be used: not JSON, not an envelope, or a required field missing. */
export class YeastarResponseError extends YeastarError {
  override name = 'YeastarResponseError';
  /** The path of the offending field, such as `result.results[3].productNo`. */
  readonly field: string;

  constructor(message: string, options: { endpoint: string; field: string; requestId?: string }) {
    super(message, { ...options, retryable: false });
    this.field = options.field;
  }
}

/** No access token could be had: the credentials were refused, or none are configured. */
export class YeastarAuthError extends YeastarError {
  override name = 'YeastarAuthError';
  readonly code: string | undefined;

  constructor(
    message: string,
    options: { endpoint: string; code?: string; requestId?: string; cause?: unknown },
  ) {
    super(message, { ...options, retryable: false });
    this.code = options.code;
  }
}

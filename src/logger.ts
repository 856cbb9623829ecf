import { type DestinationStream, destination, type Logger, pino, stdTimeFunctions } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are secrets wherever they appear in a log record. Matching is on the key, case
 * and separators ignored, so `refresh_token`, `refreshToken` and `RefreshToken` are all caught.
 */
const SECRET_KEYS = new Set(
  [
    'token',
    'accesstoken',
    'refreshtoken',
    'clientsecret',
    'secret',
    'signingsecret',
    'bottoken',
    'apptoken',
    'authorization',
    'password',
    'activationcode',
    'cookie',
  ].map((k) => k.toLowerCase()),
);

/**
 * Secret-looking text inside strings (error messages, URLs): JWTs (the API's access tokens), Slack
 * tokens, and bearer headers. Activation codes have no fixed shape, so they are kept out of strings at
 * the source (the client never puts one in a message) and caught here by key.
 */
const SECRET_PATTERNS: RegExp[] = [
  /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g,
  /xox[abposr]-[\w-]+/g,
  /xapp-[\w-]+/g,
  /(bearer\s+)[^\s"']+/gi,
  /((?:refresh_token|client_secret|access_token|token)=)[^&\s"']+/gi,
];

export const REDACTED = '[redacted]';

export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (_match, prefix?: string) =>
      typeof prefix === 'string' && /=|\s$/.test(prefix) ? prefix + REDACTED : REDACTED,
    );
  }
  return out;
}

function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.replace(/[-_\s]/g, '').toLowerCase());
}

/** What an error contributes to a log line besides its name, message and stack: the fields our error
 * families and Slack's carry. Everything else on an error (request objects, sockets, buffers) is noise. */
const ERROR_FIELDS = [
  'code',
  'status',
  'statusCode',
  'requestId',
  'endpoint',
  'method',
  'field',
  'detailMessage',
  'retryable',
  'retryAfterSeconds',
  'retryAfter',
] as const;

const MAX_DEPTH = 8;
const MAX_ITEMS = 50;
const MAX_STRING = 4_000;

/**
 * Errors that say everything in their message and fields: the API's and Slack's (a `code`), ours (an
 * `endpoint`), the system's (ECONNREFUSED…), and BullMQ's "no retry" wrapper of them. Their stack is
 * the same few frames every time and only makes the line long; a bug's error keeps its stack.
 */
function isOperational(error: Error, bag: Record<string, unknown>): boolean {
  return (
    typeof bag.code === 'string' || typeof bag.endpoint === 'string' || error.name === 'UnrecoverableError'
  );
}

function errorFields(error: Error): Record<string, unknown> {
  const bag = error as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: error.name, message: error.message };
  if (!isOperational(error, bag)) out.stack = error.stack;
  for (const key of ERROR_FIELDS) if (bag[key] !== undefined) out[key] = bag[key];
  // Slack's Web API errors keep the API's own error code in `data.error`.
  const data = bag.data as { error?: unknown } | undefined;
  if (data && typeof data === 'object' && data.error !== undefined) out.slackError = data.error;
  if (error.cause !== undefined) out.cause = error.cause;
  return out;
}

/** A copy of `value` with secret keys and secret-looking strings replaced; cycles are cut, and depth,
 * list length and string length are bounded so one odd object cannot flood the log. */
export function redactDeep(value: unknown, seen = new WeakSet<object>(), depth = 0): unknown {
  if (typeof value === 'string') {
    const text = value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
    return redactText(text);
  }
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  seen.add(value);
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ITEMS).map((v) => redactDeep(v, seen, depth + 1));
    if (value.length > MAX_ITEMS) items.push(`[${value.length - MAX_ITEMS} more]`);
    return items;
  }
  if (ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  const source: Record<string, unknown> =
    value instanceof Error ? errorFields(value) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(source)) {
    out[key] =
      isSecretKey(key) && inner !== null && inner !== undefined && inner !== ''
        ? REDACTED
        : redactDeep(inner, seen, depth + 1);
  }
  return out;
}

export type LoggerOptions = {
  level?: string;
  /** Where JSON lines go; stdout when omitted. Tests pass a stream they read back. */
  destination?: DestinationStream;
  name?: string;
};

/** A pino logger whose every argument passes through `redactDeep` before it is written. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name ?? 'yeastar-renewal-bot',
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors are already turned into plain, redacted objects by the hook below; pino's own serializer
      // would append every cause's message to the message a second time.
      serializers: { err: (value: unknown) => value },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((arg) => redactDeep(arg)) as Parameters<typeof method>;
          method.apply(this, cleaned);
        },
      },
    },
    options.destination ?? destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nothing: for code paths whose caller did not pass one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

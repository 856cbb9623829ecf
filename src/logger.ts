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

/** A copy of `value` with secret keys and secret-looking strings replaced; cycles are cut. */
export function redactDeep(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, seen));
  const source: Record<string, unknown> =
    value instanceof Error
      ? {
          type: value.name,
          message: value.message,
          stack: value.stack,
          ...Object.fromEntries(Object.entries(value)),
          ...(value.cause !== undefined ? { cause: value.cause } : {}),
        }
      : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(source)) {
    out[key] =
      isSecretKey(key) && inner !== null && inner !== undefined && inner !== ''
        ? REDACTED
        : redactDeep(inner, seen);
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

import { existsSync } from 'node:fs';
import cronParser from 'cron-parser';
import { z } from 'zod';
import { OperatorError } from './operator-error.js';

/**
 * Every setting the bot reads, in one frozen object. The environment is the only source; `.env` is
 * loaded into it (without overriding what is already set) by `loadDotEnv`. Bad values stop the process
 * with one line per variable naming it and what it expected, all at once; a secret's value is never echoed.
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `90s`, `15m`, `1h`, `2d`, `500ms` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]) * DURATION_UNITS[match[2] ?? 'ms']!;
  return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
}

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => /^[a-z][a-z0-9+.-]*:\/\//i.test(v) && URL.canParse(v), 'a URL such as ' + fallback);

const port = (fallback: number) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 0 && Number(v) <= 65_535, 'a TCP port from 0 to 65535')
    .transform(Number);

const positiveInt = (fallback: number, what: string) =>
  z
    .string()
    .trim()
    .default(String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) >= 1, what)
    .transform(Number);

const duration = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .refine((v) => parseDuration(v) !== undefined, 'a duration such as 30s, 15m, 1h or 1d')
    .transform((v) => parseDuration(v)!);

const alertDays = z
  .string()
  .trim()
  .default('30,14,7,3,1')
  .refine(
    (v) => v.split(',').every((d) => /^\s*\d+\s*$/.test(d) && Number(d) >= 1 && Number(d) <= 3650),
    'a comma-separated list of whole days from 1 to 3650, such as 30,14,7,3,1',
  )
  .transform((v) => [...new Set(v.split(',').map((d) => Number(d.trim())))].sort((a, b) => b - a));

const slackUserIds = z
  .string()
  .trim()
  .default('')
  .refine(
    (v) => v === '' || v.split(',').every((id) => /^[UW][A-Z0-9]{2,}$/.test(id.trim())),
    'a comma-separated list of Slack user IDs such as U012ABCDEF',
  )
  .transform((v) =>
    v === ''
      ? []
      : v
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
  );

const timeZone = z
  .string()
  .trim()
  .default('UTC')
  .refine((v) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: v });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as UTC or Europe/Berlin');

/**
 * Why `pattern` is no cron pattern the scheduler can run, or undefined when it is one: five or six fields
 * that cron-parser (what BullMQ's job schedulers use) reads, checked at start rather than at the first
 * cycle. cron-parser's reason names the field and the range it expected.
 */
export function cronProblem(pattern: string): string | undefined {
  const example = 'a cron pattern of 5 or 6 fields, such as 0 * * * *';
  if (!/^\S+(\s+\S+){4,5}$/.test(pattern)) return example;
  try {
    cronParser.parseExpression(pattern);
    return undefined;
  } catch (error) {
    return `${example} (${error instanceof Error ? error.message : String(error)})`;
  }
}

const cron = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .superRefine((v, ctx) => {
    const problem = v === undefined ? undefined : cronProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const envSchema = z.object({
  YEASTAR_BASE_URL: url('https://openapi.partner.yeastar.com'),
  YEASTAR_CLIENT_ID: optionalText,
  YEASTAR_CLIENT_SECRET: optionalText,
  YEASTAR_USER_AGENT: z.string().trim().min(1, 'a non-empty User-Agent').default('OpenAPI'),
  YEASTAR_CONCURRENCY: positiveInt(8, 'a whole number of parallel API requests, at least 1'),
  YEASTAR_PAGE_SIZE: positiveInt(100, 'a whole number of instances per page, at least 1').refine(
    (v) => v <= 100,
    'at most 100 instances per page',
  ),
  PORTAL_URL: url('https://partner.yeastar.com'),
  REDIS_URL: url('redis://127.0.0.1:6379').refine(
    (v) => /^rediss?:\/\//.test(v),
    'a redis:// or rediss:// URL',
  ),
  REDIS_MODE: z.enum(['single', 'cluster']).default('single'),
  REDIS_TLS_CA_FILE: optionalText,
  SLACK_BOT_TOKEN: optionalText.refine(
    (v) => v === undefined || /^xox[bp]-/.test(v),
    'a bot token starting with xoxb-',
  ),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText.refine(
    (v) => v === undefined || v.startsWith('xapp-'),
    'an app token starting with xapp-',
  ),
  SLACK_API_URL: url('https://slack.com/api/').transform((v) => (v.endsWith('/') ? v : v + '/')),
  SLACK_ALERT_CHANNEL: optionalText.refine(
    (v) => v === undefined || /^[CGD][A-Z0-9]{2,}$/.test(v),
    'a Slack channel ID such as C012ABCDEF (not a #name)',
  ),
  SLACK_POSTS_PER_SECOND: positiveInt(1, 'a whole number of messages per second per channel, at least 1'),
  SLACK_BURST: positiveInt(5, 'a whole number of messages a channel may take at once, at least 1'),
  SLACK_OPS_CHANNEL: optionalText.refine(
    (v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v),
    'a Slack channel ID such as C012ABCDEF (not a #name)',
  ),
  ROUTES_FILE: optionalText,
  REMIND_EVERY: duration('24h'),
  META_FAIL_AFTER: positiveInt(3, 'a whole number of failed cycles in a row, at least 1'),
  PORT: port(3000),
  ALERT_DAYS: alertDays,
  ALERT_RETENTION: duration('30d'),
  POLL_EVERY: duration('1h'),
  POLL_CRON: cron,
  ACTIVATION_ALLOWED_USERS: slackUserIds,
  RENEW_MODE: z.enum(['off', 'dry-run', 'live'], { error: 'one of off, dry-run, live' }).default('off'),
  RENEW_ALLOWED_USERS: slackUserIds,
  RENEW_APPROVERS: slackUserIds,
  DIGEST_OVER: positiveInt(10, 'a whole number of messages, at least 1'),
  TZ: timeZone,
  QUEUE_PREFIX: z
    .string()
    .trim()
    .default('yeastar')
    .refine((v) => /^[A-Za-z0-9:_{}.-]+$/.test(v), 'letters, digits and : _ { } . - only'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SIM_PORT: port(4010),
  REDIS_CONNECT_TIMEOUT: duration('20s'),
  STOP_GRACE: duration('30s'),
  FORECAST_DAYS: positiveInt(90, 'a whole number of days from 1 to 365').refine(
    (v) => v <= 365,
    'at most 365 days',
  ),
  // Unset: Monday 08:00; set but empty: no weekly forecast.
  FORECAST_CRON: z
    .string()
    .trim()
    .default('0 8 * * 1')
    .superRefine((v, ctx) => {
      const problem = v === '' ? undefined : cronProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}, or empty for never` });
    })
    .transform((v) => (v === '' ? undefined : v)),
  SLACK_FORECAST_CHANNEL: optionalText.refine(
    (v) => v === undefined || /^[CG][A-Z0-9]{2,}$/.test(v),
    'a Slack channel ID such as C012ABCDEF (not a #name)',
  ),
});

export type Config = Readonly<{
  yeastar: Readonly<{
    baseUrl: string;
    clientId: string | undefined;
    clientSecret: string | undefined;
    userAgent: string;
    concurrency: number;
    pageSize: number;
  }>;
  portalUrl: string;
  redisUrl: string;
  /** `cluster`: REDIS_URL is a seed node of a Redis Cluster (see src/ops/redis-factory.ts). */
  redisMode: 'single' | 'cluster';
  /** A PEM file of the CA that signed the Redis server's certificate (a self-signed one), for rediss://. */
  redisTlsCaFile: string | undefined;
  slack: Readonly<{
    botToken: string | undefined;
    signingSecret: string | undefined;
    appToken: string | undefined;
    apiUrl: string;
    alertChannel: string | undefined;
    activationAllowedUsers: readonly string[];
    postsPerSecond: number;
    burst: number;
    /** Where the bot's alerts about itself go: SLACK_OPS_CHANNEL, else the alert channel. */
    opsChannel: string | undefined;
  }>;
  /** Renewing from Slack: `off` shows nothing; `dry-run` shows the order instead of sending it. */
  renew: Readonly<{
    mode: 'off' | 'dry-run' | 'live';
    allowedUsers: readonly string[];
    /** When set, an order waits for an Approve click by one of these (someone other than the requester). */
    approvers: readonly string[];
  }>;
  routesFile: string | undefined;
  remindEveryMs: number;
  metaFailAfter: number;
  port: number;
  alertDays: readonly number[];
  alertRetentionMs: number;
  pollEveryMs: number;
  pollCron: string | undefined;
  digestOver: number;
  timeZone: string;
  queuePrefix: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  simPort: number;
  /** How long `start` and `check` try to reach Redis before they give up with one line. */
  redisConnectTimeoutMs: number;
  /** How long a stop may take (SIGTERM/SIGINT) before the process exits with the jobs in hand abandoned. */
  stopGraceMs: number;
  /** The renewal forecast (README: Renewal forecast). */
  forecast: Readonly<{
    /** FORECAST_DAYS: how far ahead the forecast looks, and the most a command may ask for. */
    days: number;
    /** FORECAST_CRON in TZ; undefined: no weekly forecast. */
    cron: string | undefined;
    /** SLACK_FORECAST_CHANNEL, else the alert channel. */
    channel: string | undefined;
  }>;
}>;

/** The variables `loadConfig` reads: the single list that `.env.example` and the README must match. */
export const CONFIG_VARIABLES = Object.freeze(Object.keys(envSchema.shape));

export type ConfigProblem = { variable: string; expected: string };

/** One line per bad variable: `Invalid setting NAME: expected …`. `variable` and `expected` are the first's. */
export class ConfigError extends OperatorError {
  override name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(
    readonly variable: string,
    readonly expected: string,
    others: readonly ConfigProblem[] = [],
  ) {
    const problems = [{ variable, expected }, ...others];
    super(problems.map((p) => `Invalid setting ${p.variable}: expected ${p.expected}`).join('\n'));
    this.problems = problems;
  }
}

/** Every bad variable once, in the schema's order, with what it expected (never its value). */
function problemsOf(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const byVariable = new Map<string, string>();
  for (const issue of issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (byVariable.has(variable)) continue;
    // Our messages say what is expected and never quote the value; zod's enum message quotes what it
    // received, so it is replaced.
    byVariable.set(
      variable,
      issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : issue.message,
    );
  }
  return [...byVariable].map(([variable, expected]) => ({ variable, expected }));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * On a Redis Cluster every key of a queue, and every key a Lua script or MULTI touches, must hash to one
 * slot: BullMQ's scripts take several keys of a queue, and the alert store and cycle state use MULTI and
 * scripts across their keys. A prefix with a hash tag (`{yeastar}`) puts all of them in one slot; a
 * prefix without one is wrapped whole, so `yeastar` becomes `{yeastar}`.
 */
export function clusterPrefix(prefix: string): string {
  return /\{[^{}]+\}/.test(prefix) ? prefix : `{${prefix}}`;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  /** Settings the command about to run cannot do without: reported with the malformed ones, at once. */
  required: readonly RequiredSetting[] = [],
): Config {
  const input: Record<string, string | undefined> = {};
  for (const name of CONFIG_VARIABLES) input[name] = env[name];
  const parsed = envSchema.safeParse(input);
  const problems = parsed.success ? [] : problemsOf(parsed.error.issues);
  const named = new Set(problems.map((p) => p.variable));
  for (const variable of required) {
    if (!named.has(variable) && !env[variable]?.trim())
      problems.push({ variable, expected: REQUIRED_EXPECTED });
  }
  const [first, ...others] = problems;
  if (first || !parsed.success) throw new ConfigError(first!.variable, first!.expected, others);
  const e = parsed.data;
  return deepFreeze({
    yeastar: {
      baseUrl: e.YEASTAR_BASE_URL.replace(/\/+$/, ''),
      clientId: e.YEASTAR_CLIENT_ID,
      clientSecret: e.YEASTAR_CLIENT_SECRET,
      userAgent: e.YEASTAR_USER_AGENT,
      concurrency: e.YEASTAR_CONCURRENCY,
      pageSize: e.YEASTAR_PAGE_SIZE,
    },
    portalUrl: e.PORTAL_URL.replace(/\/+$/, ''),
    redisUrl: e.REDIS_URL,
    redisMode: e.REDIS_MODE,
    redisTlsCaFile: e.REDIS_TLS_CA_FILE,
    slack: {
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
      alertChannel: e.SLACK_ALERT_CHANNEL,
      activationAllowedUsers: e.ACTIVATION_ALLOWED_USERS,
      postsPerSecond: e.SLACK_POSTS_PER_SECOND,
      burst: e.SLACK_BURST,
      opsChannel: e.SLACK_OPS_CHANNEL ?? e.SLACK_ALERT_CHANNEL,
    },
    renew: { mode: e.RENEW_MODE, allowedUsers: e.RENEW_ALLOWED_USERS, approvers: e.RENEW_APPROVERS },
    routesFile: e.ROUTES_FILE,
    remindEveryMs: e.REMIND_EVERY,
    metaFailAfter: e.META_FAIL_AFTER,
    port: e.PORT,
    alertDays: e.ALERT_DAYS,
    alertRetentionMs: e.ALERT_RETENTION,
    pollEveryMs: e.POLL_EVERY,
    pollCron: e.POLL_CRON,
    digestOver: e.DIGEST_OVER,
    timeZone: e.TZ,
    queuePrefix: e.REDIS_MODE === 'cluster' ? clusterPrefix(e.QUEUE_PREFIX) : e.QUEUE_PREFIX,
    logLevel: e.LOG_LEVEL,
    simPort: e.SIM_PORT,
    redisConnectTimeoutMs: e.REDIS_CONNECT_TIMEOUT,
    stopGraceMs: e.STOP_GRACE,
    forecast: {
      days: e.FORECAST_DAYS,
      cron: e.FORECAST_CRON,
      channel: e.SLACK_FORECAST_CHANNEL ?? e.SLACK_ALERT_CHANNEL,
    },
  });
}

/** Fails naming every one of `variables` that a mode needs and the environment left empty. */
export type RequiredSetting =
  | 'YEASTAR_CLIENT_ID'
  | 'YEASTAR_CLIENT_SECRET'
  | 'SLACK_BOT_TOKEN'
  | 'SLACK_SIGNING_SECRET'
  | 'SLACK_ALERT_CHANNEL';

const REQUIRED_EXPECTED = 'a value (it is required here and was empty or unset)';

export function requireSettings(config: Config, variables: readonly RequiredSetting[]): void {
  const values: Record<(typeof variables)[number], string | undefined> = {
    YEASTAR_CLIENT_ID: config.yeastar.clientId,
    YEASTAR_CLIENT_SECRET: config.yeastar.clientSecret,
    SLACK_BOT_TOKEN: config.slack.botToken,
    SLACK_SIGNING_SECRET: config.slack.signingSecret,
    SLACK_ALERT_CHANNEL: config.slack.alertChannel,
  };
  const [first, ...others] = variables
    .filter((name) => !values[name])
    .map((variable) => ({ variable, expected: REQUIRED_EXPECTED }));
  if (first) throw new ConfigError(first.variable, first.expected, others);
}

/** Loads `.env` from the working directory into `process.env` without overriding what is set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * The longest time between two scheduled cycles: POLL_EVERY, or for POLL_CRON the largest gap among its
 * next occurrences in TZ (a weekday-only pattern has a weekend gap). Health checks allow twice this.
 */
export function longestPollGapMs(config: Config, now = Date.now()): number {
  if (!config.pollCron) return config.pollEveryMs;
  const occurrences = cronParser.parseExpression(config.pollCron, {
    tz: config.timeZone,
    currentDate: new Date(now),
  });
  let previous = occurrences.next().getTime();
  let longest = 0;
  for (let i = 0; i < 16; i++) {
    const next = occurrences.next().getTime();
    longest = Math.max(longest, next - previous);
    previous = next;
  }
  return longest;
}

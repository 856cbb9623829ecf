import { readFileSync } from 'node:fs';
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { OperatorError } from '../operator-error.js';
import { parseQuietHours, type QuietHours } from './quiet-hours.js';
import type { Evaluation, Severity, Stage } from './types.js';

/**
 * Which Slack channels an alert goes to (`ROUTES_FILE`). The file is YAML (JSON is YAML too): an ordered
 * list of routes, under `routes:` or at the top level. The first route that matches wins, unless it says
 * `continue: true`, in which case the routes after it are tried too; every matching route adds its
 * channels. See examples/routes.example.yml for the fields.
 *
 * Customer patterns are globs, matched case-insensitively against the whole company name and the whole
 * customer email: `*` is any text (also none), `?` one character, everything else is literal. A pattern
 * without `*` or `?` is an exact match. Regular expressions are refused so that a pattern means the same
 * thing to whoever reads the file.
 *
 * The file is checked completely at start: any mistake stops the bot with `file:line: reason`.
 */

export type CustomerPattern = { pattern: string; regex: RegExp };

/** Each matcher is null when the route does not filter on it; a route with no matchers matches all. */
export type RouteMatch = {
  productIds: string[] | null;
  customers: CustomerPattern[] | null;
  stages: Stage[] | null;
  severities: Severity[] | null;
};

export type Route = {
  name: string;
  match: RouteMatch;
  /** Slack channel IDs (`C…`, `G…`), deduplicated, in the file's order. */
  channels: string[];
  continue: boolean;
  /** User group (`S…`) and user (`U…`, `W…`) IDs named in reminders at `1d` and `expired`. */
  mention: string[];
  quietHours: QuietHours | null;
};

export type RouteTarget = { channel: string; route: Route | null };

export class RoutesFileError extends OperatorError {
  override name = 'RoutesFileError';
  constructor(
    readonly file: string,
    /** 1-based; null when the problem is the file as a whole (unreadable). */
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${reason}`);
  }
}

export type ParseRoutesOptions = {
  /** `ALERT_DAYS`: when given, a stage such as `5d` that no threshold produces is refused. */
  thresholds?: readonly number[];
};

const ROUTE_FIELDS = ['name', 'match', 'channels', 'continue', 'mention', 'quietHours'] as const;
const MATCH_FIELDS = ['productIds', 'customers', 'stages', 'severities'] as const;
const SEVERITIES: readonly Severity[] = ['critical', 'high', 'warning', 'info'];
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;
const MENTION_ID = /^[SUW][A-Z0-9]{2,}$/;

class Checker {
  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  lineOf(node: Node | null | undefined): number | null {
    const offset = node?.range?.[0];
    return offset === undefined ? null : this.lines.linePos(offset).line;
  }

  fail(node: Node | null | undefined, reason: string): never {
    throw new RoutesFileError(this.file, this.lineOf(node) ?? 1, reason);
  }

  /** A scalar or a list of scalars, as a non-empty list of their nodes. */
  list(node: Node, what: string): Node[] {
    const items = isSeq(node) ? (node.items as Node[]) : [node];
    if (isSeq(node) && items.length === 0) {
      this.fail(node, `${what} is an empty list, which matches nothing: remove it to match everything`);
    }
    for (const item of items) {
      if (isAlias(item)) this.fail(item, 'YAML aliases are not supported in a routes file');
      if (!isScalar(item) || item.value === null || typeof item.value === 'object') {
        this.fail(item, `${what} must be a value or a list of values`);
      }
    }
    return items;
  }

  text(node: Node, what: string): string {
    const value = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string' || value.trim() === '') this.fail(node, `${what} must be non-empty text`);
    return value.trim();
  }

  /** Keys checked against `allowed`; values by key. */
  fields<K extends string>(map: YAMLMap, allowed: readonly K[], where: string): Map<K, Node> {
    const out = new Map<K, Node>();
    for (const pair of map.items) {
      const keyNode = pair.key as Node;
      const key = isScalar(keyNode) ? keyNode.value : undefined;
      if (typeof key !== 'string' || !(allowed as readonly string[]).includes(key)) {
        const shown = typeof key === 'string' || typeof key === 'number' ? `"${key}"` : 'a non-text key';
        this.fail(keyNode, `unknown field ${shown} in ${where} (expected one of: ${allowed.join(', ')})`);
      }
      const value = pair.value as Node | null;
      if (value === null || (isScalar(value) && value.value === null)) {
        this.fail(keyNode, `field "${key}" has no value`);
      }
      if (isAlias(value)) this.fail(value, 'YAML aliases are not supported in a routes file');
      out.set(key as K, value);
    }
    return out;
  }
}

function globRegex(pattern: string): RegExp {
  const body = Array.from(pattern, (ch) =>
    ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&'),
  ).join('');
  return new RegExp(`^${body}$`, 'is');
}

function parseCustomer(check: Checker, node: Node): CustomerPattern {
  const pattern = check.text(node, 'a customer pattern');
  if (/^\/.*\/[a-z]*$/.test(pattern) && pattern.length > 1) {
    check.fail(
      node,
      `customer pattern "${pattern}" looks like a regular expression; patterns are globs ` +
        '(* any text, ? one character), e.g. "*@acme.com" or "Acme*"',
    );
  }
  return { pattern, regex: globRegex(pattern) };
}

function parseStage(check: Checker, node: Node, options: ParseRoutesOptions): Stage {
  const text = check.text(node, 'a stage');
  const allowed = options.thresholds
    ? [...options.thresholds.map((d) => `${d}d`), 'expired', 'switching']
    : null;
  const shape = /^(\d+)d$/.exec(text);
  const valid =
    text === 'expired' ||
    text === 'switching' ||
    (shape !== null && (allowed === null || allowed.includes(text)));
  if (!valid) {
    const expected = allowed ? allowed.join(', ') : '30d, 14d, … (one per ALERT_DAYS), expired, switching';
    check.fail(node, `stage "${text}" is not one of ${expected}`);
  }
  return text as Stage;
}

function parseProductId(check: Checker, node: Node): string {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim();
  return check.fail(
    node,
    `product ID ${JSON.stringify(value)} is not a number such as "13" (quote long IDs)`,
  );
}

function parseMention(check: Checker, node: Node): string {
  const text = check.text(node, 'a mention');
  // Slack's own syntax is accepted too, since that is what people copy from a message.
  const id =
    /^<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(text)?.[1] ??
    /^<@([A-Z0-9]+)(?:\|[^>]*)?>$/.exec(text)?.[1] ??
    text;
  if (!MENTION_ID.test(id)) {
    check.fail(node, `mention "${text}" is not a Slack user group ID (S…) or user ID (U…)`);
  }
  return id;
}

function parseMatch(check: Checker, node: Node, options: ParseRoutesOptions): RouteMatch {
  if (!isMap(node))
    check.fail(node, '"match" must be a mapping of productIds, customers, stages, severities');
  const fields = check.fields(node, MATCH_FIELDS, '"match"');
  const listOf = <T>(key: (typeof MATCH_FIELDS)[number], parse: (n: Node) => T): T[] | null => {
    const value = fields.get(key);
    return value === undefined ? null : [...new Set(check.list(value, `"${key}"`).map(parse))];
  };
  return {
    productIds: listOf('productIds', (n) => parseProductId(check, n)),
    customers: listOf('customers', (n) => parseCustomer(check, n)),
    stages: listOf('stages', (n) => parseStage(check, n, options)),
    severities: listOf('severities', (n) => {
      const text = check.text(n, 'a severity');
      if (!(SEVERITIES as readonly string[]).includes(text)) {
        check.fail(n, `severity "${text}" is not one of ${SEVERITIES.join(', ')}`);
      }
      return text as Severity;
    }),
  };
}

function parseRoute(check: Checker, node: Node, index: number, options: ParseRoutesOptions): Route {
  if (!isMap(node)) check.fail(node, `route ${index + 1} must be a mapping with at least "channels"`);
  const fields = check.fields(node, ROUTE_FIELDS, `route ${index + 1}`);
  const nameNode = fields.get('name');
  const name = nameNode ? check.text(nameNode, '"name"') : `route ${index + 1}`;

  const channelsNode = fields.get('channels');
  if (!channelsNode) check.fail(node, `route "${name}" has no "channels"`);
  const channels = check.list(channelsNode, '"channels"').map((n) => {
    const text = check.text(n, 'a channel');
    if (!CHANNEL_ID.test(text)) check.fail(n, `channel "${text}" is not a Slack channel ID (C…)`);
    return text;
  });

  const continueNode = fields.get('continue');
  const continueValue = continueNode && isScalar(continueNode) ? continueNode.value : false;
  if (typeof continueValue !== 'boolean') check.fail(continueNode, '"continue" must be true or false');

  const mentionNode = fields.get('mention');
  const mention = mentionNode ? check.list(mentionNode, '"mention"').map((n) => parseMention(check, n)) : [];

  const quietNode = fields.get('quietHours');
  let quietHours: QuietHours | null = null;
  if (quietNode) {
    try {
      quietHours = parseQuietHours(check.text(quietNode, '"quietHours"'));
    } catch (error) {
      if (error instanceof RoutesFileError) throw error;
      check.fail(quietNode, (error as Error).message);
    }
  }

  const matchNode = fields.get('match');
  const match: RouteMatch = matchNode
    ? parseMatch(check, matchNode, options)
    : { productIds: null, customers: null, stages: null, severities: null };

  return {
    name,
    match,
    channels: [...new Set(channels)],
    continue: continueValue,
    mention: [...new Set(mention)],
    quietHours,
  };
}

/** The first line of a YAML error, without the position the file:line prefix already gives. */
function yamlReason(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/** Parses and checks a routes file's text; `fileName` only appears in error messages. */
export function parseRoutes(text: string, fileName: string, options: ParseRoutesOptions = {}): Route[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new RoutesFileError(fileName, lines.linePos(yamlError.pos[0]).line, yamlReason(yamlError.message));
  }
  const check = new Checker(fileName, lines);
  const root = doc.contents as Node | null;
  let list: Node | null | undefined = root;
  if (root && isMap(root)) {
    list = check.fields(root, ['routes'] as const, 'the file').get('routes');
  }
  if (!list || (isScalar(list) && list.value === null)) {
    throw new RoutesFileError(
      fileName,
      check.lineOf(root) ?? 1,
      'the file has no routes (unset ROUTES_FILE to send every alert to SLACK_ALERT_CHANNEL)',
    );
  }
  const seq = list;
  if (!isSeq(seq)) return check.fail(seq, 'expected a list of routes (under "routes:")');
  if (seq.items.length === 0) {
    check.fail(
      seq,
      'the list of routes is empty (unset ROUTES_FILE to send every alert to SLACK_ALERT_CHANNEL)',
    );
  }

  const routes: Route[] = [];
  const namesSeen = new Map<string, number | null>();
  seq.items.forEach((item, index) => {
    const route = parseRoute(check, item as Node, index, options);
    if (namesSeen.has(route.name)) {
      const first = namesSeen.get(route.name);
      check.fail(
        item as Node,
        `route name "${route.name}" is already used${first ? ` on line ${first}` : ''}`,
      );
    }
    namesSeen.set(route.name, check.lineOf(item as Node));
    routes.push(route);
  });
  return routes;
}

/** Reads and checks `path` (ROUTES_FILE) once, at start. */
export function loadRoutesFile(path: string, options: ParseRoutesOptions = {}): Route[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RoutesFileError(path, null, `cannot read the routes file${code ? ` (${code})` : ''}`);
  }
  return parseRoutes(text, path, options);
}

function customerMatches(patterns: CustomerPattern[], evaluation: Evaluation): boolean {
  const { companyName, email } = evaluation.subject;
  const values = [companyName, email].filter((v): v is string => !!v).map((v) => v.trim());
  return patterns.some((p) => values.some((v) => p.regex.test(v)));
}

export function routeMatches(route: Route, evaluation: Evaluation): boolean {
  const { productIds, customers, stages, severities } = route.match;
  if (productIds && !productIds.includes(evaluation.subject.productId)) return false;
  if (stages && (evaluation.stage === null || !stages.includes(evaluation.stage))) return false;
  if (severities && (evaluation.severity === null || !severities.includes(evaluation.severity))) return false;
  if (customers && !customerMatches(customers, evaluation)) return false;
  return true;
}

/**
 * The channels an alert goes to, each once, in route order, with the route that sent it there (null for
 * the default channel). Routing depends on stage and severity, so an escalation may add channels (the
 * finance copy at `3d`): callers route again on every escalation. `[]` means the alert goes nowhere,
 * which the caller logs.
 */
export function routeAlert(
  routes: Route[] | null,
  evaluation: Evaluation,
  defaultChannel: string | undefined,
): RouteTarget[] {
  const fallback = defaultChannel ? [{ channel: defaultChannel, route: null }] : [];
  if (routes === null) return fallback;
  const targets: RouteTarget[] = [];
  const seen = new Set<string>();
  let matched = false;
  for (const route of routes) {
    if (!routeMatches(route, evaluation)) continue;
    matched = true;
    for (const channel of route.channels) {
      if (seen.has(channel)) continue;
      seen.add(channel);
      targets.push({ channel, route });
    }
    if (!route.continue) break;
  }
  return matched ? targets : fallback;
}

/** Slack mention markup for a route's `mention` IDs: `<!subteam^S…>` for user groups, `<@U…>` for users. */
export function mentionMarkup(ids: readonly string[]): string {
  return ids.map((id) => (id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`)).join(' ');
}

/** The mention line for a reminder on `route` at `stage`: only `1d` and `expired` ping people. */
export function reminderMentions(route: Route | null, stage: Stage | null): string | null {
  if (!route || route.mention.length === 0) return null;
  if (stage !== '1d' && stage !== 'expired') return null;
  return mentionMarkup(route.mention);
}

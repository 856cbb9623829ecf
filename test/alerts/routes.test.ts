import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isOpen } from '../../src/alerts/quiet-hours.js';
import {
  loadRoutesFile,
  mentionMarkup,
  parseRoutes,
  type Route,
  RoutesFileError,
  reminderMentions,
  routeAlert,
} from '../../src/alerts/routes.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import type { Evaluation } from '../../src/alerts/types.js';
import type { Instance } from '../../src/yeastar/types.js';
import { DAY, instance, NOW, THRESHOLDS } from './rules-fixtures.js';

const EXAMPLE_FILE = fileURLToPath(new URL('../../examples/routes.example.yml', import.meta.url));
const DEFAULT = 'C0DEFAULT1';

function evaluate(overrides: Partial<Instance>): Evaluation {
  return evaluateInstance(instance(overrides), { now: NOW, thresholds: THRESHOLDS, timeZone: 'UTC' });
}

/** An instance of product line `productId`, whose customer has `email`, expiring in `days` (null: healthy). */
function alert(
  productId: string,
  email: string | null,
  days: number | null,
  company = 'Some Company',
): Evaluation {
  return evaluate({
    productId,
    planExpireDate: days === null ? NOW + 400 * DAY : NOW + days * DAY,
    planStatus: days !== null && days < 0 ? 'expired' : 'subscribing',
    endUserInfo: { address: null, companyName: company, contactName: null, email },
  });
}

function channels(routes: Route[] | null, evaluation: Evaluation, fallback: string | undefined = DEFAULT) {
  return routeAlert(routes, evaluation, fallback).map((t) => `${t.channel}<${t.route?.name ?? 'default'}`);
}

function errorOf(text: string, file = 'routes.yml'): RoutesFileError {
  try {
    parseRoutes(text, file, { thresholds: THRESHOLDS });
  } catch (error) {
    if (error instanceof RoutesFileError) return error;
    throw error;
  }
  throw new Error('expected a RoutesFileError');
}

describe('the example routes file', () => {
  const routes = loadRoutesFile(EXAMPLE_FILE, { thresholds: THRESHOLDS });

  it('has the three documented routes', () => {
    expect(routes.map((r) => [r.name, r.channels, r.continue, r.mention])).toEqual([
      ['finance-copy', ['C0FINANCE01'], true, []],
      ['team-cloud', ['C0CLOUDTEAM'], false, ['S0CLOUDOPS']],
      ['team-acme', ['C0ACMETEAM'], false, ['U0ACMEOWNER']],
    ]);
    expect(routes[1]!.quietHours?.timeZone).toBe('Europe/Berlin');
    expect(routes[0]!.match.stages).toEqual(['3d', '1d', 'expired']);
    expect(routes[1]!.match.productIds).toEqual(['13', '9']);
  });

  it.each<[string, Evaluation, string[]]>([
    [
      'a cloud instance at 14d goes to the cloud team',
      alert('13', 'x@other.com', 10),
      ['C0CLOUDTEAM<team-cloud'],
    ],
    [
      'a cloud instance at 3d also goes to finance, first',
      alert('13', 'x@other.com', 2),
      ['C0FINANCE01<finance-copy', 'C0CLOUDTEAM<team-cloud'],
    ],
    [
      'an expired Acme appliance goes to finance and the Acme team',
      alert('11', 'it@ACME.com', -2),
      ['C0FINANCE01<finance-copy', 'C0ACMETEAM<team-acme'],
    ],
    [
      'a cloud instance of Acme goes to the cloud team only: first match wins',
      alert('13', 'it@acme.com', 20),
      ['C0CLOUDTEAM<team-cloud'],
    ],
    [
      'an Acme software edition at 7d goes to the Acme team',
      alert('12', 'boss@acme.com', 6),
      ['C0ACMETEAM<team-acme'],
    ],
    ['a subdomain is not acme.com', alert('12', 'boss@mail.acme.com.evil.org', 6), [`${DEFAULT}<default`]],
    ['no route matches: the default channel', alert('12', 'x@other.com', 20), [`${DEFAULT}<default`]],
    [
      'only finance matches: finance alone (no fallback added)',
      alert('12', 'x@other.com', 1),
      ['C0FINANCE01<finance-copy'],
    ],
  ])('%s', (_label, evaluation, expected) => {
    expect(channels(routes, evaluation)).toEqual(expected);
  });

  it('sends an unmatched alert nowhere when there is no default channel', () => {
    expect(routeAlert(routes, alert('12', 'x@other.com', 20), undefined)).toEqual([]);
  });

  it('pings the route mention on 1d and expired reminders only', () => {
    const cloud = routes[1]!;
    expect(reminderMentions(cloud, '1d')).toBe('<!subteam^S0CLOUDOPS>');
    expect(reminderMentions(cloud, 'expired')).toBe('<!subteam^S0CLOUDOPS>');
    expect(reminderMentions(cloud, '3d')).toBeNull();
    expect(reminderMentions(routes[0]!, 'expired')).toBeNull();
    expect(reminderMentions(null, 'expired')).toBeNull();
    expect(mentionMarkup(['S0ABC', 'U0DEF', 'W0GHI'])).toBe('<!subteam^S0ABC> <@U0DEF> <@W0GHI>');
  });

  it('keeps quiet hours for the cloud team in Berlin time', () => {
    const q = routes[1]!.quietHours!;
    expect(isOpen(q, Date.parse('2025-06-16T06:30:00Z'))).toBe(true); // Monday 08:30 CEST
    expect(isOpen(q, Date.parse('2025-06-14T10:00:00Z'))).toBe(false); // Saturday
  });
});

describe('routeAlert', () => {
  it('without routes, sends everything to the default channel, or nowhere', () => {
    const evaluation = alert('13', null, 5);
    expect(routeAlert(null, evaluation, DEFAULT)).toEqual([{ channel: DEFAULT, route: null }]);
    expect(routeAlert(null, evaluation, undefined)).toEqual([]);
  });

  const routes = parseRoutes(
    `
routes:
  - name: everything-copy
    channels: [C0AUDIT, C0SHARED]
    continue: true
  - name: critical
    match: { severities: [critical] }
    channels: [C0SHARED, C0ONCALL]
    continue: true
  - name: company
    match: { customers: ["Globex ?mbH", "*Initech*"] }
    channels: C0COMPANY
  - name: never-reached-for-globex
    channels: [C0LAST]
`,
    'inline.yml',
  );

  it.each<[string, Evaluation, string[]]>([
    [
      'dedupes channels, keeping the first route that named each',
      alert('13', null, -1, 'Nobody'),
      [
        'C0AUDIT<everything-copy',
        'C0SHARED<everything-copy',
        'C0ONCALL<critical',
        'C0LAST<never-reached-for-globex',
      ],
    ],
    [
      'matches the company name with a glob, case-insensitively, and stops there',
      alert('13', null, 20, 'globex GmbH'),
      ['C0AUDIT<everything-copy', 'C0SHARED<everything-copy', 'C0COMPANY<company'],
    ],
    [
      '* matches inside a name',
      alert('13', null, 20, 'The Initech Group'),
      ['C0AUDIT<everything-copy', 'C0SHARED<everything-copy', 'C0COMPANY<company'],
    ],
    [
      '? is exactly one character',
      alert('13', null, 20, 'Globex GGmbH'),
      ['C0AUDIT<everything-copy', 'C0SHARED<everything-copy', 'C0LAST<never-reached-for-globex'],
    ],
  ])('%s', (_label, evaluation, expected) => {
    expect(channels(routes, evaluation)).toEqual(expected);
  });

  it('matches stage and severity only when the alert has them (a healthy instance has neither)', () => {
    const staged = parseRoutes('- { match: { stages: [expired] }, channels: [C0EXP] }', 'x.yml');
    const healthy = alert('13', null, null);
    expect(healthy.stage).toBeNull();
    expect(channels(staged, healthy)).toEqual([`${DEFAULT}<default`]);
    expect(channels(staged, alert('13', null, -3))).toEqual(['C0EXP<route 1']);
  });

  it('property: with no routes file the alert always goes to exactly the default channel', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('9', '11', '12', '13'),
        fc.option(fc.integer({ min: -30, max: 60 }), { nil: null }),
        fc.option(fc.constantFrom('C0A1', 'G0B2'), { nil: undefined }),
        (productId, days, fallback) => {
          const targets = routeAlert(null, alert(productId, 'a@b.c', days), fallback);
          expect(targets).toEqual(fallback ? [{ channel: fallback, route: null }] : []);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('property: channels are unique, come from matching routes, and a catch-all route means no fallback', () => {
    const channelArb = fc.constantFrom('C01', 'C02', 'C03', 'G04');
    const routeArb = fc.record({
      stages: fc.option(fc.subarray(['30d', '14d', '7d', '3d', '1d', 'expired'], { minLength: 1 }), {
        nil: null,
      }),
      channels: fc.uniqueArray(channelArb, { minLength: 1, maxLength: 3 }),
      continue: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(routeArb, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: -5, max: 40 }),
        (specs, days) => {
          const text = JSON.stringify({
            routes: specs.map((s) => ({
              ...(s.stages ? { match: { stages: s.stages } } : {}),
              channels: s.channels,
              continue: s.continue,
            })),
          });
          const routes = parseRoutes(text, 'gen.json');
          const evaluation = alert('13', null, days);
          const targets = routeAlert(routes, evaluation, 'C0FALLBACK');
          const names = targets.map((t) => t.channel);
          expect(new Set(names).size).toBe(names.length);
          const matching = routes.filter(
            (r) =>
              !r.match.stages || (evaluation.stage !== null && r.match.stages.includes(evaluation.stage)),
          );
          if (matching.length === 0) {
            expect(targets).toEqual([{ channel: 'C0FALLBACK', route: null }]);
            return;
          }
          for (const t of targets) expect(t.route?.channels).toContain(t.channel);
          // The first matching route's channels always come first.
          expect(names.slice(0, matching[0]!.channels.length)).toEqual(matching[0]!.channels);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseRoutes', () => {
  it('reads JSON as well as YAML, a bare list, single values for lists, and numeric product IDs', () => {
    const routes = parseRoutes(
      JSON.stringify([
        {
          name: 'j',
          match: { productIds: [13, '12'], stages: '7d', severities: 'warning' },
          channels: 'C0JSON',
        },
      ]),
      'routes.json',
    );
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({
      name: 'j',
      match: { productIds: ['13', '12'], stages: ['7d'], severities: ['warning'], customers: null },
      channels: ['C0JSON'],
      continue: false,
      mention: [],
      quietHours: null,
    });
  });

  it('accepts Slack mention markup and keeps the ID', () => {
    const [route] = parseRoutes(
      '- channels: [C0X]\n  mention: ["<!subteam^S0TEAM|@team>", "<@U0ME>", W0YOU]\n',
      'm.yml',
    );
    expect(route!.mention).toEqual(['S0TEAM', 'U0ME', 'W0YOU']);
  });

  it('names routes by position when they have no name', () => {
    const routes = parseRoutes('- channels: [C0A]\n- channels: [C0B]\n', 'r.yml');
    expect(routes.map((r) => r.name)).toEqual(['route 1', 'route 2']);
  });

  it.each<[string, string, number, RegExp]>([
    [
      'a #name instead of a channel ID',
      'routes:\n  - name: finance\n    channels:\n      - C0OK\n      - "#finance"\n',
      5,
      /^routes\.yml:5: channel "#finance" is not a Slack channel ID \(C…\)$/,
    ],
    [
      'an unknown route field',
      'routes:\n  - name: a\n    channel: C0A\n',
      3,
      /unknown field "channel" in route 1 \(expected one of: name, match, channels/,
    ],
    [
      'an unknown match field',
      '- channels: [C0A]\n  match:\n    product: ["13"]\n',
      3,
      /unknown field "product" in "match"/,
    ],
    ['an unknown top-level field', 'routes: []\nextra: 1\n', 2, /unknown field "extra" in the file/],
    [
      'a bad stage',
      '- channels: [C0A]\n  match:\n    stages: [7d, 5d]\n',
      3,
      /stage "5d" is not one of 30d, 14d, 7d, 3d, 1d, expired, switching/,
    ],
    ['a stage word', '- channels: [C0A]\n  match: { stages: [soon] }\n', 2, /stage "soon" is not one of/],
    [
      'a bad severity',
      '- channels: [C0A]\n  match:\n\n    severities: [urgent]\n',
      4,
      /severity "urgent" is not one of critical, high, warning, info/,
    ],
    [
      'a regex as a customer pattern',
      '- channels: [C0A]\n  match:\n    customers: ["/acme/i"]\n',
      3,
      /customer pattern "\/acme\/i" looks like a regular expression; patterns are globs/,
    ],
    [
      'an empty customer pattern',
      '- channels: [C0A]\n  match:\n    customers: ["  "]\n',
      3,
      /a customer pattern must be non-empty text/,
    ],
    [
      'an empty matcher list',
      '- channels: [C0A]\n  match:\n    stages: []\n',
      3,
      /"stages" is an empty list, which matches nothing/,
    ],
    ['a route without channels', '- name: lonely\n  continue: true\n', 1, /route "lonely" has no "channels"/],
    [
      'a non-boolean continue',
      '- channels: [C0A]\n  continue: "yes please"\n',
      2,
      /"continue" must be true or false/,
    ],
    [
      'a bad mention',
      '- channels: [C0A]\n  mention: ["@finance"]\n',
      2,
      /mention "@finance" is not a Slack user group ID \(S…\) or user ID \(U…\)/,
    ],
    [
      'bad quiet hours',
      '- channels: [C0A]\n  quietHours: Mon-Fri 22:00-06:00 Europe/Berlin\n',
      2,
      /crossing midnight are not supported/,
    ],
    [
      'a bad product ID',
      '- channels: [C0A]\n  match: { productIds: [cloud] }\n',
      2,
      /product ID "cloud" is not a number/,
    ],
    [
      'a duplicate route name',
      '- name: a\n  channels: [C0A]\n- name: a\n  channels: [C0B]\n',
      3,
      /route name "a" is already used on line 1/,
    ],
    ['a duplicate key', '- channels: [C0A]\n  channels: [C0B]\n', 2, /unique/i],
    ['broken YAML', 'routes:\n  - channels: [C0A\n', 3, /./],
    ['an empty file', '', 1, /the file has no routes/],
    ['an empty list', 'routes: []\n', 1, /the list of routes is empty/],
    ['a field with no value', '- channels:\n', 1, /field "channels" has no value/],
    ['an alias', '- channels: &c [C0A]\n- channels: *c\n', 2, /aliases are not supported/],
  ])('refuses %s with the line', (_label, text, line, message) => {
    const error = errorOf(text);
    expect(error.file).toBe('routes.yml');
    expect(error.line).toBe(line);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`routes.yml:${line}: `)).toBe(true);
    expect(error.message).not.toContain('\n');
  });

  it('accepts any Nd stage when ALERT_DAYS is not given', () => {
    const [route] = parseRoutes('- channels: [C0A]\n  match: { stages: [5d] }\n', 'r.yml');
    expect(route!.match.stages).toEqual(['5d']);
  });
});

describe('loadRoutesFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'routes-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file path in errors', () => {
    const path = join(dir, 'bad.yml');
    writeFileSync(path, 'routes:\n  - channels: [finance]\n');
    expect(() => loadRoutesFile(path)).toThrow(`${path}:2: channel "finance" is not a Slack channel ID (C…)`);
  });

  it('says when the file cannot be read', () => {
    const path = join(dir, 'missing.yml');
    const error = (() => {
      try {
        loadRoutesFile(path);
      } catch (e) {
        return e as RoutesFileError;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(RoutesFileError);
    expect(error!.line).toBeNull();
    expect(error!.message).toBe(`${path}: cannot read the routes file (ENOENT)`);
  });
});

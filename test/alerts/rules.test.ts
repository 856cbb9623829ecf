import { describe, expect, it } from 'vitest';
import {
  alertKeyOf,
  calendarDaysLeft,
  evaluateInstance,
  type RuleOptions,
  stageFor,
  stageRank,
} from '../../src/alerts/rules.js';
import type { Severity, Stage } from '../../src/alerts/types.js';
import {
  DAY,
  EXAMPLE_ACTIVATION_CODE,
  HOUR,
  instance,
  NOW,
  pageExamples,
  service,
  THRESHOLDS,
} from './rules-fixtures.js';

const options: RuleOptions = { now: NOW, thresholds: THRESHOLDS, timeZone: 'UTC' };

describe('calendarDaysLeft', () => {
  it('counts calendar days, not 24-hour periods', () => {
    expect(calendarDaysLeft(NOW + 11 * HOUR + 59 * 60_000, NOW, 'UTC')).toBe(0); // 23:59 today
    expect(calendarDaysLeft(NOW + 12 * HOUR, NOW, 'UTC')).toBe(1); // midnight: tomorrow
    expect(calendarDaysLeft(NOW - 12 * HOUR, NOW, 'UTC')).toBe(0); // midnight this morning
    expect(calendarDaysLeft(NOW - 12 * HOUR - 1, NOW, 'UTC')).toBe(-1);
    expect(calendarDaysLeft(NOW + 3 * DAY, NOW, 'UTC')).toBe(3);
  });

  it('counts across a spring-forward DST change in Europe/Berlin (a 23-hour day)', () => {
    const now = Date.parse('2025-03-29T23:30:00Z'); // 00:30 on Mar 30, CET
    const expiry = Date.parse('2025-03-30T22:30:00Z'); // 00:30 on Mar 31, CEST: only 23 h later
    expect(calendarDaysLeft(expiry, now, 'Europe/Berlin')).toBe(1);
    expect(expiry - now).toBeLessThan(DAY);
  });

  it('counts across a fall-back DST change in Europe/Berlin (a 25-hour day)', () => {
    const now = Date.parse('2025-10-25T22:30:00Z'); // 00:30 on Oct 26, CEST
    const sameDay = Date.parse('2025-10-26T22:45:00Z'); // 23:45 on Oct 26, CET: more than 24 h later
    const nextDay = Date.parse('2025-10-26T23:30:00Z'); // 00:30 on Oct 27, CET
    expect(sameDay - now).toBeGreaterThan(DAY);
    expect(calendarDaysLeft(sameDay, now, 'Europe/Berlin')).toBe(0);
    expect(calendarDaysLeft(nextDay, now, 'Europe/Berlin')).toBe(1);
  });

  it('gives the same instants different day counts in Pacific/Auckland and UTC', () => {
    const now = Date.parse('2025-06-01T10:00:00Z'); // 22:00 on Jun 1 in Auckland (UTC+12)
    const expiry = Date.parse('2025-06-01T13:00:00Z'); // 01:00 on Jun 2 in Auckland, 13:00 on Jun 1 in UTC
    expect(calendarDaysLeft(expiry, now, 'UTC')).toBe(0);
    expect(calendarDaysLeft(expiry, now, 'Pacific/Auckland')).toBe(1);

    // …which can put the same instance in different stages.
    const planExpireDate = Date.parse('2025-06-04T13:00:00Z');
    const utc = evaluateInstance(instance({ planExpireDate }), { ...options, now, timeZone: 'UTC' });
    const nz = evaluateInstance(instance({ planExpireDate }), {
      ...options,
      now,
      timeZone: 'Pacific/Auckland',
    });
    expect([utc.findings[0]?.daysLeft, utc.stage]).toEqual([3, '3d']);
    expect([nz.findings[0]?.daysLeft, nz.stage]).toEqual([4, '7d']);
  });
});

describe('stageFor and stageRank', () => {
  it.each([
    [-30, 'expired'],
    [-1, 'expired'],
    [0, '1d'],
    [1, '1d'],
    [2, '3d'],
    [3, '3d'],
    [4, '7d'],
    [7, '7d'],
    [8, '14d'],
    [14, '14d'],
    [15, '30d'],
    [30, '30d'],
    [31, null],
    [400, null],
  ] as const)('%i days left → %s', (days, stage) => {
    expect(stageFor(days, THRESHOLDS)).toBe(stage);
  });

  it('does not depend on the order of the thresholds', () => {
    expect(stageFor(5, [1, 7, 30, 3, 14])).toBe('7d');
    expect(stageFor(5, [])).toBeNull();
  });

  it('orders healthy < switching < 30d < 14d < 7d < 3d < 1d < expired', () => {
    const order: Array<Stage | null> = [null, 'switching', '30d', '14d', '7d', '3d', '1d', 'expired'];
    for (let i = 1; i < order.length; i += 1) {
      expect(stageRank(order[i]!)).toBeGreaterThan(stageRank(order[i - 1]!));
    }
    expect(stageRank('365d')).toBeLessThan(stageRank('30d'));
    expect(stageRank('0d')).toBeLessThan(stageRank('expired'));
  });

  it('keys one alert per instance', () => {
    expect(alertKeyOf('12', 'ABC')).toBe('12:ABC');
  });
});

const dayOffsets = [-1, 0, 1, 2, 3, 4, 6, 7, 8, 13, 14, 15, 29, 30, 31];
const stageAt: Record<number, Stage | null> = {
  0: '1d',
  1: '1d',
  2: '3d',
  3: '3d',
  4: '7d',
  6: '7d',
  7: '7d',
  8: '14d',
  13: '14d',
  14: '14d',
  15: '30d',
  29: '30d',
  30: '30d',
  31: null,
};
const severityOf: Record<string, Severity> = {
  expired: 'critical',
  '1d': 'high',
  '3d': 'high',
  '7d': 'warning',
  '14d': 'warning',
  '30d': 'info',
  switching: 'info',
};

type DatePosition = { label: string; date: number | null; daysLeft: number | null; stage: Stage | null };

const positions: DatePosition[] = [
  { label: 'long past', date: NOW - 40 * DAY, daysLeft: -40, stage: 'expired' },
  { label: 'yesterday', date: NOW - DAY, daysLeft: -1, stage: 'expired' },
  { label: 'earlier today', date: NOW - HOUR, daysLeft: 0, stage: 'expired' },
  { label: 'later today', date: NOW + HOUR, daysLeft: 0, stage: '1d' },
  ...dayOffsets
    .filter((d) => d >= 1)
    .map((d) => ({ label: `in ${d} days`, date: NOW + d * DAY, daysLeft: d, stage: stageAt[d]! })),
  { label: 'in 31 days', date: NOW + 31 * DAY, daysLeft: 31, stage: null },
  { label: 'in 400 days', date: NOW + 400 * DAY, daysLeft: 400, stage: null },
  { label: 'no date', date: null, daysLeft: null, stage: null },
];

const statuses = ['trialing', 'subscribing', 'purchased', 'expiring', 'expired', 'switching', 'paused', null];

/** What the rules promise for one plan status and expiry, written out independently of rules.ts. */
function expectedPlan(status: string | null, p: DatePosition): { kind: string; stage: Stage } | null {
  if (status === 'switching') return { kind: 'switching', stage: 'switching' };
  if (status === 'expired') return { kind: 'expired', stage: 'expired' };
  if (p.stage === 'expired') return { kind: 'expired', stage: 'expired' };
  if (p.stage !== null) return { kind: 'expiring', stage: p.stage };
  if (status === 'expiring') return { kind: 'expiring', stage: '30d' };
  return null;
}

describe('evaluateInstance: every plan status × every expiry position', () => {
  const cases = statuses.flatMap((status) => positions.map((p) => ({ status, p })));
  it.each(cases)('status $status, expiry $p.label', ({ status, p }) => {
    const evaluation = evaluateInstance(
      instance({ planStatus: status, planExpireDate: p.date, currentPlanExpireDate: null }),
      options,
    );
    const expected = expectedPlan(status, p);
    if (expected === null) {
      expect(evaluation.stage).toBeNull();
      expect(evaluation.severity).toBeNull();
      expect(evaluation.findings).toEqual([]);
      return;
    }
    expect(evaluation.findings).toHaveLength(1);
    const finding = evaluation.findings[0]!;
    expect(finding.kind).toBe(expected.kind);
    expect(finding.subject).toBe('plan');
    expect(finding.name).toBe('Ultimate Plan');
    expect(finding.stage).toBe(expected.stage);
    expect(finding.severity).toBe(severityOf[expected.stage]);
    expect(finding.expiresAt).toBe(p.date);
    expect(finding.daysLeft).toBe(p.daysLeft);
    expect(finding.trial).toBe(status === 'trialing');
    expect(finding.autoRenewal).toBe(false);
    expect(evaluation.stage).toBe(expected.stage);
    expect(evaluation.severity).toBe(severityOf[expected.stage]);
    expect(evaluation.expiresAt).toBe(p.date);
  });
});

describe('evaluateInstance: details', () => {
  it('describes a switching plan by its current and next plan, without an extra expiring finding', () => {
    const evaluation = evaluateInstance(
      instance({
        planStatus: 'switching',
        planName: 'Ultimate Plan',
        currentPlan: 'Ultimate Plan',
        planExpireDate: NOW + 2 * DAY,
        currentPlanExpireDate: NOW + 2 * DAY,
        nextPlan: 'Enterprise Plan',
        nextPlanStartDate: NOW + 2 * DAY + 1000,
        nextPlanExpireDate: NOW + 367 * DAY,
      }),
      options,
    );
    expect(evaluation.findings).toEqual([
      expect.objectContaining({
        kind: 'switching',
        name: 'Ultimate Plan',
        expiresAt: NOW + 2 * DAY,
        daysLeft: 2,
        stage: 'switching',
        severity: 'info',
        nextPlan: 'Enterprise Plan',
        nextPlanStartAt: NOW + 2 * DAY + 1000,
        nextPlanExpiresAt: NOW + 367 * DAY,
      }),
    ]);
  });

  it('falls back to planExpireDate when a switching plan has no currentPlanExpireDate', () => {
    const evaluation = evaluateInstance(
      instance({ planStatus: 'switching', currentPlan: null, planExpireDate: NOW + 5 * DAY }),
      options,
    );
    expect(evaluation.findings[0]).toMatchObject({ name: 'Ultimate Plan', expiresAt: NOW + 5 * DAY });
  });

  it.each([
    ['expired', NOW - DAY, 'high'],
    ['expiring', NOW + DAY, 'warning'],
    ['expiring', NOW + 3 * DAY, 'warning'],
    ['expiring', NOW + 7 * DAY, 'info'],
    ['expiring', NOW + 14 * DAY, 'info'],
    ['expiring', NOW + 30 * DAY, 'info'],
    ['switching', NOW + 30 * DAY, 'info'],
  ] as const)(
    'auto-renewal lowers a %s plan one step (expiry %i) to %s, and still alerts',
    (status, date, severity) => {
      const evaluation = evaluateInstance(
        instance({ planStatus: status, planExpireDate: date, planAutoRenewal: true }),
        options,
      );
      expect(evaluation.findings).toHaveLength(1);
      expect(evaluation.findings[0]).toMatchObject({ autoRenewal: true, severity });
      expect(evaluation.severity).toBe(severity);
    },
  );

  it('alerts on an expiring status without a date at the largest threshold, "date unknown"', () => {
    const evaluation = evaluateInstance(instance({ planStatus: 'expiring', planExpireDate: null }), {
      ...options,
      thresholds: [60, 10],
    });
    expect(evaluation.findings[0]).toMatchObject({
      kind: 'expiring',
      expiresAt: null,
      daysLeft: null,
      stage: '60d',
    });
    expect(evaluation.expiresAt).toBeNull();
  });

  it('treats a date beyond what Date can hold as no date', () => {
    const quiet = evaluateInstance(instance({ planExpireDate: 1e20 }), options);
    const expiring = evaluateInstance(instance({ planStatus: 'expiring', planExpireDate: 1e20 }), options);
    expect(quiet.findings).toEqual([]);
    expect(expiring.findings[0]).toMatchObject({ daysLeft: null, stage: '30d' });
  });

  it('alerts on services of a healthy plan', () => {
    const evaluation = evaluateInstance(
      instance({
        serviceList: [
          service({ serviceName: 'Recording Minutes', serviceId: '1', serviceExpireDate: NOW + 5 * DAY }),
          service({ serviceName: 'Fine Service', serviceId: '2', serviceExpireDate: NOW + 90 * DAY }),
          service({
            serviceName: 'Lapsed',
            serviceId: '3',
            serviceExpireDate: NOW - 2 * DAY,
            serviceAutoRenewal: true,
          }),
          service({
            serviceName: 'Said so',
            serviceId: '4',
            serviceExpireDate: null,
            serviceStatus: 'expiring',
          }),
          service({ serviceName: 'Gone', serviceId: '5', serviceExpireDate: null, serviceStatus: 'expired' }),
          service({ serviceName: null, serviceId: '6', serviceExpireDate: NOW + 30 * DAY }),
        ],
      }),
      options,
    );
    expect(
      evaluation.findings.map((f) => [
        f.kind,
        f.name,
        f.serviceId,
        f.stage,
        f.severity,
        f.subject,
        f.daysLeft,
      ]),
    ).toEqual([
      ['service_expired', 'Gone', '5', 'expired', 'critical', 'service', null],
      ['service_expired', 'Lapsed', '3', 'expired', 'high', 'service', -2],
      ['service_expiring', 'Recording Minutes', '1', '7d', 'warning', 'service', 5],
      ['service_expiring', 'Said so', '4', '30d', 'info', 'service', null],
      ['service_expiring', 'Unnamed service', '6', '30d', 'info', 'service', 30],
    ]);
    expect(evaluation.stage).toBe('expired');
    expect(evaluation.severity).toBe('critical');
    expect(evaluation.expiresAt).toBe(NOW - 2 * DAY);
  });

  it('sorts the plan before services of the same stage and takes the highest severity', () => {
    const evaluation = evaluateInstance(
      instance({
        planExpireDate: NOW + DAY,
        planAutoRenewal: true, // 1d lowered to warning
        serviceList: [
          service({ serviceName: 'A', serviceExpireDate: NOW + DAY, serviceAutoRenewal: true }),
          service({ serviceName: 'B', serviceExpireDate: NOW + 3 * DAY }), // 3d: high
        ],
      }),
      options,
    );
    expect(evaluation.findings.map((f) => [f.subject, f.name, f.stage, f.severity])).toEqual([
      ['plan', 'Ultimate Plan', '1d', 'warning'],
      ['service', 'A', '1d', 'warning'],
      ['service', 'B', '3d', 'high'],
    ]);
    expect(evaluation.stage).toBe('1d');
    expect(evaluation.severity).toBe('high');
  });

  it('is healthy when nothing is close', () => {
    const evaluation = evaluateInstance(instance({ serviceList: [service()] }), options);
    expect(evaluation).toMatchObject({ stage: null, severity: null, findings: [], expiresAt: null });
  });

  it('builds the subject from the instance and never copies the activation code', () => {
    const evaluation = evaluateInstance(instance({ productId: '12', planExpireDate: NOW + DAY }), options);
    expect(evaluation.alertKey).toBe('12:3658B4311196UZ4A');
    expect(evaluation.subject).toEqual({
      alertKey: '12:3658B4311196UZ4A',
      productId: '12',
      productName: 'P-Series Software Edition',
      productNo: '3658B4311196UZ4A',
      planName: 'Ultimate Plan',
      planStatus: 'subscribing',
      planExpireDate: NOW + DAY,
      planAutoRenewal: false,
      companyName: 'PCE Customer Test Company',
      contactName: 'PCE Customer Test',
      email: 'customer@test.com',
      url: 'docs.test.yeastarcloud.com',
    });
    expect(JSON.stringify(evaluation)).not.toContain(EXAMPLE_ACTIVATION_CODE);
  });

  it('names the product line from options, the known list, or the ID', () => {
    const named = evaluateInstance(instance({ productId: '99' }), { ...options, productName: 'Shiny' });
    const unknown = evaluateInstance(instance({ productId: '99' }), options);
    expect(named.subject.productName).toBe('Shiny');
    expect(unknown.subject.productName).toBe('Product 99');
  });

  it('changes the digest for a reader-visible change and not for a repeat', () => {
    const base = instance({ planExpireDate: NOW + 5 * DAY });
    const digest = evaluateInstance(base, options).digest;
    expect(evaluateInstance(structuredClone(base), options).digest).toBe(digest);
    expect(evaluateInstance({ ...base, planExpireDate: NOW + 6 * DAY }, options).digest).not.toBe(digest);
    expect(evaluateInstance({ ...base, planAutoRenewal: true }, options).digest).not.toBe(digest);
    expect(evaluateInstance({ ...base, planName: 'Enterprise Plan' }, options).digest).not.toBe(digest);
    expect(evaluateInstance(base, { ...options, now: NOW + DAY }).digest).toBe(digest); // still 7d
    expect(evaluateInstance(base, { ...options, now: NOW + 3 * DAY }).digest).not.toBe(digest); // now 3d
  });
});

describe('the two instances of reference page 000', () => {
  const now = Date.parse('2024-10-28T12:00:00Z');
  const { trialing, switching } = pageExamples();

  it('alerts on the trialing Ultimate Plan three days before it ends', () => {
    const evaluation = evaluateInstance(trialing, { ...options, now });
    expect(evaluation.alertKey).toBe('13:3658B4311196UZ4A');
    expect(evaluation.subject.productName).toBe('P-Series Cloud Edition');
    expect(evaluation.findings).toEqual([
      expect.objectContaining({
        kind: 'expiring',
        name: 'Ultimate Plan',
        trial: true,
        daysLeft: 3,
        stage: '3d',
        severity: 'high',
        autoRenewal: false,
        expiresAt: 1730345636000,
      }),
    ]);
    expect(JSON.stringify(evaluation)).not.toContain(EXAMPLE_ACTIVATION_CODE);
  });

  it('reports the switch to Enterprise Plan, and its long-lapsed service as expired', () => {
    const evaluation = evaluateInstance(switching, { ...options, now });
    expect(evaluation.subject).toMatchObject({
      companyName: 'PCE Customer Test Company',
      email: 'customer@test.com',
    });
    expect(evaluation.findings.map((f) => [f.kind, f.name, f.stage])).toEqual([
      ['service_expired', 'Recording Minutes', 'expired'],
      ['switching', 'Ultimate Plan', 'switching'],
    ]);
    expect(evaluation.findings[1]).toMatchObject({
      expiresAt: 1736390176000,
      nextPlan: 'Enterprise Plan',
      nextPlanStartAt: 1736390177000,
    });
    expect(evaluation.stage).toBe('expired');
  });
});

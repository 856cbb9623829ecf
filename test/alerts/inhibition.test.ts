import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/alerts/block-limits.js';
import { type AlertView, renderAlert } from '../../src/alerts/render.js';
import { renderPlain } from '../../src/alerts/render-plain.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import type { Evaluation } from '../../src/alerts/types.js';
import type { Instance } from '../../src/yeastar/types.js';
import { DAY, instance, NOW, service, THRESHOLDS } from './rules-fixtures.js';

function evaluate(subject: Instance): Evaluation {
  return evaluateInstance(subject, { now: NOW, thresholds: THRESHOLDS, timeZone: 'UTC' });
}

function view(evaluation: Evaluation): AlertView {
  return { evaluation, portalUrl: 'https://partner.yeastar.com', now: NOW, timeZone: 'UTC' };
}

type Block = { type: string; elements?: Array<{ text: string }>; text?: { text: string } };

function contextTexts(blocks: unknown[]): string[] {
  return (blocks as Block[])
    .filter((b) => b.type === 'context')
    .flatMap((b) => (b.elements ?? []).map((e) => e.text));
}

const threeServices = [
  service({ serviceName: 'Recording Minutes', serviceId: '1', serviceExpireDate: NOW + 2 * DAY }),
  service({ serviceName: 'Call Center', serviceId: '2', serviceExpireDate: NOW - 3 * DAY }),
  service({ serviceName: 'Hotel', serviceId: '3', serviceExpireDate: null, serviceStatus: 'expiring' }),
  service({ serviceName: 'Healthy', serviceId: '4', serviceExpireDate: NOW + 300 * DAY }),
];

describe('inhibition: an expired plan hides its services', () => {
  const expiredPlan = instance({
    planStatus: 'expired',
    planExpireDate: NOW - DAY,
    serviceList: threeServices,
  });

  it('keeps only the plan finding and counts the services it hid', () => {
    const evaluation = evaluate(expiredPlan);
    expect(evaluation.findings.map((f) => [f.kind, f.name])).toEqual([['expired', 'Ultimate Plan']]);
    expect(evaluation.hidden).toEqual({ count: 3, reason: 'the plan itself expired' });
    expect(evaluation.stage).toBe('expired');
    expect(evaluation.severity).toBe('critical');
    expect(evaluation.expiresAt).toBe(NOW - DAY);
  });

  it('says so in the Slack message, as a context line, and lists no service', () => {
    const message = renderAlert(view(evaluate(expiredPlan)));
    expect(contextTexts(message.blocks)).toContain(
      ':information_source: 3 services hidden: the plan itself expired',
    );
    const all = JSON.stringify(message.blocks);
    expect(all).not.toContain('Recording Minutes');
    expect(all).not.toContain('*Services*');
    expect(message.text).not.toContain('more');
    expect(validateMessage(message)).toEqual([]);
  });

  it('says so in the terminal rendering', () => {
    const text = renderPlain(view(evaluate(expiredPlan)), { color: false });
    expect(text.split('\n')).toContain('  3 services hidden: the plan itself expired');
    expect(text).not.toContain('Call Center');
  });

  it('uses the singular for one hidden service', () => {
    const one = instance({
      planStatus: 'expired',
      planExpireDate: NOW - DAY,
      serviceList: [threeServices[0]!],
    });
    const evaluation = evaluate(one);
    expect(evaluation.hidden).toEqual({ count: 1, reason: 'the plan itself expired' });
    expect(renderPlain(view(evaluation), { color: false })).toContain(
      '  1 service hidden: the plan itself expired',
    );
  });

  it('hides nothing (and says nothing) when the expired plan has no service findings', () => {
    const alone = instance({
      planStatus: 'expired',
      planExpireDate: NOW - DAY,
      serviceList: [threeServices[3]!],
    });
    const evaluation = evaluate(alone);
    expect(evaluation.hidden ?? null).toBeNull();
    expect(JSON.stringify(renderAlert(view(evaluation)).blocks)).not.toContain('hidden');
    expect(renderPlain(view(evaluation), { color: false })).not.toContain('hidden');
  });

  it.each([
    ['expiring plan', { planExpireDate: NOW + 5 * DAY }],
    ['healthy plan', {}],
    ['trial plan', { planStatus: 'trialing', planExpireDate: NOW + 2 * DAY }],
  ])('shows every service line of an %s', (_label, overrides) => {
    const evaluation = evaluate(instance({ ...overrides, serviceList: threeServices }));
    expect(evaluation.hidden ?? null).toBeNull();
    expect(evaluation.findings.filter((f) => f.subject === 'service').map((f) => f.name)).toEqual([
      'Call Center',
      'Recording Minutes',
      'Hotel',
    ]);
  });

  it('counts a plan past its date (status not yet "expired") as expired too', () => {
    const evaluation = evaluate(
      instance({ planStatus: 'subscribing', planExpireDate: NOW - 2 * DAY, serviceList: threeServices }),
    );
    expect(evaluation.findings.map((f) => f.kind)).toEqual(['expired']);
    expect(evaluation.hidden?.count).toBe(3);
  });
});

describe('inhibition: a switching plan', () => {
  it('alerts once as switching, never also as expiring for the same date', () => {
    const evaluation = evaluate(
      instance({
        planStatus: 'switching',
        planName: 'Ultimate Plan',
        currentPlan: 'Ultimate Plan',
        currentPlanExpireDate: NOW + 2 * DAY,
        planExpireDate: NOW + 2 * DAY,
        nextPlan: 'Enterprise Plan',
        nextPlanStartDate: NOW + 2 * DAY,
      }),
    );
    expect(evaluation.findings.map((f) => [f.subject, f.kind])).toEqual([['plan', 'switching']]);
    expect(evaluation.stage).toBe('switching');
    expect(evaluation.hidden ?? null).toBeNull();
  });
});

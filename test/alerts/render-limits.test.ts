import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncate, validateMessage } from '../../src/alerts/block-limits.js';
import { renderAlert, renderDigest, renderResolved, renderThreadReply } from '../../src/alerts/render.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import type { Enrichment, Evaluation } from '../../src/alerts/types.js';
import type { Instance } from '../../src/yeastar/types.js';
import { DAY, instance, NOW, service, THRESHOLDS } from './rules-fixtures.js';

const PORTAL = 'https://partner.yeastar.com';

const text = (t: string) => ({ type: 'mrkdwn', text: t });
const plain = (t: string) => ({ type: 'plain_text', text: t });
const section = (t: string) => ({ type: 'section', text: text(t) });
const button = (over: Record<string, unknown> = {}) => ({
  type: 'button',
  action_id: 'a',
  text: plain('OK'),
  value: 'v',
  ...over,
});
const actions = (...elements: unknown[]) => ({ type: 'actions', elements });

function evaluate(subject: Instance): Evaluation {
  return evaluateInstance(subject, { now: NOW, thresholds: THRESHOLDS, timeZone: 'UTC' });
}

describe('validateMessage catches what Slack would reject', () => {
  it('accepts a small valid message', () => {
    expect(validateMessage({ text: 'hi', blocks: [section('hello'), actions(button())] })).toEqual([]);
  });

  it.each([
    [
      '51 blocks',
      { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) },
      /^blocks: 51 blocks/,
    ],
    ['an empty fallback text', { text: '', blocks: [] }, /^text: must be/],
    ['a fallback text over 40,000', { text: 'x'.repeat(40_001), blocks: [] }, /^text: 40001 characters/],
    [
      'a header over 150',
      { text: 'x', blocks: [{ type: 'header', text: plain('h'.repeat(151)) }] },
      /^blocks\[0\]\.text\.text: 151/,
    ],
    [
      'a mrkdwn header',
      { text: 'x', blocks: [{ type: 'header', text: text('h') }] },
      /^blocks\[0\]\.text\.type: must be one of plain_text/,
    ],
    [
      'section text over 3,000',
      { text: 'x', blocks: [section('s'.repeat(3_001))] },
      /^blocks\[0\]\.text\.text: 3001/,
    ],
    [
      'an empty section text',
      { text: 'x', blocks: [section('')] },
      /^blocks\[0\]\.text\.text: must be a non-empty/,
    ],
    [
      '11 fields',
      { text: 'x', blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => text('f')) }] },
      /^blocks\[0\]\.fields: 11 fields/,
    ],
    [
      'a field over 2,000',
      { text: 'x', blocks: [{ type: 'section', fields: [text('f'.repeat(2_001))] }] },
      /^blocks\[0\]\.fields\[0\]\.text: 2001/,
    ],
    [
      'button text over 75',
      { text: 'x', blocks: [actions(button({ text: plain('b'.repeat(76)) }))] },
      /^blocks\[0\]\.elements\[0\]\.text\.text: 76/,
    ],
    [
      'a button value over 2,000',
      { text: 'x', blocks: [actions(button({ value: 'v'.repeat(2_001) }))] },
      /^blocks\[0\]\.elements\[0\]\.value: 2001/,
    ],
    [
      'an action_id over 255',
      { text: 'x', blocks: [actions(button({ action_id: 'a'.repeat(256) }))] },
      /^blocks\[0\]\.elements\[0\]\.action_id: 256/,
    ],
    [
      'a block_id over 255',
      { text: 'x', blocks: [{ ...section('s'), block_id: 'b'.repeat(256) }] },
      /^blocks\[0\]\.block_id: 256/,
    ],
    [
      'a url over 3,000',
      { text: 'x', blocks: [actions(button({ url: `https://x/${'u'.repeat(3_000)}` }))] },
      /^blocks\[0\]\.elements\[0\]\.url: 3010/,
    ],
    [
      '11 context elements',
      { text: 'x', blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => text('c')) }] },
      /^blocks\[0\]\.elements: 11 elements/,
    ],
    [
      '101 select options',
      {
        text: 'x',
        blocks: [
          actions({
            type: 'static_select',
            action_id: 's',
            options: Array.from({ length: 101 }, (_, i) => ({ text: plain(`o${i}`), value: `${i}` })),
          }),
        ],
      },
      /^blocks\[0\]\.elements\[0\]\.options: 101 options/,
    ],
    [
      'option text over 75',
      {
        text: 'x',
        blocks: [
          actions({
            type: 'static_select',
            action_id: 's',
            options: [{ text: plain('o'.repeat(76)), value: '1' }],
          }),
        ],
      },
      /^blocks\[0\]\.elements\[0\]\.options\[0\]\.text\.text: 76/,
    ],
    [
      'a bad button style',
      { text: 'x', blocks: [actions(button({ style: 'loud' }))] },
      /^blocks\[0\]\.elements\[0\]\.style/,
    ],
    [
      'more text than Slack takes in all blocks',
      { text: 'x', blocks: Array.from({ length: 5 }, () => section('s'.repeat(2_900))) },
      /^blocks: 14500 characters of text in all/,
    ],
    [
      'an unknown block type',
      { text: 'x', blocks: [{ type: 'carousel' }] },
      /^blocks\[0\]\.type: unsupported/,
    ],
    [
      'a duplicate block_id',
      {
        text: 'x',
        blocks: [
          { ...section('a'), block_id: 'same' },
          { ...section('b'), block_id: 'same' },
        ],
      },
      /^blocks\[1\]\.block_id: duplicate/,
    ],
  ])('reports %s', (_label, message, rule) => {
    const violations = validateMessage(message as { text: string; blocks: unknown[] });
    expect(violations).toEqual([expect.stringMatching(rule)]);
  });

  it('reports every violation, not just the first', () => {
    const violations = validateMessage({
      text: '',
      blocks: [
        section('s'.repeat(3_001)),
        actions(button({ text: plain('b'.repeat(76)), value: 'v'.repeat(2_001) })),
      ],
    });
    expect(violations).toHaveLength(4);
  });
});

describe('truncate', () => {
  it('cuts with an ellipsis and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('a😀b', 3)).toBe('a…');
    expect(truncate('😀😀😀', 4)).toBe('😀…');
  });
});

describe('rendering stays inside every limit', () => {
  const longName = (i: number) => `${i}:` + 'N&<'.repeat(1_000);

  it('renders an instance with 100 services named with 3,000 characters', () => {
    const services = Array.from({ length: 100 }, (_, i) =>
      service({ serviceId: String(i), serviceName: longName(i), serviceExpireDate: NOW + (i % 40) * DAY }),
    );
    const subject = instance({
      productId: '12',
      productNo: 'P'.repeat(3_000),
      planName: 'Plan'.repeat(750),
      planExpireDate: NOW + DAY,
      endUserInfo: {
        address: 'a',
        companyName: 'C'.repeat(3_000),
        contactName: 'c'.repeat(3_000),
        email: 'e'.repeat(3_000),
      },
      url: 'u'.repeat(3_000),
      serviceList: services,
    });
    const evaluation = evaluate(subject);
    expect(evaluation.findings.length).toBeGreaterThan(60);
    const enrichment: Enrichment = {
      options: services.map((s) => ({
        subject: 'service' as const,
        name: s.serviceName!,
        id: s.serviceId,
        pricingId: '1',
        renewable: true,
        billingCycles: Array.from({ length: 50 }, () => 'cycle'.repeat(100)),
        billingModels: ['model'.repeat(600)],
      })),
      error: 'E'.repeat(5_000),
    };
    const record = {
      acknowledgedBy: 'U'.repeat(3_000),
      acknowledgedAt: NOW,
      snoozedUntil: NOW + DAY,
      snoozedBy: 'U123',
      resolvedAt: NOW,
      resolveReason: null,
    };
    const view = { evaluation, enrichment, record, portalUrl: PORTAL, now: NOW, timeZone: 'UTC' };
    const alert = renderAlert(view);
    expect(validateMessage(alert)).toEqual([]);
    expect(JSON.stringify(alert.blocks)).toMatch(/…and \d+ more/);
    const resolved = renderResolved({ ...view, reason: 'renewed', renewedUntil: NOW + 365 * DAY });
    expect(validateMessage(resolved)).toEqual([]);
    for (const kind of ['escalated', 'resolved', 'vanished', 'reminder'] as const) {
      expect(validateMessage(renderThreadReply(kind, { ...view, previousStage: '30d' }))).toEqual([]);
    }
  });

  it('renders a digest of 5,000 alerts across 5,000 product lines', () => {
    const evaluations = Array.from({ length: 5_000 }, (_, i) =>
      evaluateInstance(
        instance({
          productId: String(1_000 + i),
          productNo: `SN${i}`.padEnd(40, 'X'),
          planName: longName(i),
          planExpireDate: NOW + ((i % 35) - 3) * DAY,
        }),
        { now: NOW, thresholds: THRESHOLDS, timeZone: 'UTC', productName: `Line ${i} ${'L'.repeat(500)}` },
      ),
    );
    for (const limit of [undefined, 0, 1, 5_000]) {
      const digest = renderDigest(evaluations, { limit, now: NOW, timeZone: 'UTC' });
      expect(validateMessage(digest)).toEqual([]);
      expect(digest.text).toMatch(/^\d+ renewal alerts: \d+ expired, /);
      expect(JSON.stringify(digest.blocks)).toMatch(/…and \d+ more product lines/);
    }
  });

  it('renders any instance within the limits without throwing', () => {
    const anyText = fc.option(fc.string({ unit: 'grapheme', maxLength: 400 }), { nil: null });
    const anyDate = fc.option(fc.integer({ min: NOW - 5_000 * DAY, max: NOW + 5_000 * DAY }), { nil: null });
    const anyStatus = fc.constantFrom('trialing', 'expiring', 'expired', 'switching', 'purchased', null);
    const arb = fc.record({
      productId: fc.constantFrom('9', '12', '13', '77'),
      productNo: fc.string({ minLength: 1, maxLength: 300 }),
      planName: anyText,
      planStatus: anyStatus,
      planExpireDate: anyDate,
      currentPlan: anyText,
      nextPlan: anyText,
      nextPlanStartDate: anyDate,
      url: anyText,
      serviceList: fc.array(
        fc
          .record({ serviceName: anyText, serviceExpireDate: anyDate, serviceStatus: anyStatus })
          .map((s) => service(s)),
        { maxLength: 30 },
      ),
    });
    fc.assert(
      fc.property(arb, (fields) => {
        const evaluation = evaluate(instance(fields));
        const view = { evaluation, portalUrl: PORTAL, now: NOW, timeZone: 'Pacific/Auckland' };
        expect(validateMessage(renderAlert(view))).toEqual([]);
        expect(validateMessage(renderResolved({ ...view, reason: 'vanished', renewedUntil: null }))).toEqual(
          [],
        );
      }),
      { numRuns: 150 },
    );
  });
});

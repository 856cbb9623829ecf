import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/alerts/block-limits.js';
import { ACTIONS_BLOCK_ID } from '../../src/alerts/render.js';
import type { AlertRecord, Stage } from '../../src/alerts/types.js';
import { ACTION_IDS } from '../../src/alerts/types.js';
import { buildHomeView, HOME_BLOCK_LIMIT } from '../../src/slack/home-view.js';
import {
  activationReply,
  auditReply,
  EXPIRING_MORE_ACTION,
  expiringPage,
  parseMoreValue,
  statusReply,
  usageReply,
} from '../../src/slack/replies.js';
import type { Instance } from '../../src/yeastar/types.js';
import { DAY, type EvaluationOptions, evaluation, NOW } from '../alerts/state-fixtures.js';

const CLOCK = { now: NOW, timeZone: 'UTC' };
const PORTAL = 'https://partner.example.com';

function record(
  n: number,
  stage: Stage,
  patch: Partial<AlertRecord> = {},
  options: EvaluationOptions = {},
): AlertRecord {
  const e = evaluation(n, stage, options);
  return {
    alertKey: e.alertKey,
    stage,
    severity: e.severity,
    digest: e.digest,
    evaluation: e,
    message: null,
    messages: [],
    acknowledgedBy: null,
    acknowledgedAt: null,
    snoozedUntil: null,
    snoozedBy: null,
    firstSeenAt: NOW,
    lastSeenAt: NOW,
    cycleId: 'c1',
    missedCycles: 0,
    resolvedAt: null,
    resolveReason: null,
    ...patch,
  };
}

function allText(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

describe('expiring pages', () => {
  const records = Array.from({ length: 40 }, (_, i) => record(i, i % 2 ? '7d' : 'expired'));

  it('shows at most 40 and offers the next page with its offset', () => {
    const page = expiringPage({ ...CLOCK, days: 30, offset: 0, total: 95, records });
    expect(page.shown).toBe(40);
    expect(page.nextOffset).toBe(40);
    expect(validateMessage(page)).toEqual([]);
    const actions = page.blocks.at(-1) as {
      type: string;
      elements: Array<{ action_id: string; value: string }>;
    };
    expect(actions.type).toBe('actions');
    expect(actions.elements[0]?.action_id).toBe(EXPIRING_MORE_ACTION);
    expect(parseMoreValue(actions.elements[0]?.value)).toEqual({ days: 30, offset: 40 });
    expect(allText(page.blocks)).toContain('SN000000');
    expect(allText(page.blocks)).toContain('SN000039');
    expect(page.text).toContain('1–40');
  });

  it('has no "Show more" on the last page', () => {
    const page = expiringPage({ ...CLOCK, days: 30, offset: 80, total: 95, records: records.slice(0, 15) });
    expect(page.nextOffset).toBeNull();
    expect(page.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(page.text).toContain('81–95');
  });

  it('says so when nothing expires', () => {
    const page = expiringPage({ ...CLOCK, days: 7, offset: 0, total: 0, records: [] });
    expect(page.text).toBe('No open alerts expire within 7 days.');
  });

  it('stays inside Slack limits with long names from the API', () => {
    const long = records.map((r) => {
      const e = r.evaluation!;
      return { ...r, evaluation: { ...e, subject: { ...e.subject, planName: 'P'.repeat(5_000) } } };
    });
    const page = expiringPage({ ...CLOCK, days: 30, offset: 0, total: 40, records: long });
    expect(validateMessage(page)).toEqual([]);
    expect(page.shown).toBeGreaterThan(0);
  });

  it('rejects a tampered "Show more" value', () => {
    for (const bad of [
      '',
      'x',
      '{"days":0,"offset":0}',
      '{"days":30,"offset":-1}',
      '{"days":"30"}',
      'null',
    ]) {
      expect(parseMoreValue(bad), bad).toBeNull();
    }
  });
});

describe('home view', () => {
  it('counts by stage and product line and lists 20 alerts with their buttons, under 100 blocks', () => {
    const records = Array.from({ length: 25 }, (_, i) =>
      record(i, '3d', i === 0 ? { acknowledgedBy: 'U1', acknowledgedAt: NOW } : {}),
    );
    const view = buildHomeView({
      counts: { byStage: { '3d': 20, expired: 5 }, byProduct: { '13': 22, '12': 3 }, total: 25 },
      records,
      ...CLOCK,
      portalUrl: PORTAL,
      lastCycleAt: NOW - 60_000,
    });
    expect(view.type).toBe('home');
    expect(view.blocks.length).toBeLessThanOrEqual(HOME_BLOCK_LIMIT);
    const text = allText(view.blocks);
    expect(text).toContain('Expires within 3 days: *20*');
    expect(text).toContain('Expired: *5*');
    expect(text).toContain('P-Series Cloud Edition: *22*');
    expect(text).toContain('…and 5 more');
    const actions = view.blocks.filter((b) => (b as { type: string }).type === 'actions') as Array<{
      block_id: string;
      elements: Array<{ action_id: string }>;
    }>;
    expect(actions).toHaveLength(20);
    expect(actions[0]?.block_id).toBe(`${ACTIONS_BLOCK_ID}:13:SN000000`);
    // The acknowledged one has no Acknowledge button left; the others do.
    expect(actions[0]?.elements.map((e) => e.action_id)).not.toContain(ACTION_IDS.acknowledge);
    expect(actions[1]?.elements.map((e) => e.action_id)).toContain(ACTION_IDS.acknowledge);
    expect(actions[1]?.elements.map((e) => e.action_id)).toContain(ACTION_IDS.snooze);
    expect(new Set(actions.map((a) => a.block_id)).size).toBe(20);
  });

  it('offers the same dated snooze menu as the channel message, for the configured thresholds', () => {
    // 20 days before expiry at stage 30d: from the fixtures' noon, in UTC.
    const open = record(1, '30d', {}, { expiresAt: NOW + 20 * DAY });
    const menuOf = (thresholds?: number[]) => {
      const view = buildHomeView({
        counts: { byStage: { '30d': 1 }, byProduct: { '13': 1 }, total: 1 },
        records: [open],
        ...CLOCK,
        portalUrl: PORTAL,
        lastCycleAt: null,
        ...(thresholds ? { thresholds } : {}),
      });
      const actions = view.blocks.find((b) => (b as { type: string }).type === 'actions') as {
        elements: Array<{ action_id: string; options?: Array<{ value: string; text: { text: string } }> }>;
      };
      return actions.elements
        .find((e) => e.action_id === ACTION_IDS.snooze)
        ?.options?.map((o) => [o.value, o.text.text]);
    };
    expect(menuOf([30, 14, 7, 3, 1])).toEqual([
      ['1d', 'Snooze 1 day (Mon 16 Jun)'],
      ['7d', 'Snooze 7 days (Sun 22 Jun)'],
      ['next', 'Until next stage (Sat 21 Jun)'],
      ['before:7', 'Until 7 days before expiry (Sat 28 Jun)'],
      ['before:3', 'Until 3 days before expiry (Wed 2 Jul)'],
      ['before:1', 'Until 1 day before expiry (Fri 4 Jul)'],
    ]);
    expect(menuOf([30, 3])?.map(([value]) => value)).toEqual(['1d', '7d', 'next']);
  });

  it('shows the notice and an empty board', () => {
    const view = buildHomeView({
      counts: { byStage: {}, byProduct: {}, total: 0 },
      records: [],
      ...CLOCK,
      portalUrl: PORTAL,
      lastCycleAt: null,
      notice: 'The alert for *SN1* has resolved since',
    });
    const text = allText(view.blocks);
    expect(text).toContain('has resolved since');
    expect(text).toContain('No completed poll cycle yet');
    expect(text).toContain('Nothing is expiring');
  });
});

describe('status, activation and audit answers', () => {
  const instance: Instance = {
    productId: '12',
    productNo: '3658B4311196UZ4A',
    activationCode: 'SECRET-CODE-123',
    activationStatus: 'activated',
    comment: null,
    createTime: null,
    currentPlan: null,
    currentPlanExpireDate: null,
    customerEmail: null,
    endUserInfo: { address: null, companyName: 'Acme <Corp>', contactName: 'Ann', email: 'ann@acme.test' },
    model: null,
    nextPlan: null,
    nextPlanExpireDate: null,
    nextPlanStartDate: null,
    partnerEmail: null,
    planAutoRenewal: false,
    planExpireDate: NOW + 3 * DAY,
    planId: '1',
    planName: 'Ultimate Plan',
    planServicePeriod: null,
    planStatus: 'subscribing',
    productAdminEmail: null,
    quantity: null,
    referrer: null,
    serviceList: [
      {
        serviceId: '9',
        serviceName: 'Call Recording',
        serviceStatus: 'expiring',
        serviceExpireDate: NOW + 2 * DAY,
        serviceAutoRenewal: true,
        servicePeriod: null,
        quantity: null,
      },
    ],
    url: null,
    yeastarId: null,
  };

  it('status shows plan, expiry, services and the alert state, never the activation code', () => {
    const reply = statusReply({
      ...CLOCK,
      instance,
      productName: 'P-Series Software Edition',
      record: record(1, '3d', { acknowledgedBy: 'U77', acknowledgedAt: NOW }),
      portalUrl: PORTAL,
    });
    const text = allText(reply.blocks);
    expect(text).toContain('3658B4311196UZ4A');
    expect(text).toContain('Ultimate Plan');
    expect(text).toContain('in 3 days');
    expect(text).toContain('Call Recording');
    expect(text).toContain('Expires within 3 days');
    expect(text).toContain('acknowledged by <@U77>');
    expect(text).toContain('Acme &lt;Corp&gt;');
    expect(text).not.toContain('SECRET-CODE-123');
    expect(validateMessage(reply)).toEqual([]);
  });

  it('status says where the alert was posted and when people were last notified', () => {
    const open = record(1, '1d', {
      message: { channel: 'CALERTS', ts: '1.1' },
      messages: [
        { channel: 'CALERTS', ts: '1.1' },
        { channel: 'CFINANCE', ts: '2.2' },
      ],
      notifiedAt: NOW - DAY,
    });
    const text = allText(
      statusReply({ ...CLOCK, instance, productName: null, record: open, portalUrl: PORTAL }).blocks,
    );
    expect(text).toContain('posted in <#CALERTS>, <#CFINANCE>');
    expect(text).toContain(`last notified <!date^${(NOW - DAY) / 1000}^`);
    // Once resolved, where it was is history: the line goes.
    const resolved = { ...open, resolvedAt: NOW, resolveReason: 'renewed' as const };
    const after = allText(
      statusReply({ ...CLOCK, instance, productName: null, record: resolved, portalUrl: PORTAL }).blocks,
    );
    expect(after).not.toContain('posted in');
  });

  it('status without an alert says so', () => {
    const reply = statusReply({ ...CLOCK, instance, productName: null, record: null, portalUrl: PORTAL });
    expect(allText(reply.blocks)).toContain('none open');
  });

  it('activation answers: the code only when allowed', () => {
    const allowed = activationReply({ outcome: 'allowed', sn: 'SN1', code: 'ABC-123', generateTime: null });
    expect(allText(allowed.blocks)).toContain('ABC-123');
    expect(allowed.text).not.toContain('ABC-123');
    const refused = activationReply({ outcome: 'refused', sn: 'SN1' });
    expect(refused.text).toMatch(/not on the list/);
    expect(activationReply({ outcome: 'not_found', sn: 'SN1' }).text).toMatch(/No P-Series Software Edition/);
  });

  it('audit lists entries newest first', () => {
    const reply = auditReply([
      { id: '2-0', user: 'U2', sn: 'SN2', at: NOW, outcome: 'refused', via: 'button' },
      { id: '1-0', user: 'U1', sn: 'SN1', at: NOW - 1000, outcome: 'allowed', via: 'command' },
    ]);
    const text = allText(reply.blocks);
    expect(text.indexOf('SN2')).toBeLessThan(text.indexOf('SN1'));
    expect(text).toContain('refused · via button');
    expect(auditReply([]).text).toMatch(/No activation-code requests/);
  });

  it('usage carries the problem first', () => {
    const reply = usageReply('Unknown subcommand `x`.');
    expect(allText(reply.blocks)).toMatch(/Unknown subcommand.*Usage/s);
  });
});

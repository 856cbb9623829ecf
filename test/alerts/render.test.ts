import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/alerts/block-limits.js';
import {
  type AlertView,
  alertKeyFromBlockId,
  portalLink,
  renderAlert,
  renderDigest,
  renderResolved,
  renderThreadReply,
  slackDate,
} from '../../src/alerts/render.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import { ACTION_IDS, type Enrichment, type Evaluation } from '../../src/alerts/types.js';
import type { Instance } from '../../src/yeastar/types.js';
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

const PORTAL = 'https://partner.yeastar.com';

function evaluate(subject: Instance, now = NOW, timeZone = 'UTC'): Evaluation {
  return evaluateInstance(subject, { now, thresholds: THRESHOLDS, timeZone });
}

function view(evaluation: Evaluation, extra: Partial<AlertView> = {}): AlertView {
  return { evaluation, portalUrl: PORTAL, now: NOW, timeZone: 'UTC', ...extra };
}

type Block = { type: string; block_id?: string; text?: { text: string }; fields?: Array<{ text: string }> };
type Element = {
  type: string;
  action_id: string;
  value?: string;
  url?: string;
  style?: string;
  text?: { text: string };
  options?: Array<{ text: { text: string }; value: string }>;
};

/** Everything a reader sees in the blocks, as one string. */
function visible(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

function header(blocks: unknown[]): string {
  const block = (blocks as Block[]).find((b) => b.type === 'header');
  return block?.text?.text ?? '';
}

function actions(blocks: unknown[]): Element[] {
  const block = (blocks as Array<Block & { elements?: Element[] }>).find((b) => b.type === 'actions');
  return block?.elements ?? [];
}

function buttonLabels(blocks: unknown[]): string[] {
  return actions(blocks).map((e) => e.text?.text ?? e.action_id);
}

describe('renderAlert', () => {
  const now = Date.parse('2024-10-28T12:00:00Z');
  const { trialing, switching } = pageExamples();

  it('shows the trialing example of page 000 as a high alert three days out', () => {
    const evaluation = evaluate(trialing, now);
    const message = renderAlert(view(evaluation, { now }));
    expect(message.text).toBe('Expiring in 3 days: 3658B4311196UZ4A — Ultimate Plan (trial)');
    expect(header(message.blocks)).toBe(
      ':large_orange_circle: High · Plan expires within 3 days · 3658B4311196UZ4A',
    );
    const shown = visible(message.blocks);
    expect(shown).toContain('P-Series Cloud Edition');
    expect(shown).toContain('Ultimate Plan — *trial*');
    expect(shown).toContain('<!date^1730345636^{date_short_pretty} {time}|2024-10-31 03:33 UTC> (in 3 days)');
    expect(shown).toContain('*Auto-renewal*\\noff');
    expect(shown).toContain('docs.test.yeastarcloud.com');
    expect(shown).not.toContain(EXAMPLE_ACTIVATION_CODE);
    expect(message.metadata).toEqual({
      event_type: 'yeastar_renewal_alert',
      event_payload: {
        alertKey: '13:3658B4311196UZ4A',
        productId: '13',
        productNo: '3658B4311196UZ4A',
        kind: 'expiring',
        stage: '3d',
        // What a rebuild from Slack compares the next evaluation with (src/jobs/rebuild.ts).
        digest: expect.any(String),
      },
    });
    expect(validateMessage(message)).toEqual([]);
  });

  it('offers Acknowledge, the snooze menu and Open in Partner Portal, each naming the alert', () => {
    const message = renderAlert(view(evaluate(trialing, now), { now }));
    const elements = actions(message.blocks);
    expect(elements.map((e) => e.action_id)).toEqual([
      ACTION_IDS.acknowledge,
      ACTION_IDS.snooze,
      ACTION_IDS.openPortal,
    ]);
    const [ack, snooze, portal] = elements;
    expect(ack).toMatchObject({ type: 'button', value: '13:3658B4311196UZ4A', style: 'primary' });
    expect(ack?.text?.text).toBe('Acknowledge');
    expect(snooze?.type).toBe('static_select');
    // Three days out: 7 days would outlast the plan, and the next stage (1d) begins on the 30th.
    expect(snooze?.options?.map((o) => [o.value, o.text.text])).toEqual([
      ['1d', 'Snooze 1 day (Tue 29 Oct)'],
      ['next', 'Until next stage (Wed 30 Oct)'],
    ]);
    expect(portal?.url).toBe(portalLink(PORTAL, '13', '3658B4311196UZ4A'));
    expect(portal?.text?.text).toBe('Open in Partner Portal');
    const block = (message.blocks as Block[]).find((b) => b.type === 'actions')!;
    expect(alertKeyFromBlockId(block.block_id!)).toBe('13:3658B4311196UZ4A');
  });

  it('offers every snooze that applies, dated in the alert’s zone, for the configured thresholds', () => {
    // 20 days out at 23:30 UTC: already the 21st in Berlin, so the dates differ from UTC's.
    const at = Date.parse('2025-03-10T23:30:00Z');
    const evaluation = evaluate(instance({ planExpireDate: at + 20 * DAY }), at, 'Europe/Berlin');
    expect(evaluation.stage).toBe('30d');
    const menu = (thresholds?: number[]) =>
      actions(renderAlert(view(evaluation, { now: at, timeZone: 'Europe/Berlin', thresholds })).blocks)
        .find((e) => e.action_id === ACTION_IDS.snooze)
        ?.options?.map((o) => [o.value, o.text.text]);
    expect(menu([30, 14, 7, 3, 1])).toEqual([
      ['1d', 'Snooze 1 day (Wed 12 Mar)'],
      ['7d', 'Snooze 7 days (Tue 18 Mar)'],
      ['next', 'Until next stage (Mon 17 Mar)'],
      ['before:7', 'Until 7 days before expiry (Mon 24 Mar)'],
      ['before:3', 'Until 3 days before expiry (Fri 28 Mar)'],
      ['before:1', 'Until 1 day before expiry (Sun 30 Mar)'],
    ]);
    // Without the configured list, ALERT_DAYS' default applies; with another list, its stages do.
    expect(menu()).toEqual(menu([30, 14, 7, 3, 1]));
    expect(menu([30, 10])?.map(([value]) => value)).toEqual(['1d', '7d', 'next']);
  });

  it('offers the activation code only for P-Series Software Edition (product 12)', () => {
    const software = renderAlert(view(evaluate(instance({ productId: '12', planExpireDate: NOW + DAY }))));
    const cloud = renderAlert(view(evaluate(instance({ productId: '13', planExpireDate: NOW + DAY }))));
    expect(buttonLabels(software.blocks)).toContain('Get activation code');
    expect(actions(software.blocks).find((e) => e.action_id === ACTION_IDS.activationCode)?.value).toBe(
      '12:3658B4311196UZ4A',
    );
    expect(buttonLabels(cloud.blocks)).not.toContain('Get activation code');
    expect(visible(software.blocks)).not.toContain(EXAMPLE_ACTIVATION_CODE);
  });

  it('says who acknowledged and when, and drops the Acknowledge button', () => {
    const evaluation = evaluate(instance({ planExpireDate: NOW + DAY }));
    const record = {
      acknowledgedBy: 'U012ABCDEF',
      acknowledgedAt: NOW - HOUR,
      snoozedUntil: null,
      snoozedBy: null,
      resolvedAt: null,
      resolveReason: null,
    };
    const message = renderAlert(view(evaluation, { record }));
    expect(visible(message.blocks)).toContain(`Acknowledged by <@U012ABCDEF> at ${slackDate(NOW - HOUR)}`);
    expect(actions(message.blocks).map((e) => e.action_id)).not.toContain(ACTION_IDS.acknowledge);
    expect(actions(message.blocks).map((e) => e.action_id)).toContain(ACTION_IDS.snooze);
    expect(validateMessage(message)).toEqual([]);
  });

  it('says until when and by whom it is snoozed, only while the snooze lasts', () => {
    const evaluation = evaluate(instance({ planExpireDate: NOW + DAY }));
    const record = {
      acknowledgedBy: null,
      acknowledgedAt: null,
      snoozedUntil: NOW + 7 * DAY,
      snoozedBy: 'U0SNOOZER',
      resolvedAt: null,
      resolveReason: null,
    };
    const snoozed = renderAlert(view(evaluation, { record }));
    expect(visible(snoozed.blocks)).toContain(`Snoozed until ${slackDate(NOW + 7 * DAY)} by <@U0SNOOZER>`);
    expect(buttonLabels(snoozed.blocks)).toContain('Acknowledge');
    const ended = renderAlert(view(evaluation, { record, now: NOW + 8 * DAY }));
    expect(visible(ended.blocks)).not.toContain('Snoozed until');
  });

  it.each([
    [NOW + 3 * DAY, 'in 3 days', 'Expiring in 3 days'],
    [NOW + HOUR, 'today', 'Expiring today'],
    [NOW - HOUR, 'expired today', 'Expired today'],
    [NOW - 2 * DAY, 'expired 2 days ago', 'Expired 2 days ago'],
  ])('words the days left (%i) as "%s"', (planExpireDate, phrase, lead) => {
    const message = renderAlert(view(evaluate(instance({ planExpireDate }))));
    expect(visible(message.blocks)).toContain(`(${phrase})`);
    expect(message.text).toBe(`${lead}: 3658B4311196UZ4A — Ultimate Plan`);
  });

  it('counts days on the clock it renders with, not the one it evaluated with', () => {
    const evaluation = evaluate(instance({ planExpireDate: NOW + 5 * DAY }));
    const later = renderAlert(view(evaluation, { now: NOW + 2 * DAY }));
    expect(later.text).toBe('Expiring in 3 days: 3658B4311196UZ4A — Ultimate Plan');
  });

  it('says "date unknown" when the status says expiring but no date came', () => {
    const message = renderAlert(view(evaluate(instance({ planStatus: 'expiring', planExpireDate: null }))));
    expect(message.text).toBe('Expiring (date unknown): 3658B4311196UZ4A — Ultimate Plan');
    expect(visible(message.blocks)).toContain('*Plan expiry*\\ndate unknown');
    expect(message.metadata.event_payload.stage).toBe('30d');
  });

  it('states auto-renewal when it is on', () => {
    const message = renderAlert(
      view(evaluate(instance({ planExpireDate: NOW + DAY, planAutoRenewal: true }))),
    );
    expect(visible(message.blocks)).toContain('*Auto-renewal*\\non');
    expect(header(message.blocks)).toMatch(/^:large_yellow_circle: Warning · Plan expires within 1 day · /);
  });

  it('shows the switch: current plan and its end, next plan and its start', () => {
    const message = renderAlert(view(evaluate(switching, now), { now }));
    const shown = visible(message.blocks);
    expect(shown).toContain(
      `*Current plan*\\nUltimate Plan\\nuntil ${slackDate(1736390176000)} (in 73 days)`,
    );
    expect(shown).toContain(`*Next plan*\\nEnterprise Plan\\nfrom ${slackDate(1736390177000)}`);
    expect(shown).toContain('*Customer*\\nPCE Customer Test Company\\nPCE Customer Test\\ncustomer@test.com');
    expect(message.metadata.event_payload.kind).toBe('service_expired');
    expect(message.text).toBe(
      'Service expired 193 days ago: 3658B4311196WEFY — Recording Minutes (Ultimate Plan) (+1 more)',
    );
  });

  it('names a plan switch in the notification text', () => {
    const message = renderAlert(
      view(
        evaluate(
          instance({
            planStatus: 'switching',
            currentPlan: 'Ultimate Plan',
            currentPlanExpireDate: NOW + 4 * DAY,
            nextPlan: 'Enterprise Plan',
          }),
        ),
      ),
    );
    expect(message.text).toBe('Switching plan in 4 days: 3658B4311196UZ4A — Ultimate Plan → Enterprise Plan');
    expect(header(message.blocks)).toContain('Plan switching');
    expect(message.metadata.event_payload).toMatchObject({ kind: 'switching', stage: 'switching' });
  });

  it('lists the services involved with their renewal options', () => {
    const evaluation = evaluate(
      instance({
        serviceList: [
          service({ serviceId: '1', serviceName: 'Recording Minutes', serviceExpireDate: NOW + 2 * DAY }),
          service({ serviceId: '2', serviceName: 'Call Center', serviceExpireDate: NOW + 10 * DAY }),
          service({ serviceId: '3', serviceName: 'Healthy Service', serviceExpireDate: NOW + 300 * DAY }),
        ],
      }),
    );
    const enrichment: Enrichment = {
      options: [
        {
          subject: 'service',
          name: 'Recording Minutes',
          id: '1',
          pricingId: '77',
          renewable: true,
          billingCycles: ['month', 'year'],
          billingModels: [],
        },
        {
          subject: 'service',
          name: 'Call Center',
          id: '2',
          pricingId: '78',
          renewable: false,
          billingCycles: [],
          billingModels: [],
        },
      ],
      error: null,
    };
    const message = renderAlert(view(evaluation, { enrichment }));
    const shown = visible(message.blocks);
    expect(shown).toContain('*Services* (2)');
    expect(shown).toContain('• *Recording Minutes* — expires');
    expect(shown).toContain(
      '(in 2 days) · auto-renewal off\\n    Renew it in the Partner Portal, billed monthly or yearly',
    );
    expect(shown).toMatch(
      /\*Call Center\* — expires [^•]*\(in 10 days\)[^•]*The Partner Portal offers no renewal for it: ask Yeastar/,
    );
    expect(shown).not.toContain('Healthy Service');
    expect(message.text).toBe(
      'Service expiring in 2 days: 3658B4311196UZ4A — Recording Minutes (Ultimate Plan) (+1 more)',
    );
    expect(message.metadata.event_payload.kind).toBe('service_expiring');
  });

  it('says when renewal options could not be fetched', () => {
    const message = renderAlert(
      view(evaluate(instance({ planExpireDate: NOW + DAY })), {
        enrichment: { options: [], error: 'Partner API timed out <after 10 s>' },
      }),
    );
    expect(visible(message.blocks)).toContain(
      'renewal options unavailable: Partner API timed out &lt;after 10 s&gt;',
    );
  });

  it('escapes what the API sent, so a name cannot ping the channel or forge a link', () => {
    const message = renderAlert(
      view(evaluate(instance({ planExpireDate: NOW + DAY, planName: '<!channel> & <http://evil|click>' }))),
    );
    expect(message.text).toBe(
      'Expiring in 1 day: 3658B4311196UZ4A — &lt;!channel&gt; &amp; &lt;http://evil|click&gt;',
    );
    expect(visible(message.blocks)).not.toContain('<!channel>');
    expect(validateMessage(message)).toEqual([]);
  });
});

describe('renderResolved', () => {
  const evaluation = evaluate(instance({ planExpireDate: NOW + 3 * DAY }));

  it('keeps the facts, says renewed until when, and has no buttons', () => {
    const renewed = evaluate(instance({ planExpireDate: NOW + 365 * DAY }));
    const message = renderResolved({ ...view(renewed), reason: 'renewed', renewedUntil: NOW + 365 * DAY });
    const shown = visible(message.blocks);
    expect(header(message.blocks)).toBe(':white_check_mark: Resolved · 3658B4311196UZ4A');
    expect(shown).toContain(`Resolved: renewed until ${slackDate(NOW + 365 * DAY, '{date_short_pretty}')}`);
    expect(shown).toContain('P-Series Cloud Edition');
    expect(shown).toContain('PCE Customer Test Company');
    expect((message.blocks as Block[]).some((b) => b.type === 'actions')).toBe(false);
    expect(message.text).toBe('Resolved: renewed until 2026-06-15: 3658B4311196UZ4A — Ultimate Plan');
    expect(message.metadata.event_payload).toMatchObject({
      kind: 'resolved',
      alertKey: '13:3658B4311196UZ4A',
    });
    expect(validateMessage(message)).toEqual([]);
  });

  it('says "no longer listed" when the instance vanished', () => {
    const message = renderResolved({ ...view(evaluation), reason: 'vanished', renewedUntil: null });
    expect(message.text).toBe('Resolved: no longer listed: 3658B4311196UZ4A — Ultimate Plan');
    expect(visible(message.blocks)).toContain('Resolved: no longer listed');
    expect(buttonLabels(message.blocks)).toEqual([]);
    expect(message.metadata.event_payload.kind).toBe('resolved');
  });
});

describe('renderThreadReply', () => {
  const evaluation = evaluate(instance({ planExpireDate: NOW + 2 * DAY }));

  it('says what escalated from what', () => {
    const reply = renderThreadReply('escalated', { ...view(evaluation), previousStage: '7d' });
    expect(reply.text).toBe(
      'Escalated: expires within 3 days (was within 7 days): Expiring in 2 days: 3658B4311196UZ4A — Ultimate Plan',
    );
    expect(validateMessage(reply)).toEqual([]);
  });

  it('announces a renewal, a vanished instance and a reminder', () => {
    const resolved = renderThreadReply('resolved', { ...view(evaluation), renewedUntil: NOW + 30 * DAY });
    expect(resolved.text).toBe('Resolved: renewed until 2025-07-15: 3658B4311196UZ4A');
    expect(visible(resolved.blocks)).toContain(slackDate(NOW + 30 * DAY, '{date_short_pretty}'));
    const vanished = renderThreadReply('vanished', view(evaluation));
    expect(vanished.text).toBe('Resolved: no longer listed: 3658B4311196UZ4A');
    const reminder = renderThreadReply('reminder', view(evaluation));
    expect(reminder.text).toBe('Reminder: Expiring in 2 days: 3658B4311196UZ4A — Ultimate Plan');
    for (const reply of [resolved, vanished, reminder]) expect(validateMessage(reply)).toEqual([]);
  });
});

describe('renderDigest', () => {
  it('counts by stage and product line, lists the most urgent first, the rest as "and N more"', () => {
    const evaluations = [
      evaluate(instance({ productNo: 'SN-30', planExpireDate: NOW + 20 * DAY })),
      evaluate(instance({ productNo: 'SN-EXP', productId: '12', planExpireDate: NOW - DAY })),
      evaluate(instance({ productNo: 'SN-3', planExpireDate: NOW + 3 * DAY })),
      evaluate(instance({ productNo: 'SN-2', planExpireDate: NOW + 2 * DAY })),
      evaluate(instance({ productNo: 'SN-OK' })), // healthy: not an alert
    ];
    const digest = renderDigest(evaluations, { limit: 2, now: NOW, timeZone: 'UTC' });
    expect(digest.text).toBe('4 renewal alerts: 1 expired, 2 within 3 days, 1 within 30 days');
    const shown = visible(digest.blocks);
    expect(shown).toContain('• Expired: *1*');
    expect(shown).toContain('• Expires within 3 days: *2*');
    expect(shown).toContain('• P-Series Cloud Edition: *3*');
    expect(shown).toContain('• P-Series Software Edition: *1*');
    const list = (digest.blocks as Block[]).find((b) => b.text?.text.startsWith('*Most urgent*'))!.text!.text;
    expect(list.split('\n').slice(1)).toEqual([
      expect.stringContaining('Expired 1 day ago: SN-EXP'),
      expect.stringContaining('Expiring in 2 days: SN-2'),
      '…and 2 more',
    ]);
    expect(shown).not.toContain('SN-OK');
    expect(shown).toContain('most urgent first');
    expect(validateMessage(digest)).toEqual([]);
  });

  it('says "so far" while the scan runs, and what order the thread is in once it is complete', () => {
    const evaluations = [
      evaluate(instance({ productNo: 'SN-3', planExpireDate: NOW + 3 * DAY })),
      evaluate(instance({ productNo: 'SN-2', planExpireDate: NOW + 2 * DAY })),
    ];
    const partial = renderDigest(evaluations, { now: NOW, timeZone: 'UTC', streamed: 'partial' });
    expect(partial.text).toBe('2 renewal alerts so far: 2 within 3 days');
    expect(visible(partial.blocks)).toContain('The scan is still running: more may follow.');
    const complete = renderDigest(evaluations, { now: NOW, timeZone: 'UTC', streamed: 'complete' });
    expect(complete.text).toBe('2 renewal alerts: 2 within 3 days');
    expect(visible(complete.blocks)).toContain('in the order the scan found them');
    expect(visible(complete.blocks)).not.toContain('most urgent first');
    for (const digest of [partial, complete]) expect(validateMessage(digest)).toEqual([]);
  });
});

describe('the headline names what is expiring and never says more than the finding', () => {
  it('calls a service that expired under a plan that runs on a service, not the instance', () => {
    const evaluation = evaluate(
      instance({
        planExpireDate: NOW + 700 * DAY,
        serviceList: [service({ serviceStatus: 'expired', serviceExpireDate: NOW - 11 * DAY })],
      }),
    );
    expect(evaluation.stage).toBe('expired');
    const message = renderAlert(view(evaluation));
    expect(header(message.blocks)).toMatch(/^:red_circle: Critical · Service expired · /);
    expect(message.text).toMatch(/^Service expired 11 days ago: /);
  });

  it('does not put a number of days on an expiry the API gave no date for', () => {
    const message = renderAlert(view(evaluate(instance({ planStatus: 'expiring', planExpireDate: null }))));
    expect(header(message.blocks)).toMatch(/ · Plan expiring, date unknown · /);
    expect(header(message.blocks)).not.toMatch(/within/);
  });
});

import { describe, expect, it } from 'vitest';
import type { AlertView } from '../../src/alerts/render.js';
import { renderPlain, renderPlainList } from '../../src/alerts/render-plain.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import type { Instance } from '../../src/yeastar/types.js';
import {
  DAY,
  EXAMPLE_ACTIVATION_CODE,
  instance,
  NOW,
  pageExamples,
  service,
  THRESHOLDS,
} from './rules-fixtures.js';

const ESC = '\x1b';

function view(subject: Instance, extra: Partial<AlertView> = {}, now = NOW, timeZone = 'UTC'): AlertView {
  const evaluation = evaluateInstance(subject, { now, thresholds: THRESHOLDS, timeZone });
  return { evaluation, portalUrl: 'https://partner.yeastar.com', now, timeZone, ...extra };
}

describe('renderPlain', () => {
  const now = Date.parse('2024-10-28T12:00:00Z');
  const { trialing, switching } = pageExamples();

  it('shows severity, SN, product line, plan, expiry in the configured zone with days left, and the portal link', () => {
    // 12:00 UTC on Oct 28 is already Oct 29 in Auckland: two calendar days to Oct 31 there.
    const text = renderPlain(view(trialing, {}, now, 'Pacific/Auckland'), { color: false });
    expect(text.split('\n')).toEqual([
      '[HIGH] 3658B4311196UZ4A · Plan expires in 2 days: Ultimate Plan',
      '  Product line: P-Series Cloud Edition',
      '  Plan:         Ultimate Plan (trial) — expires 2024-10-31 16:33 Pacific/Auckland (in 2 days) · auto-renewal off',
      '  Instance URL: docs.test.yeastarcloud.com',
      '  Portal:       https://partner.yeastar.com/?productId=13&productNo=3658B4311196UZ4A',
    ]);
    expect(text).not.toContain(ESC);
    expect(text).not.toContain(EXAMPLE_ACTIVATION_CODE);
  });

  it('shows the switch, the customer and the services with their renewal options', () => {
    const text = renderPlain(
      view(
        switching,
        {
          enrichment: {
            options: [
              {
                subject: 'service',
                name: 'Recording Minutes',
                id: '3048573759449317376',
                pricingId: '1',
                renewable: false,
                billingCycles: [],
                billingModels: [],
              },
            ],
            error: 'plan info: HTTP 503',
          },
        },
        now,
      ),
      { color: false },
    );
    // The plan runs on: the headline names the expired service, not the instance, as expired.
    expect(text.split('\n')[0]).toBe(
      '[CRITICAL] 3658B4311196WEFY · Service expired 193 days ago: Recording Minutes (+1 more)',
    );
    expect(text).toContain('  Customer:     PCE Customer Test Company, PCE Customer Test, customer@test.com');
    expect(text).toContain('  Current plan: Ultimate Plan until 2025-01-09 02:36 UTC (in 73 days)');
    expect(text).toContain(
      '  Next plan:    Enterprise Plan from 2025-01-09 02:36 UTC until 2026-01-09 02:36 UTC',
    );
    expect(text).toContain(
      '    - Recording Minutes — expired 2024-04-18 06:33 UTC (expired 193 days ago) · auto-renewal off\n      The Partner Portal offers no renewal for it: ask Yeastar',
    );
    expect(text).toContain('  Renewal options unavailable: plan info: HTTP 503');
  });

  it('colours by severity only when asked, and strips control characters the API sent', () => {
    const subject = instance({ planExpireDate: NOW - DAY, planName: `Evil${ESC}[2JPlan` });
    const coloured = renderPlain(view(subject), { color: true });
    expect(coloured.startsWith(`${ESC}[1;31m[CRITICAL]${ESC}[0m `)).toBe(true);
    expect(coloured).toContain('Evil [2JPlan');
    expect(coloured.split(ESC)).toHaveLength(3); // only our own colour codes
    expect(renderPlain(view(subject), { color: false })).not.toContain(ESC);
  });

  it('says "date unknown" and shows acknowledgement and snooze', () => {
    const text = renderPlain(
      view(instance({ planStatus: 'expiring', planExpireDate: null, planAutoRenewal: true }), {
        record: {
          acknowledgedBy: 'U1',
          acknowledgedAt: NOW,
          snoozedUntil: NOW + DAY,
          snoozedBy: 'U2',
          resolvedAt: null,
          resolveReason: null,
        },
      }),
      { color: false },
    );
    expect(text).toContain('Ultimate Plan — expiry date unknown · auto-renewal on');
    // Not "within 30 days": nobody knows how close it is.
    expect(text.split('\n')[0]).toBe('[INFO] 3658B4311196UZ4A · Plan expiring, date unknown: Ultimate Plan');
    expect(text).toContain('  Acknowledged by U1 at 2025-06-15 12:00 UTC');
    expect(text).toContain('  Snoozed until 2025-06-16 12:00 UTC by U2');
  });
});

describe('renderPlainList', () => {
  it('lists the most urgent first', () => {
    const views = [
      view(instance({ productNo: 'LATER', planExpireDate: NOW + 20 * DAY })),
      view(instance({ productNo: 'GONE', planExpireDate: NOW - DAY })),
      view(instance({ productNo: 'SERVICE', serviceList: [service({ serviceExpireDate: NOW + 2 * DAY })] })),
      view(instance({ productNo: 'SOON', planExpireDate: NOW + 5 * DAY })),
    ];
    const heads = renderPlainList(views, { color: false })
      .split('\n')
      .filter((line) => line.startsWith('['));
    expect(heads.map((h) => h.split(' ')[1])).toEqual(['GONE', 'SERVICE', 'SOON', 'LATER']);
    expect(renderPlainList([], { color: false })).toBe('No renewal alerts.');
  });
});

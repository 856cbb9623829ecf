import fc from 'fast-check';
import { portalLink } from '../../src/alerts/render.js';
import type { ForecastItem } from '../../src/forecast/items.js';

/** Shared by the forecast tests: items built by hand and at random, around fixed instants. */

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const PORTAL = 'https://partner.yeastar.com';
/** Wednesday 2027-03-24 10:00 in Berlin (CET, UTC+1): the clocks go forward on Sunday the 28th. */
export const BERLIN_SPRING_NOW = Date.UTC(2027, 2, 24, 9, 0, 0);
/** Wednesday 2027-10-27 10:00 in Berlin (CEST, UTC+2): the clocks go back on Sunday the 31st. */
export const BERLIN_AUTUMN_NOW = Date.UTC(2027, 9, 27, 8, 0, 0);

export function item(overrides: Partial<ForecastItem> = {}): ForecastItem {
  const sn = overrides.sn ?? '3658B4311196UZ4A';
  const productId = overrides.productId ?? '13';
  return {
    sn,
    productId,
    productLine: 'P-Series Cloud Edition',
    customer: 'Acme Ltd',
    name: 'Ultimate Plan',
    kind: 'plan',
    expiresAt: BERLIN_SPRING_NOW + 10 * DAY,
    autoRenew: false,
    portalUrl: portalLink(PORTAL, productId, sn),
    ...overrides,
  };
}

/** Names a partner's data may hold: commas, quotes, newlines, accents, emoji, mrkdwn and HTML-ish text. */
export const awkwardText = fc.oneof(
  fc.constantFrom(
    'Müller & Söhne, GmbH',
    'The "Best" Hotel',
    'Line one\nline two',
    'Crème brûlée S.A.R.L.\r\nParis',
    '東京テレコム株式会社',
    'Zoë 🚀 <b>bold</b> *stars* _under_',
    '=HYPERLINK("x")',
    ' spaced  out ',
  ),
  fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
);

/**
 * Items of a few instances (so that customers, names and product lines repeat, as in real data), with
 * expiries from `from` to `from + spanDays` days.
 */
export function arbItems(from: number, spanDays: number, maxItems = 60): fc.Arbitrary<ForecastItem[]> {
  const instance = fc.record({
    sn: fc.stringMatching(/^3658B4[0-9A-Z]{10}$/),
    productId: fc.constantFrom('9', '11', '12', '13'),
    productLine: fc.constantFrom('Linkus Cloud Service', 'P-Series Cloud Edition', 'Remote, "Management"'),
    customer: fc.oneof(awkwardText, fc.constantFrom('Acme Ltd', 'acme ltd', 'Beacon School')),
  });
  const part = fc.record({
    name: fc.oneof(awkwardText, fc.constantFrom('Ultimate Plan', 'Recording Minutes')),
    kind: fc.constantFrom('plan' as const, 'service' as const),
    expiresAt: fc.integer({ min: from, max: from + spanDays * DAY }),
    autoRenew: fc.boolean(),
  });
  return fc
    .tuple(
      // One record per instance, as the API lists it: the same SN under one product line is one instance.
      fc.uniqueArray(instance, { minLength: 1, maxLength: 8, selector: (i) => `${i.productId}:${i.sn}` }),
      fc.array(part, { maxLength: maxItems }),
    )
    .chain(([instances, parts]) =>
      fc.tuple(...parts.map(() => fc.integer({ min: 0, max: instances.length - 1 }))).map((owners) =>
        parts.map((p, i) => {
          const owner = instances[owners[i]!]!;
          return item({ ...owner, ...p, portalUrl: portalLink(PORTAL, owner.productId, owner.sn) });
        }),
      ),
    );
}

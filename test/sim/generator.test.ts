import { afterEach, describe, expect, it } from 'vitest';
import {
  ATTENTION_KINDS,
  createGenerator,
  DAY_MS,
  defaultAttention,
  isAttentionIndex,
  type RawInstance,
} from '../../sim/generator.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import { getToken, listAll, listPage } from './http.js';

const ANCHOR = Date.UTC(2025, 2, 10, 9, 30);
const ATTENTION_STATUSES = ['expiring', 'expired', 'switching'];

/** The 30-day rule: what the bot should alert on. */
function needsAttention(r: RawInstance): boolean {
  const soon = ANCHOR + 30 * DAY_MS;
  if (ATTENTION_STATUSES.includes(r.planStatus)) return true;
  if (r.planExpireDate !== null && r.planExpireDate <= soon) return true;
  return r.serviceList.some(
    (s) =>
      ['expiring', 'expired'].includes(s.serviceStatus) ||
      (s.serviceExpireDate !== null && s.serviceExpireDate <= soon),
  );
}

/** The 45-day rule: what must stay quiet. */
function healthy(r: RawInstance): boolean {
  const later = ANCHOR + 45 * DAY_MS;
  return (
    ['purchased', 'subscribing'].includes(r.planStatus) &&
    r.planExpireDate !== null &&
    r.planExpireDate > later &&
    r.serviceList.every(
      (s) =>
        !['expiring', 'expired'].includes(s.serviceStatus) &&
        s.serviceExpireDate !== null &&
        s.serviceExpireDate > later,
    )
  );
}

describe('instance generator', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('isAttentionIndex picks exactly `attention` indexes, spread evenly', () => {
    for (const [n, attention] of [
      [10_000, 600],
      [200, 12],
      [1_234, 37],
      [10, 10],
      [10, 0],
    ] as const) {
      let count = 0;
      for (let i = 0; i < n; i++) if (isAttentionIndex(i, n, attention)) count++;
      expect(count).toBe(attention);
    }
    expect(defaultAttention(200)).toBe(12);
  });

  it('over HTTP, N=10,000: exactly `attention` need attention, every other one is healthy', async () => {
    sim = await createSimulator({ instances: 10_000, anchorMs: ANCHOR, seed: 3 });
    const token = await getToken(sim);
    const records: RawInstance[] = [];
    for (const productId of ['9', '11', '12', '13']) {
      records.push(...((await listAll(sim, token, productId)) as unknown as RawInstance[]));
    }
    expect(records).toHaveLength(10_000);
    const attention = records.filter(needsAttention);
    expect(attention).toHaveLength(defaultAttention(10_000));
    for (const r of records) expect(needsAttention(r) || healthy(r), r.productNo).toBe(true);

    // The mix a client must handle is all there.
    const statuses = new Set(attention.map((r) => r.planStatus));
    for (const s of ['expiring', 'expired', 'switching', 'trialing', 'purchased'])
      expect(statuses).toContain(s);
    expect(attention.some((r) => r.planStatus === 'expiring' && r.planExpireDate === null)).toBe(true);
    expect(attention.some((r) => r.serviceList.some((s) => s.serviceStatus === 'expired'))).toBe(true);
    const switching = attention.filter((r) => r.planStatus === 'switching');
    for (const r of switching) {
      expect(r.currentPlan).not.toBe('');
      expect(r.nextPlan).not.toBe('');
      expect(r.nextPlanStartDate).toBeGreaterThan(r.currentPlanExpireDate!);
    }
    const earliest = (r: RawInstance) =>
      Math.min(
        r.planExpireDate!,
        ...r.serviceList.map((s) => s.serviceExpireDate ?? Number.POSITIVE_INFINITY),
      );
    const daysLeft = attention
      .filter((r) => r.planExpireDate !== null)
      .map((r) => Math.floor((earliest(r) - ANCHOR) / DAY_MS));
    expect(Math.min(...daysLeft)).toBeGreaterThanOrEqual(-21);
    expect(Math.min(...daysLeft)).toBeLessThan(-10);
    expect(Math.max(...daysLeft)).toBeGreaterThan(20);
    expect(Math.max(...daysLeft)).toBeLessThanOrEqual(30);

    // A realistic mix of the rest.
    expect(records.some((r) => r.endUserInfo === null)).toBe(true);
    expect(records.some((r) => r.customerEmail === '')).toBe(true);
    expect(records.some((r) => r.createTime === null)).toBe(true);
    const autoRenew = records.filter((r) => r.planAutoRenewal === 1).length / records.length;
    expect(autoRenew).toBeGreaterThan(0.2);
    expect(autoRenew).toBeLessThan(0.4);
    const software = records.filter((r) => r.url.startsWith('pbx.'));
    expect(
      software.every((r) => typeof r.activationCode === 'string' && typeof r.planServicePeriod === 'number'),
    ).toBe(true);
    expect(records.filter((r) => r.planServicePeriod !== undefined)).toHaveLength(software.length);
  });

  it('an explicit attention count is honoured exactly', async () => {
    sim = await createSimulator({ instances: 1_234, attention: 37, anchorMs: ANCHOR });
    const token = await getToken(sim);
    const records: RawInstance[] = [];
    for (const productId of ['9', '11', '12', '13']) {
      records.push(...((await listAll(sim, token, productId)) as unknown as RawInstance[]));
    }
    expect(records.filter(needsAttention)).toHaveLength(37);
  });

  it('is deterministic per seed and different across seeds', () => {
    const a = createGenerator({ seed: 5, instances: 500, attention: 30, anchorMs: ANCHOR });
    const b = createGenerator({ seed: 5, instances: 500, attention: 30, anchorMs: ANCHOR });
    const c = createGenerator({ seed: 6, instances: 500, attention: 30, anchorMs: ANCHOR });
    expect(a.instanceAt(123)).toEqual(b.instanceAt(123));
    expect(a.productNoOf(123)).not.toBe(c.productNoOf(123));
    const sns = new Set(Array.from({ length: 500 }, (_, i) => a.productNoOf(i)));
    expect(sns.size).toBe(500);
    for (let i = 0; i < 500; i++) expect(a.indexOfProductNo(a.productNoOf(i))).toBe(i);
    expect(a.indexOfProductNo('3658B43ZZZZZZZZZ')).toBeUndefined();
    const kinds = new Set(Array.from({ length: 500 }, (_, i) => a.attentionKindOf(i)).filter(Boolean));
    expect(kinds).toEqual(new Set(ATTENTION_KINDS));
  });

  it('serves page 5,000 of a 1,000,000-instance simulator without building the data set', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    sim = await createSimulator({ instances: 1_000_000, anchorMs: ANCHOR });
    const token = await getToken(sim);
    const page = await listPage(sim, token, '13', 5_000, 50);
    expect(page.total).toBe(400_000);
    expect(page.totalPage).toBe(8_000);
    expect(page.results).toHaveLength(50);
    const last = await listPage(sim, token, '9', 1_500, 100);
    expect(last.total).toBe(150_000);
    expect(last.results).toHaveLength(100);
    expect(new Set([...page.results, ...last.results].map((r) => r['productNo'])).size).toBe(150);
    // Materialising a million records would take gigabytes; the simulator holds next to nothing.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
  });
});

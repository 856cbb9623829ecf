import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLatency } from '../../sim/latency.js';

const L = 20;
const PAGE = 'instance_product_list';
const TOKEN = 'oauth/token';

describe('simulator latency: answers aimed at L on average', () => {
  // The clock the simulator reads arrivals and answers from; fake timers move with it.
  let t = 0;
  const now = () => t;
  async function advance(ms: number): Promise<void> {
    t += ms;
    await vi.advanceTimersByTimeAsync(ms);
  }
  /** How long after `arrivedMs` a wait started now resolves, to the millisecond. */
  async function heldFor(latency: ReturnType<typeof createLatency>, kind: string, arrivedMs: number) {
    let resolved = false;
    void latency.wait(kind, arrivedMs, L).then(() => {
      resolved = true;
    });
    for (let step = 0; step <= 2 * L; step++) {
      await vi.advanceTimersByTimeAsync(0);
      if (resolved) return t - arrivedMs;
      await advance(1);
    }
    throw new Error('the wait did not resolve');
  }

  beforeEach(() => {
    vi.useFakeTimers();
    t = 1_000;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('before any answer, an answer is held until L after its arrival', async () => {
    const latency = createLatency(now);
    expect(await heldFor(latency, PAGE, t)).toBe(L);
    // Time already spent since arrival (reading the request) counts towards L.
    const arrived = t;
    t += 3;
    expect(await heldFor(latency, PAGE, arrived)).toBe(L);
  });

  /** Answers that come out `late` ms after the time their timer was aimed at (L less the lead). */
  function answerLate(latency: ReturnType<typeof createLatency>, kind: string, late: number, times: number) {
    for (let i = 0; i < times; i++) latency.answered(kind, 0, L, L - latency.lead(kind) + late);
  }

  it('answers that come out late make the next ones of that kind start earlier, and no other kind', async () => {
    const latency = createLatency(now);
    answerLate(latency, PAGE, 1.6, 80);
    expect(latency.lead(PAGE)).toBeCloseTo(1.6, 1);
    expect(await heldFor(latency, PAGE, t)).toBe(L - 2); // 18.4, to the whole millisecond
    expect(await heldFor(latency, TOKEN, t)).toBe(L);
  });

  it('answers that come out early hold the next ones longer', async () => {
    const latency = createLatency(now);
    answerLate(latency, PAGE, -1, 80);
    expect(latency.lead(PAGE)).toBeCloseTo(-1, 1);
    expect(await heldFor(latency, PAGE, t)).toBe(L + 1);
  });

  it('one answer held up by a stall moves the lead by no more than a twentieth of L', async () => {
    const latency = createLatency(now);
    latency.answered(PAGE, 0, L, L + 50);
    expect(latency.lead(PAGE)).toBeCloseTo(L / 20, 6);
    latency.answered(PAGE, 0, L, 0);
    expect(latency.lead(PAGE)).toBeCloseTo(0, 6);
  });

  it('the late tail counts: a few answers 10 ms late among on-time ones still bring the mean to L', async () => {
    const latency = createLatency(now);
    // One answer in ten 10 ms late, the others on time: a mean of 1 ms late, which a lead that counted
    // only the first 2 ms of each miss would see as 0.2 ms.
    for (let i = 0; i < 2000; i++) answerLate(latency, PAGE, i % 10 === 0 ? 10 : 0, 1);
    expect(latency.lead(PAGE)).toBeGreaterThan(0.6);
    expect(latency.lead(PAGE)).toBeLessThan(1.4);
  });

  it('the lead learns the mean: late and on-time answers settle it between them', async () => {
    const latency = createLatency(now);
    // Half the answers 2 ms late, half on time: a mean of 1 ms late.
    for (let i = 0; i < 400; i++) answerLate(latency, PAGE, i % 2 === 0 ? 2 : 0, 1);
    expect(latency.lead(PAGE)).toBeGreaterThan(0.8);
    expect(latency.lead(PAGE)).toBeLessThan(1.2);
  });

  it('an answer whose request arrived more than L ago goes at once', async () => {
    const latency = createLatency(now);
    expect(await heldFor(latency, PAGE, t - 3 * L)).toBe(3 * L);
  });

  it('cancel drops the waits not yet due: they never resolve', async () => {
    const latency = createLatency(now);
    let resolved = false;
    void latency.wait(PAGE, t, L).then(() => {
      resolved = true;
    });
    latency.cancel();
    await advance(5 * L);
    expect(resolved).toBe(false);
  });
});

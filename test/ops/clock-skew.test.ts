import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { measureClockSkew, warnOnClockSkew } from '../../src/ops/clock-skew.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { redisFixture } from '../helpers/redis.js';

const YEAR_S = 365 * 86_400;

let fixture: Awaited<ReturnType<typeof redisFixture>>;
/** A clock in step with Redis's, whatever the test process's own clock says (faketime moves it). */
let redisClock: () => number;

beforeAll(async () => {
  fixture = await redisFixture('skew');
  const [seconds, micros] = await fixture.redis.time();
  const redisNow = Number(seconds) * 1000 + Number(micros) / 1000;
  const at = performance.now();
  redisClock = () => redisNow + (performance.now() - at);
});
afterAll(async () => {
  await fixture?.close();
});

function capture() {
  const lines: Array<{ level: string; msg: string; clockSkewSeconds?: number }> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe("the bot's clock against Redis's", () => {
  it('measures a clock a year ahead as a year of skew, Redis behind', async () => {
    const skew = await measureClockSkew(fixture.redis, () => redisClock() + YEAR_S * 1000);
    expect(skew).toBeGreaterThan(-YEAR_S - 1);
    expect(skew).toBeLessThan(-YEAR_S + 1);
  });

  it('warns once at start when the clocks are seconds apart, naming the fix', async () => {
    const { lines, logger } = capture();
    await warnOnClockSkew({ redis: fixture.redis, clock: () => redisClock() - 10_000, logger });
    await new Promise((r) => setTimeout(r, 20));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe('warn');
    expect(lines[0]!.msg).toMatch(/clock and Redis's are 10\.\d s apart: .*NTP/);
    expect(lines[0]!.clockSkewSeconds).toBeCloseTo(10, 0);
  });

  it('says nothing when the clocks agree', async () => {
    const { lines, logger } = capture();
    const skew = await warnOnClockSkew({ redis: fixture.redis, clock: redisClock, logger });
    await new Promise((r) => setTimeout(r, 20));
    expect(Math.abs(skew)).toBeLessThan(1);
    expect(lines).toEqual([]);
  });

  it('exports the skew as yeastar_clock_skew_seconds', async () => {
    const metrics = createMetrics({
      clockSkew: () => measureClockSkew(fixture.redis, () => redisClock() - 42_000),
    });
    const { body } = await metrics.render();
    const value = Number(/^yeastar_clock_skew_seconds (\S+)$/m.exec(body)?.[1]);
    expect(value).toBeCloseTo(42, 0);
  });
});

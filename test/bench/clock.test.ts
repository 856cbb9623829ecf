import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { middayOffsetMs } from '../../bench/clock.js';

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("the bench's clock", () => {
  it('reads midday UTC of the same day, even a moment before or after midnight', () => {
    for (const real of ['2026-11-24T23:59:59.999Z', '2026-11-25T00:00:00.000Z', '2026-11-25T11:59:59.000Z']) {
      const realMs = Date.parse(real);
      const read = new Date(realMs + middayOffsetMs(realMs)).toISOString();
      expect(read).toBe(`${real.slice(0, 10)}T12:00:00.000Z`);
    }
  });

  it('leaves a bench of up to eleven hours on one calendar day', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 11 * 3_600_000 }),
        (real, run) => {
          const start = real + middayOffsetMs(real);
          expect(utcDay(start + run)).toBe(utcDay(start));
          expect(utcDay(start)).toBe(utcDay(real));
        },
      ),
    );
  });
});

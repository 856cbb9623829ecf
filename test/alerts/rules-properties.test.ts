import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateInstance, type RuleOptions, stageRank } from '../../src/alerts/rules.js';
import type { Instance, InstanceService } from '../../src/yeastar/types.js';
import { DAY, instance, NOW, THRESHOLDS } from './rules-fixtures.js';

const zones = ['UTC', 'Europe/Berlin', 'Pacific/Auckland', 'America/Los_Angeles', 'Asia/Kolkata'];
const anyStatus = fc.constantFrom(
  'trialing',
  'subscribing',
  'purchased',
  'expiring',
  'expired',
  'switching',
  'paused',
  null,
);
const quietStatus = fc.constantFrom('trialing', 'subscribing', 'purchased', 'paused', 'active', null);
const thresholdsArb = fc.uniqueArray(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 6 });
/** Around NOW, within a year either way, to the millisecond. */
const dateNear = fc.option(fc.integer({ min: NOW - 400 * DAY, max: NOW + 400 * DAY }), { nil: null });

const serviceArb = (status: fc.Arbitrary<string | null>, date: fc.Arbitrary<number | null>) =>
  fc.record<InstanceService>({
    serviceId: fc.option(fc.stringMatching(/^[0-9]{1,19}$/), { nil: null }),
    serviceName: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
    serviceStatus: status,
    serviceExpireDate: date,
    serviceAutoRenewal: fc.option(fc.boolean(), { nil: null }),
    servicePeriod: fc.constant(null),
    quantity: fc.constant(null),
  });

const instanceArb = (
  status: fc.Arbitrary<string | null>,
  date: fc.Arbitrary<number | null>,
  serviceStatus: fc.Arbitrary<string | null> = status,
): fc.Arbitrary<Instance> =>
  fc
    .record({
      planStatus: status,
      planExpireDate: date,
      currentPlanExpireDate: date,
      planAutoRenewal: fc.option(fc.boolean(), { nil: null }),
      planName: fc.option(fc.string({ maxLength: 20 }), { nil: null }),
      serviceList: fc.array(serviceArb(serviceStatus, date), { maxLength: 4 }),
    })
    .map((fields) => instance(fields));

describe('rules: properties', () => {
  it('never alerts on an instance beyond every threshold that is not expiring, expired or switching', () => {
    // Two days of margin over the largest threshold: a DST day can make 24 h a different calendar count.
    const quiet = fc
      .tuple(
        thresholdsArb,
        fc.integer({ min: NOW - 400 * DAY, max: NOW + 400 * DAY }),
        fc.integer({ min: 2 * DAY, max: 2000 * DAY }),
      )
      .chain(([thresholds, now, margin]) =>
        instanceArb(quietStatus, fc.constant(now + Math.max(...thresholds) * DAY + margin)).map(
          (subject) => ({
            thresholds,
            now,
            subject,
          }),
        ),
      );
    fc.assert(
      fc.property(quiet, fc.constantFrom(...zones), ({ thresholds, now, subject }, timeZone) => {
        const evaluation = evaluateInstance(subject, { now, thresholds, timeZone });
        expect(evaluation.stage).toBeNull();
        expect(evaluation.findings).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('only escalates as time moves toward expiry: the stage rank never goes down', () => {
    fc.assert(
      fc.property(
        instanceArb(anyStatus, dateNear),
        thresholdsArb,
        fc.constantFrom(...zones),
        fc.array(fc.integer({ min: 0, max: 30 * DAY }), { minLength: 2, maxLength: 12 }),
        (subject, thresholds, timeZone, steps) => {
          let now = NOW - 60 * DAY;
          let previous = Number.NEGATIVE_INFINITY;
          for (const step of steps) {
            now += step;
            const rank = stageRank(evaluateInstance(subject, { now, thresholds, timeZone }).stage);
            expect(rank).toBeGreaterThanOrEqual(previous);
            previous = rank;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the same digest to the same instance evaluated twice', () => {
    fc.assert(
      fc.property(instanceArb(anyStatus, dateNear), fc.constantFrom(...zones), (subject, timeZone) => {
        const options: RuleOptions = { now: NOW, thresholds: THRESHOLDS, timeZone };
        const first = evaluateInstance(subject, options);
        const second = evaluateInstance(structuredClone(subject), options);
        expect(second.digest).toBe(first.digest);
        expect(second).toEqual(first);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the digest while only the clock moves and every finding stays in its stage', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        instanceArb(anyStatus, dateNear),
        fc.constantFrom(...zones),
        fc.integer({ min: NOW - 30 * DAY, max: NOW + 30 * DAY }),
        fc.integer({ min: 1, max: 10 * DAY }),
        (subject, timeZone, now, delta) => {
          const earlier = evaluateInstance(subject, { now, thresholds: THRESHOLDS, timeZone });
          const later = evaluateInstance(subject, { now: now + delta, thresholds: THRESHOLDS, timeZone });
          const stages = (e: typeof earlier) => e.findings.map((f) => `${f.kind}/${f.name}/${f.stage}`);
          if (JSON.stringify(stages(earlier)) !== JSON.stringify(stages(later))) {
            expect(later.digest).not.toBe(earlier.digest);
            return;
          }
          compared += 1;
          expect(later.digest).toBe(earlier.digest);
        },
      ),
      { numRuns: 300 },
    );
    // The property is only meaningful if many samples kept their stages.
    expect(compared).toBeGreaterThan(50);
  });
});

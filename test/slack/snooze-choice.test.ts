import { describe, expect, it } from 'vitest';
import type { Evaluation, Finding } from '../../src/alerts/types.js';
import { decideSnooze } from '../../src/slack/snooze-choice.js';
import { DAY, evaluation, NOW } from '../alerts/state-fixtures.js';

const CLOCK = { now: NOW, timeZone: 'UTC', thresholds: [30, 14, 7, 3, 1] };

function reasonOf(value: string, e: Evaluation | null): string {
  const decision = decideSnooze(value, e, CLOCK);
  if (decision.ok) throw new Error(`expected a refusal, got until ${decision.until}`);
  return decision.reason;
}

describe('decideSnooze', () => {
  it('accepts each kind of the menu with the end the menu promised', () => {
    const e = evaluation(1, '30d', { expiresAt: NOW + 20 * DAY });
    expect(decideSnooze('1d', e, CLOCK)).toEqual({
      ok: true,
      kind: { kind: 'for', days: 1 },
      until: NOW + DAY,
    });
    expect(decideSnooze('next', e, CLOCK)).toMatchObject({ ok: true, until: Date.UTC(2025, 5, 21) });
    expect(decideSnooze('before:3', e, CLOCK)).toMatchObject({ ok: true, until: Date.UTC(2025, 6, 2) });
  });

  it('says why a choice cannot apply, naming what expires', () => {
    expect(reasonOf('before:3', evaluation(2, '3d', { expiresAt: NOW + 2 * DAY }))).toMatch(
      /^That snooze no longer applies: the plan expires before then \(<!date\^/,
    );
    expect(reasonOf('next', evaluation(3, 'expired'))).toContain('already expired');
    expect(reasonOf('next', evaluation(4, 'switching'))).toContain('a plan switch has no next stage by date');
    expect(reasonOf('before:1', evaluation(5, '7d', { expiresAt: null }))).toContain(
      'the expiry date of the plan is unknown',
    );
    const service: Finding = {
      kind: 'service_expiring',
      subject: 'service',
      name: 'Call Recording',
      serviceId: '9',
      status: 'expiring',
      expiresAt: NOW + 2 * DAY,
      daysLeft: 2,
      stage: '3d',
      severity: 'high',
      autoRenewal: false,
      trial: false,
    };
    const withService = { ...evaluation(6, '3d', { expiresAt: NOW + 2 * DAY }), findings: [service] };
    expect(reasonOf('7d', withService)).toContain('the service expires before then');
    expect(reasonOf('7d', null)).toContain('no details');
  });

  it('refuses values that are not menu values', () => {
    const e = evaluation(7, '30d', { expiresAt: NOW + 20 * DAY });
    for (const value of ['', 'forever', '0d', '1000d', 'before:0', `${'9'.repeat(80)}d`]) {
      expect(reasonOf(value, e), value).toContain('not a snooze this bot knows');
    }
    expect(decideSnooze(undefined, e, CLOCK).ok).toBe(false);
  });
});

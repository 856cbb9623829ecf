import { describe, expect, it } from 'vitest';
import { formatProgress, formatSummary } from '../../src/jobs/check.js';
import type { CycleSummary } from '../../src/jobs/cycle-summary.js';

const summary: CycleSummary = {
  cycleId: 'c',
  startedAt: Date.UTC(2026, 10, 24, 7, 0, 0, 123),
  finishedAt: Date.UTC(2026, 10, 24, 7, 0, 4),
  ok: true,
  instances: 10_234,
  skipped: 0,
  posted: 12,
  escalated: 1,
  updated: 2,
  resolved: 3,
  digests: 0,
  apiCalls: 431,
  errors: 0,
  enrichErrors: 0,
  reminded: 0,
  held: 0,
  productLines: [
    { productId: '13', name: 'P-Series Cloud Edition', pages: 40, done: 12, failed: 0 },
    { productId: '12', name: 'P-Series Software Edition', pages: 3, done: 3, failed: 0 },
  ],
};

describe('check output', () => {
  it('prints the one summary line', () => {
    expect(formatSummary(summary, 4.23)).toBe(
      'cycle 2026-11-24T07:00:00Z: 10,234 instances, 12 posted, 1 escalated, 2 updated, 3 resolved, 431 API calls, 0 errors, 4.2 s',
    );
    expect(formatSummary({ ...summary, ok: false, errors: 1 }, 1)).toMatch(/1 error, .* — FAILED$/);
  });

  it('shows pages done per product line', () => {
    expect(
      formatProgress({ cycleId: 'c', phase: 'scan', pending: 30, productLines: summary.productLines }),
    ).toBe('scan 13: 12/40 pages · 12: 3/3');
  });
});

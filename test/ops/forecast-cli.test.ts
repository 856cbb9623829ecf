import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORECAST_CSV_COLUMNS } from '../../src/forecast/csv.js';
import { buildForecast } from '../../src/forecast/model.js';
import { encodeSnapshot, type ForecastSnapshot } from '../../src/forecast/snapshot.js';
import { forecastKeys } from '../../src/forecast/store.js';
import { DAY, item } from '../forecast/fixtures.js';
import { redisFixture, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { runRepoScript } from '../helpers/subprocess.js';

/** `npm run forecast` as its own process: the summary, the CSV on stdout, and its exit codes. */

let fixture: Awaited<ReturnType<typeof redisFixture>>;
let snapshot: ForecastSnapshot;

beforeAll(async () => {
  fixture = await redisFixture('fcli');
  // The child reads the real clock (moved as this one is under faketime).
  const now = Date.now();
  snapshot = {
    takenAt: now,
    coversUntil: now + 200 * DAY,
    horizonDays: 97,
    portalUrl: 'https://partner.yeastar.com',
    items: [
      item({ sn: 'SN0001', customer: 'Acme, "Ltd"', expiresAt: now + 3 * DAY }),
      item({ sn: 'SN0002', customer: 'Beacon School', expiresAt: now + 20 * DAY, autoRenew: true }),
      item({
        sn: 'SN0003',
        customer: 'Beacon School',
        expiresAt: now + 60 * DAY,
        kind: 'service',
        name: 'Recording',
      }),
      item({ sn: 'SN0004', customer: 'Zeta', expiresAt: now - 5 * DAY }),
    ].sort((a, b) => a.expiresAt - b.expiresAt),
    undatedByCustomer: new Map([['Zeta', 2]]),
  };
  await fixture.redis.set(forecastKeys(fixture.prefix).snapshot, encodeSnapshot(snapshot));
});

afterAll(async () => {
  await fixture?.close();
});

function forecast(args: string[], env: Record<string, string> = {}) {
  return runRepoScript(['src/cli.ts', 'forecast', ...args], {
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: fixture.prefix,
    TZ: 'UTC',
    LOG_LEVEL: 'error',
    ...env,
  });
}

describe('npm run forecast', () => {
  it('prints the summary of the last complete cycle and exits 0', async () => {
    const run = await forecast([]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Renewal forecast: next 90 days in UTC, from the cycle of /);
    expect(run.stdout).toContain('3 renewals: 1 auto-renew, 2 need action');
    expect(run.stdout).toContain('1 overdue');
    expect(run.stdout).toContain('2 plans or services without an expiry date are not listed');
    expect(run.stdout).toContain('Beacon School');
  });

  it('writes the CSV to stdout with --csv --days N', async () => {
    const run = await forecast(['--csv', '--days', '30']);
    expect(run.code).toBe(0);
    expect(
      run.stdout.startsWith(
        '\uFEFFsn,product_line,customer,item,kind,expires_at,days_left,auto_renew,alert_state,portal_url\r\n',
      ),
    ).toBe(true);
    const records = parse(run.stdout, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...FORECAST_CSV_COLUMNS]);
    const model = buildForecast(snapshot, { now: Date.now(), timeZone: 'UTC', days: 30 });
    expect(records.map((r) => [r.sn, r.customer, r.days_left, r.alert_state])).toEqual(
      model.rows.map((r) => [r.sn, r.customer, String(r.daysLeft), 'none']),
    );
    expect(records.map((r) => r.sn)).toEqual(['SN0004', 'SN0001', 'SN0002']);
  });

  it('exits 1 with one line before the first complete cycle, 2 on bad arguments, 1 without Redis', async () => {
    const none = await forecast([], { QUEUE_PREFIX: uniquePrefix('fcli-empty') });
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr.trim()).toMatch(/^No forecast yet/);

    const bad = await forecast(['--days', '400']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--days must be a whole number from 1 to 90/);

    const down = await forecast([], { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CONNECT_TIMEOUT: '1s' });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/REDIS_URL/);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  });
});

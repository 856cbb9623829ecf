import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/alerts/block-limits.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import { createSnapshotBuilder } from '../../src/forecast/collect.js';
import { FORECAST_CSV_COLUMNS, spreadsheetText } from '../../src/forecast/csv.js';
import { isoInZone } from '../../src/forecast/iso-time.js';
import { buildForecast } from '../../src/forecast/model.js';
import { alertStates } from '../../src/forecast/reader.js';
import { encodeSnapshot, type ForecastSnapshot } from '../../src/forecast/snapshot.js';
import { forecastKeys } from '../../src/forecast/store.js';
import { createLedger } from '../../src/renew/ledger.js';
import { ALLOWED, createSlackWorld, DAY, type SlackWorld, waitFor } from './harness.js';

/**
 * `/yeastar forecast` and `/yeastar export` through the real Slack app (signed requests, Bolt, the
 * fake Web API with its upload methods), on a snapshot made from the simulator's instances.
 */

let world: SlackWorld;
let snapshot: ForecastSnapshot;
/** Customer names a CSV has to quote, and one a spreadsheet would take for a formula. */
const AWKWARD = ['Müller & Söhne, "Best" GmbH', 'Line one\nline two', '=HYPERLINK("http://x","y")'];

beforeAll(async () => {
  world = await createSlackWorld();
  const builder = createSnapshotBuilder({
    takenAt: world.clock.now,
    timeZone: 'UTC',
    horizonDays: 97,
    portalUrl: world.config.portalUrl,
  });
  let renamed = 0;
  for (const line of await world.client.listProductLines()) {
    for await (const page of world.client.listInstances(line.productId)) {
      for (const instance of page.instances) {
        const due = instance.planExpireDate !== null && instance.planExpireDate < world.clock.now + 60 * DAY;
        if (due && renamed < AWKWARD.length && instance.endUserInfo) {
          instance.endUserInfo.companyName = AWKWARD[renamed++]!;
        }
        builder.addInstance(instance, line.name);
      }
    }
  }
  expect(renamed).toBe(AWKWARD.length);
  snapshot = builder.build();
}, 60_000);

afterAll(async () => {
  await world?.close();
});

type Posted = { text: string; blocks: unknown[]; response_type: string };

async function answerTo(text: string, user = ALLOWED): Promise<Posted> {
  const sent = await world.command(text, user);
  expect(sent.status).toBe(200);
  return waitFor(
    () => world.slack.responses.find((r) => r.url === sent.responseUrl)?.body as Posted | undefined,
    `the answer to /yeastar ${text}`,
    30_000,
  );
}

async function storeSnapshot(): Promise<void> {
  await world.redis.set(forecastKeys(world.prefix).snapshot, encodeSnapshot(snapshot));
}

async function homeOf(user: string): Promise<unknown[]> {
  world.slack.homeViews.delete(user);
  const opened = await world.event({
    type: 'app_home_opened',
    user,
    channel: 'D1',
    tab: 'home',
    event_ts: '1.1',
  });
  expect(opened.status).toBe(200);
  const view = await waitFor(
    () => world.slack.homeViews.get(user) as { blocks: unknown[] } | undefined,
    'the App Home view',
  );
  return view.blocks;
}

describe('/yeastar forecast and export', () => {
  it('says there is no forecast yet before the first complete cycle', async () => {
    expect(JSON.stringify(await homeOf('UHOME0001'))).not.toContain('next 12 weeks');
    const answer = await answerTo('forecast');
    expect(answer.response_type).toBe('ephemeral');
    expect(answer.text).toMatch(/No forecast yet/);
    const exported = await answerTo('export');
    expect(exported.text).toMatch(/No forecast yet/);
    expect(world.slack.files.size).toBe(0);
  });

  it('answers with the summary of the snapshot: weeks, top customers, within Block Kit limits', async () => {
    await storeSnapshot();
    const answer = await answerTo('forecast 60');
    expect(answer.response_type).toBe('ephemeral');
    expect(validateMessage(answer)).toEqual([]);
    const model = buildForecast(snapshot, { now: world.clock.now, timeZone: 'UTC', days: 60 });
    expect(model.total.count).toBeGreaterThan(5);
    const all = JSON.stringify(answer.blocks);
    expect(all).toContain('Renewal forecast · next 60 days');
    expect(answer.text).toMatch(new RegExp(`^Forecast: ${model.total.count - model.overdue.count} renewals`));
    expect(all).toContain(model.topCustomers[0]!.customer.replace(/&/g, '&amp;').split('\n')[0]);
  });

  it('shows the next 12 weeks on the App Home board, from the same model', async () => {
    await storeSnapshot();
    const blocks = await homeOf('UHOME0002');
    expect(blocks.length).toBeLessThanOrEqual(100);
    const text = JSON.stringify(blocks);
    expect(text).toContain('Renewals, next 12 weeks');
    const model = buildForecast(snapshot, { now: world.clock.now, timeZone: 'UTC', days: 90 });
    const label = (i: number) => `W${String(model.weeks[i]!.isoWeek).padStart(2, '0')} · `;
    expect(text).toContain(label(1));
    expect(text).toContain(label(11));
    expect(text).not.toContain(label(12));
  });

  it('filters by customer text and refuses more days than FORECAST_DAYS', async () => {
    await storeSnapshot();
    const one = await answerTo('forecast 60 müller & SÖHNE');
    expect(JSON.stringify(one.blocks)).toContain('Customers with the most renewals');
    expect(one.text).toMatch(/^Forecast: \d+ renewals? in the next 60 days for customers matching/);
    expect(JSON.stringify(one.blocks)).not.toContain(
      snapshot.items.find((i) => !/Müller/.test(i.customer))!.customer,
    );
    const tooFar = await answerTo('forecast 120');
    expect(tooFar.text).toMatch(/at most 90 days ahead/);
    const bad = await answerTo('export soon');
    expect(bad.text).toMatch(/Days must be a whole number/);
  });

  it('uploads the CSV to the user, whose bytes parse back into the model, alert states included', async () => {
    await storeSnapshot();
    // One instance of the window has an acknowledged alert.
    const due = snapshot.items.find(
      (i) => i.expiresAt > world.clock.now && i.expiresAt < world.clock.now + 20 * DAY,
    )!;
    const raw = await world.client.getInstance(due.productId, due.sn);
    const evaluation = evaluateInstance(raw!, {
      now: world.clock.now,
      thresholds: world.config.alertDays,
      timeZone: 'UTC',
    });
    expect(evaluation.stage).not.toBeNull();
    await world.store.decide('c1', 'j1', [evaluation], world.clock.now);
    await world.store.acknowledge(evaluation.alertKey, ALLOWED, world.clock.now);

    const before = world.slack.files.size;
    const answer = await answerTo('export 60');
    expect(answer.text).toMatch(/Sent you \*renewal-forecast-2026-11-24-60d\.csv\* \(\d+ rows\)/);
    const files = [...world.slack.files.values()].slice(before);
    expect(files).toHaveLength(1);
    const file = files[0]!;
    expect(file.completed).toBe(true);
    expect(file.channel).toMatch(/^D/);
    expect(file.length).toBe(file.bytes!.length);
    const methods = world.slack.calls.map((c) => c.method);
    expect(methods).toEqual(
      expect.arrayContaining([
        'conversations.open',
        'files.getUploadURLExternal',
        'files.completeUploadExternal',
      ]),
    );

    const bytes = file.bytes!;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(bytes, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(records[0]!)).toEqual([...FORECAST_CSV_COLUMNS]);
    const model = buildForecast(snapshot, {
      now: world.clock.now,
      timeZone: 'UTC',
      days: 60,
      alerts: await alertStates(world.store, world.clock.now),
    });
    expect(records).toEqual(
      model.rows.map((r) => ({
        sn: r.sn,
        product_line: spreadsheetText(r.productLine),
        customer: spreadsheetText(r.customer),
        item: spreadsheetText(r.name),
        kind: r.kind,
        expires_at: isoInZone(r.expiresAt, 'UTC'),
        days_left: String(r.daysLeft),
        auto_renew: r.autoRenew ? 'yes' : 'no',
        alert_state: r.alert.state,
        portal_url: r.portalUrl,
      })),
    );
    for (const name of AWKWARD.slice(0, 2)) expect(records.some((r) => r.customer === name)).toBe(true);
    // The name a spreadsheet would run as a formula arrives as text.
    expect(records.some((r) => r.customer === `'${AWKWARD[2]}`)).toBe(true);
    const acked = records.filter((r) => r.sn === due.sn);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.every((r) => r.alert_state === 'acknowledged')).toBe(true);
  });

  it('shows an alert whose renewal was ordered from Slack as ordered, by whom, in the CSV', async () => {
    await storeSnapshot();
    const due = snapshot.items.filter(
      (i) => i.expiresAt > world.clock.now + 20 * DAY && i.expiresAt < world.clock.now + 28 * DAY,
    )[0]!;
    const raw = await world.client.getInstance(due.productId, due.sn);
    const evaluation = evaluateInstance(raw!, {
      now: world.clock.now,
      thresholds: world.config.alertDays,
      timeZone: 'UTC',
    });
    expect(evaluation.stage).not.toBeNull();
    await world.store.decide('c2', 'j2', [evaluation], world.clock.now);
    const ledger = createLedger({ redis: world.redis, prefix: world.prefix });
    const entry = {
      state: 'placed' as const,
      by: ALLOWED,
      approvedBy: null,
      sn: due.sn,
      productId: due.productId,
      alertKey: evaluation.alertKey,
      stage: evaluation.stage!,
      at: world.clock.now,
      request: '{}',
      orderId: '1234567890123456789',
      orderNo: 'SO-1',
      status: 'pending',
      channel: null,
      ts: null,
      viewId: null,
      attempt: 'a1',
    };
    expect(await ledger.claim(entry)).toEqual({ ok: true });

    const before = world.slack.files.size;
    await answerTo('export 60');
    const file = [...world.slack.files.values()].slice(before)[0]!;
    const records = parse(file.bytes!, { bom: true, columns: true }) as Array<Record<string, string>>;
    const ordered = records.filter((r) => r.sn === due.sn);
    expect(ordered.length).toBeGreaterThan(0);
    expect(ordered.every((r) => r.alert_state === 'ordered')).toBe(true);

    // Awaiting its second person, nothing is ordered yet.
    await ledger.update({ ...entry, state: 'awaiting_approval' });
    const later = world.slack.files.size;
    await answerTo('export 60');
    const again = [...world.slack.files.values()].slice(later)[0]!;
    const rows = parse(again.bytes!, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.filter((r) => r.sn === due.sn).every((r) => r.alert_state === 'open')).toBe(true);
  });

  it('tells the user when Slack refuses the upload', async () => {
    await storeSnapshot();
    world.slack.errorNext(1, 'missing_scope', 'files.getUploadURLExternal');
    const answer = await answerTo('export 30');
    expect(answer.text).toMatch(/Slack did not take the CSV file \(`missing_scope`\)/);
  });
});

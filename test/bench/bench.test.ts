import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { listKeys, TEST_REDIS_URL } from '../helpers/redis.js';
import { runRepoScript } from '../helpers/subprocess.js';

/**
 * `npm run bench` at a small size, as a subprocess: the figures are not checked (no timing asserts on a
 * shared machine), only that it runs both cycles, prints its machine-readable last line, makes no Slack
 * call for unchanged data and leaves no key behind.
 */

/**
 * 2,000 instances, 50 of them alerting, 10 ms a request: small enough for a test, a storm all the same, and
 * a first cycle long enough (at least 119 requests × 10 ms / 8) for a slash command or two.
 */
function runSmallBench(extra: string[] = []) {
  const args = ['--instances', '2000', '--latency', '10', '--attention', '50', ...extra];
  return runRepoScript(['bench/cycle.ts', ...args], { REDIS_URL: TEST_REDIS_URL }, 100_000);
}

/** The Slack calls of the first cycle by method, from the line `Slack calls: N ({"chat.postMessage":…})`. */
function slackMethods(stdout: string): Record<string, number> {
  const json = /Slack calls: \d+ \((\{.*\})\)/.exec(stdout)?.[1];
  return json ? (JSON.parse(json) as Record<string, number>) : {};
}

/**
 * 50 new alerts: a digest and the alerts in its thread. When the scan is still running once the storm is
 * certain, the digest goes up early and is rewritten with the final counts: one chat.update more.
 */
function expectStormCalls(stdout: string, slackCalls: number | undefined): void {
  const methods = slackMethods(stdout);
  expect(methods['chat.postMessage'], stdout).toBe(51);
  expect(methods['chat.update'] ?? 0).toBeLessThanOrEqual(1);
  // The first cycle on a Redis without the alert index reads the channel's history once (rebuild.ts).
  expect(methods['conversations.history']).toBe(1);
  expect(slackCalls).toBe(51 + (methods['chat.update'] ?? 0) + 1);
}

const LAST_LINE =
  /^bench: instances=(\d+) seconds=([\d.]+) bound=([\d.]+) ratio=([\d.]+) rss_mb=([\d.]+) redis_rtt_per_page=([\d.]+) slack_calls=(\d+) unchanged_slack_calls=(\d+) cpu_s=([\d.]+) ack_p99_ms=([\d.]+|n\/a)$/;

describe('npm run bench', () => {
  it('runs two cycles and ends with the machine-readable line', { timeout: 120_000 }, async () => {
    const { code, stdout, stderr } = await runSmallBench();
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const match = LAST_LINE.exec(lines.at(-1) ?? '');
    expect(match, stdout).not.toBeNull();
    const [, instances, seconds, bound, ratio, rss, rtt, slackCalls, unchanged, cpu, ackP99] =
      match!.map(Number);
    expect(instances).toBe(2000);
    expect(seconds).toBeGreaterThan(0);
    expect(bound).toBeGreaterThan(0);
    // The printed figures are rounded: the ratio agrees with them to within a few per cent.
    expect(Math.abs(ratio! - seconds! / bound!) / ratio!).toBeLessThan(0.05);
    expect(rss).toBeGreaterThan(0);
    expect(rtt).toBeGreaterThan(0);
    expectStormCalls(stdout, slackCalls);
    expect(unchanged).toBe(0);
    expect(cpu).toBeGreaterThan(0);
    // Slash commands went to the bot while its first cycle ran, and Slack would have seen each acknowledged.
    const acks =
      /while it ran: (\d+) slash commands \(one every 100 ms\), (\d+) acknowledged within 3 s/.exec(stdout);
    expect(acks, stdout).not.toBeNull();
    expect(Number(acks![1])).toBeGreaterThan(0);
    expect(acks![2]).toBe(acks![1]);
    expect(ackP99).toBeGreaterThan(0);
    expect(stdout).toMatch(/BullMQ's commands excluded/);
    // The CPU split by thread reads the same counters at the same moments: no part is ever negative.
    expect(stdout).toMatch(
      /CPU seconds: bot [\d.]+ \(main thread [\d.]+, (HTTP thread [\d.]+, )?V8 and libuv threads [\d.]+;/,
    );

    const prefix = /key prefix (\S+)/.exec(stderr)?.[1];
    expect(prefix, stderr).toMatch(/^bench-/);
    const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    try {
      const left = await listKeys(redis, `${prefix}:*`);
      expect(left).toEqual([]);
    } finally {
      await redis.quit();
    }
  });

  it('shares the cycle with more bot processes: each alert posted once, both counted', {
    timeout: 120_000,
  }, async () => {
    const { code, stdout, stderr } = await runSmallBench(['--processes', '2']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('1 more bot process(es) share the work');
    const match = LAST_LINE.exec(stdout.trimEnd().split('\n').at(-1) ?? '');
    expect(match, stdout).not.toBeNull();
    const [, , , , , , rtt, slackCalls, unchanged] = match!.map(Number);
    // Pages scanned by either process are counted: 2 round trips each, whoever scanned them.
    expect(rtt).toBe(2);
    expectStormCalls(stdout, slackCalls);
    expect(unchanged).toBe(0);
    expect(stdout).toMatch(/1 more bot process\(es\) [\d.]+ \(/);
    expect(stdout).toMatch(/the other bot process\(es\): [\d.]+ MB at most/);
  });
});

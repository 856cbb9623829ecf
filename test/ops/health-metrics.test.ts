import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthCheck } from '../../src/ops/health.js';
import { opsRoutes, startOpsServer } from '../../src/ops/http.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { type PrivateRedis, startPrivateRedis } from '../../src/ops/private-redis.js';
import { uniquePrefix } from '../helpers/redis.js';

const HOUR = 3_600_000;

describe('GET /healthz and GET /metrics over HTTP', () => {
  let server: PrivateRedis;
  let redis: Redis;
  let ops: Awaited<ReturnType<typeof startOpsServer>>;
  let now = Date.UTC(2026, 10, 24, 12);
  const prefix = uniquePrefix('health');

  beforeAll(async () => {
    // A Redis this test owns, so it can stop it.
    server = await startPrivateRedis();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    redis.on('error', () => {});
    const metrics = createMetrics();
    metrics.observeCycle({ ok: true, seconds: 4.2, instances: 1234 });
    metrics.slackCall('chat.postMessage');
    metrics.slackCall('chat.update', 'message_not_found');
    const health = createHealthCheck({
      redis,
      prefix,
      pollIntervalMs: HOUR,
      clock: () => now,
      timeoutMs: 500,
    });
    ops = await startOpsServer(opsRoutes({ health, metrics }), 0, '127.0.0.1');
  });

  afterAll(async () => {
    await ops?.close();
    redis?.disconnect();
    await server?.stop();
  });

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${ops.port}${path}`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('is 503 before any successful cycle, and says so', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).reasons).toEqual(['no successful poll cycle yet']);
  });

  it('is 200 when Redis answers and the last successful cycle is recent', async () => {
    await redis.set(`${prefix}:lastSuccessfulCycleAt`, String(now - HOUR));
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({
      status: 'ok',
      reasons: [],
      lastSuccessfulCycleAt: now - HOUR,
    });
  });

  it('is 503 when the last successful cycle is older than twice the poll interval', async () => {
    now += 2 * HOUR;
    const res = await get('/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).reasons[0]).toMatch(
      /last successful poll cycle 3.0 h ago, older than twice the poll interval \(2.0 h\)/,
    );
    now -= 2 * HOUR;
  });

  it('serves Prometheus text with the cycle and Slack figures', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^yeastar_cycles_total\{outcome="success"\} 1$/m);
    expect(res.text).toMatch(/^yeastar_instances_seen 1234$/m);
    expect(res.text).toMatch(/^yeastar_cycle_duration_seconds_count 1$/m);
    expect(res.text).toMatch(/^yeastar_slack_calls_total\{method="chat.postMessage"\} 1$/m);
    expect(res.text).toMatch(
      /^yeastar_slack_errors_total\{method="chat.update",error="message_not_found"\} 1$/m,
    );
  });

  it('turns 503 when Redis stops', async () => {
    expect((await get('/healthz')).status).toBe(200);
    await server.stop();
    const res = await get('/healthz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text).reasons[0]).toMatch(/^redis: not answering/);
  });
});

describe('Slack call metrics', () => {
  it('counts Web API calls and errors by method', async () => {
    const { createFakeSlack } = await import('../../sim/fake-slack.js');
    const { createSlackWebClient } = await import('../../src/slack/web-client.js');
    const { silentLogger } = await import('../../src/logger.js');
    const slack = await createFakeSlack();
    try {
      const metrics = createMetrics();
      const client = createSlackWebClient({
        token: 'xoxb-test',
        apiUrl: slack.url,
        logger: silentLogger(),
        observe: metrics.slackCall,
      });
      await client.chat.postMessage({ channel: 'C0000001', text: 'hello' });
      await expect(client.chat.update({ channel: 'C0000001', ts: '1.2', text: 'x' })).rejects.toThrow();
      const { body } = await metrics.render();
      expect(body).toMatch(/^yeastar_slack_calls_total\{method="chat.postMessage"\} 1$/m);
      expect(body).toMatch(
        /^yeastar_slack_errors_total\{method="chat.update",error="message_not_found"\} 1$/m,
      );
    } finally {
      await slack.close();
    }
  });
});

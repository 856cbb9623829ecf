import { Redis } from 'ioredis';
import { createFakeSlack, type FakeSlack } from '../../sim/fake-slack.js';
import { createSimulator, type Simulator } from '../../sim/server.js';
import {
  actionBody,
  commandBody,
  eventBody,
  FORM,
  JSON_TYPE,
  postToSlackApp,
  type SlackAnswer,
  type SlackPost,
} from '../../sim/slack-sign.js';
import { createAlertStore } from '../../src/alerts/alert-store.js';
import { renderAlert } from '../../src/alerts/render.js';
import { evaluateInstance } from '../../src/alerts/rules.js';
import type { AlertStore, Evaluation } from '../../src/alerts/types.js';
import { type Config, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createSlackApp, type SlackRoute } from '../../src/slack/app.js';
import { createYeastarClient } from '../../src/yeastar/client.js';
import type { YeastarClient } from '../../src/yeastar/types.js';
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

/** The Slack app on a free port with a real Redis, the simulator and a fake Slack Web API. */

export const NOW = Date.UTC(2026, 10, 24, 7, 0, 0);
export const DAY = 86_400_000;
export const CHANNEL = 'CALERTS';
export const SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-slack-test-token-abc';
export const ALLOWED = 'UALLOWED1';
export const OTHER = 'UOTHER22';

export type SlackWorld = {
  sim: Simulator;
  slack: FakeSlack;
  config: Config;
  prefix: string;
  redis: Redis;
  store: AlertStore;
  client: YeastarClient;
  clock: { now: number };
  baseUrl: string;
  /** Every log line written during the run, raw JSON. */
  logs: string[];
  command(
    text: string,
    userId: string,
    options?: Partial<SlackPost> & { responseUrl?: string },
  ): Promise<SlackAnswer & { responseUrl: string }>;
  action(payload: Record<string, unknown>, options?: Partial<SlackPost>): Promise<SlackAnswer>;
  event(event: Record<string, unknown>, options?: Partial<SlackPost>): Promise<SlackAnswer>;
  /** Posts the alert's message to the fake and records it in the store, as the pipeline does (one
   * message per channel: call it again with another channel for a routed copy). */
  postAlert(evaluation: Evaluation, channel?: string): Promise<{ channel: string; ts: string }>;
  /** Evaluations of simulator instances that need an alert now. */
  alertingInstances(productId: string): Promise<Evaluation[]>;
  close(): Promise<void>;
};

export async function waitFor<T>(
  probe: () => T | undefined | null | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function createSlackWorld(
  options: { routes?: SlackRoute[]; env?: Record<string, string> } = {},
): Promise<SlackWorld> {
  const clock = { now: NOW };
  const sim = await createSimulator({ seed: 11, anchorMs: NOW, instances: 160, attention: 40 });
  const slack = await createFakeSlack();
  const prefix = uniquePrefix('slack');
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logs.push(line) },
  });
  const config = loadConfig({
    YEASTAR_BASE_URL: sim.url,
    YEASTAR_CLIENT_ID: sim.credentials.clientId,
    YEASTAR_CLIENT_SECRET: sim.credentials.clientSecret,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    SLACK_ALERT_CHANNEL: CHANNEL,
    ACTIVATION_ALLOWED_USERS: ALLOWED,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    TZ: 'UTC',
    ...options.env,
  });
  const client = createYeastarClient({
    baseUrl: config.yeastar.baseUrl,
    clientId: config.yeastar.clientId,
    clientSecret: config.yeastar.clientSecret,
    userAgent: config.yeastar.userAgent,
    redis,
    keyPrefix: prefix,
    logger,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
  });
  const store = createAlertStore({ redis, prefix });
  const slackApp = createSlackApp({
    config,
    store,
    client,
    redis,
    logger,
    clock: () => clock.now,
    ...(options.routes ? { routes: options.routes } : {}),
  });
  const { port } = await slackApp.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  const eventsUrl = `${baseUrl}/slack/events`;
  const sign = (o: Partial<SlackPost> = {}): SlackPost => ({ secret: SECRET, ...o });
  let posted = 0;

  return {
    sim,
    slack,
    config,
    prefix,
    redis,
    store,
    client,
    clock,
    baseUrl,
    logs,
    async command(text, userId, o = {}) {
      const responseUrl = o.responseUrl ?? slack.responseUrl();
      const answer = await postToSlackApp(
        eventsUrl,
        commandBody({ text, userId, responseUrl }),
        FORM,
        sign(o),
      );
      return { ...answer, responseUrl };
    },
    action: (payload, o = {}) => postToSlackApp(eventsUrl, actionBody(payload), FORM, sign(o)),
    event: (event, o = {}) => postToSlackApp(eventsUrl, eventBody(event), JSON_TYPE, sign(o)),
    async postAlert(evaluation, channel = CHANNEL) {
      posted += 1;
      const message = renderAlert({
        evaluation,
        portalUrl: config.portalUrl,
        now: clock.now,
        timeZone: 'UTC',
        thresholds: config.alertDays,
        renewMode: config.renew.mode,
      });
      const response = await fetch(`${slack.url}chat.postMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel, ...message }),
      });
      const body = (await response.json()) as { ok: boolean; ts: string };
      if (!body.ok) throw new Error(`fake chat.postMessage failed (${posted})`);
      const ref = { channel, ts: body.ts };
      await store.setMessage(evaluation.alertKey, ref);
      return ref;
    },
    async alertingInstances(productId) {
      const out: Evaluation[] = [];
      for await (const page of client.listInstances(productId)) {
        for (const instance of page.instances) {
          const e = evaluateInstance(instance, {
            now: clock.now,
            thresholds: config.alertDays,
            timeZone: 'UTC',
          });
          if (e.stage !== null) out.push(e);
        }
      }
      return out;
    },
    async close() {
      await slackApp.stop();
      await slack.close();
      await sim.close();
      await deleteKeys(redis, prefix);
      await redis.quit();
    },
  };
}

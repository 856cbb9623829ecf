import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisFactory } from '../../src/ops/redis-factory.js';
import { spawnCli } from '../helpers/cli-process.js';
import {
  type LocalServers,
  onPath,
  type ServerSecurity,
  startLocalCluster,
  startLocalServer,
} from '../helpers/redis-cluster.js';
import { makeTlsFiles, type TlsFiles } from '../helpers/tls-files.js';
import { alertKeyOfMessage, createWorld, type World } from '../jobs/harness.js';

const missing = ['redis-server', 'redis-cli', 'openssl'].filter((binary) => !onPath(binary));
const title = missing.length
  ? `TLS Redis (SKIPPED: ${missing.join(', ')} not on PATH; apt-get install redis-server openssl)`
  : 'the bot on Redis over TLS with an ACL user (rediss://user:password@)';

const USER = { name: 'yeastar-bot', password: 'tls-test-Pa55word' };

describe.skipIf(missing.length > 0)(title, () => {
  let files: TlsFiles;
  let security: ServerSecurity;
  let servers: LocalServers | undefined;
  let world: World | undefined;

  beforeAll(async () => {
    files = await makeTlsFiles();
    security = { tls: files, user: USER };
  });

  afterEach(async () => {
    await world?.close();
    world = undefined;
    await servers?.stop();
    servers = undefined;
  });

  afterAll(() => files?.remove());

  /** `npm run check` as its own process on `servers`, the world's simulator and fake Slack. */
  async function checkOver(mode: 'single' | 'cluster', extra: Record<string, string> = {}) {
    const url = servers!.url;
    world = await createWorld({
      sim: { instances: 200, attention: 9, anchorMs: Date.now() },
      env: { REDIS_MODE: mode, REDIS_URL: url, DIGEST_OVER: '50' },
      redis: createRedisFactory({ url, mode, tlsCaFile: files.caFile }),
    });
    const w = world;
    w.clock.now = Date.now();
    const expected = (await w.expectedAlerts()).map((e) => e.alertKey).sort();
    const check = spawnCli('check', {
      REDIS_URL: url,
      REDIS_MODE: mode,
      REDIS_TLS_CA_FILE: files.caFile,
      YEASTAR_BASE_URL: w.sim.url,
      YEASTAR_CLIENT_ID: w.sim.credentials.clientId,
      YEASTAR_CLIENT_SECRET: w.sim.credentials.clientSecret,
      SLACK_BOT_TOKEN: w.config.slack.botToken!,
      SLACK_API_URL: w.slack.url,
      SLACK_ALERT_CHANNEL: w.config.slack.alertChannel!,
      SLACK_POSTS_PER_SECOND: '200',
      SLACK_BURST: '200',
      DIGEST_OVER: '50',
      QUEUE_PREFIX: w.prefix,
      TZ: 'UTC',
      LOG_LEVEL: 'error',
      REDIS_CONNECT_TIMEOUT: '5s',
      ...extra,
    });
    const exit = await check.exited;
    return { exit, check, expected, w };
  }

  it('a check runs one cycle on a single TLS server: every alert posted once', {
    timeout: 90_000,
  }, async () => {
    servers = await startLocalServer(security);
    expect(servers.url).toMatch(/^rediss:\/\/yeastar-bot:[^@]+@localhost:\d+$/);
    const { exit, check, expected, w } = await checkOver('single');
    expect(exit.code, check.stderr()).toBe(0);
    expect(check.stdout()).toContain(`${expected.length} posted`);
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual(expected);
  });

  it('without the CA the certificate is refused: one line naming REDIS_URL without its password, exit 1', {
    timeout: 60_000,
  }, async () => {
    servers = await startLocalServer(security);
    const { exit, check } = await checkOver('single', { REDIS_TLS_CA_FILE: '' });
    expect(exit.code).toBe(1);
    expect(check.stderr()).toMatch(
      /Redis did not answer at REDIS_URL=rediss:\/\/yeastar-bot:\*\*\*@localhost/,
    );
    expect(check.stderr()).toMatch(/certificate/i);
    expect(check.stderr()).not.toContain(USER.password);
  });

  it('a check runs one cycle on a TLS cluster whose every node wants the user and password', {
    timeout: 120_000,
  }, async () => {
    servers = await startLocalCluster(security);
    const { exit, check, expected, w } = await checkOver('cluster');
    expect(exit.code, check.stderr()).toBe(0);
    expect(check.stdout()).toContain(`${expected.length} posted`);
    expect(w.topLevel().map(alertKeyOfMessage).sort()).toEqual(expected);
  });
});

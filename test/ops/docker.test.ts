import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, parseDuration } from '../../src/config.js';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

type Compose = {
  services: Record<
    string,
    {
      image?: string;
      build?: string;
      command?: string[];
      env_file?: string;
      environment?: Record<string, string>;
      volumes?: string[];
      depends_on?: Record<string, { condition: string }>;
      stop_grace_period?: string;
    }
  >;
  volumes?: Record<string, unknown>;
};

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml')) as Compose;

  it('runs Redis with persistence on a named volume', () => {
    const redis = compose.services.redis!;
    expect(redis.image).toMatch(/^redis:/);
    expect(redis.command?.join(' ')).toMatch(/--appendonly yes/);
    expect(redis.volumes).toContain('redis-data:/data');
    expect(Object.keys(compose.volumes ?? {})).toContain('redis-data');
  });

  it('builds the bot from the repo, configured from .env, after Redis is healthy', () => {
    const bot = compose.services.bot!;
    expect(bot.build).toBe('.');
    expect(bot.env_file).toBe('.env');
    expect(bot.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(bot.depends_on?.redis?.condition).toBe('service_healthy');
  });

  it("gives the bot longer to stop than its own STOP_GRACE, so the bot's stop ends before Docker's SIGKILL", () => {
    const dockerGrace = parseDuration(compose.services.bot!.stop_grace_period ?? '10s')!;
    const envExample = read('.env.example');
    const configured = /^STOP_GRACE=(.*)$/m.exec(envExample)?.[1] ?? '';
    const botGrace = loadConfig({ STOP_GRACE: configured }).stopGraceMs;
    expect(botGrace).toBe(loadConfig({}).stopGraceMs);
    expect(dockerGrace).toBeGreaterThanOrEqual(botGrace + 10_000);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const ci = read('.ci/run');

  it('is multi-stage and runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = stages.at(-1)!;
    expect(final).toMatch(/^USER (?!root)\w+/m);
    expect(final).toMatch(/npm ci --omit=dev/);
  });

  it('builds with the commands CI runs', () => {
    const build = stages[0]!;
    for (const command of ['npm ci', 'npm run typecheck', 'npm run lint']) {
      expect(build).toContain(command);
      expect(ci).toContain(command);
    }
  });

  it('starts the bot with npm start, which package.json defines', () => {
    expect(dockerfile).toMatch(/CMD \["npm", "start"\]/);
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBeDefined();
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { redisUrlOptions } from '../../src/ops/redis-factory.js';

describe('REDIS_MODE', () => {
  it('is single by default, QUEUE_PREFIX kept as given', () => {
    const config = loadConfig({ QUEUE_PREFIX: 'yeastar' });
    expect(config.redisMode).toBe('single');
    expect(config.queuePrefix).toBe('yeastar');
  });

  it('cluster wraps a prefix without a hash tag in braces, and keeps one that has it', () => {
    expect(loadConfig({ REDIS_MODE: 'cluster' }).queuePrefix).toBe('{yeastar}');
    expect(loadConfig({ REDIS_MODE: 'cluster', QUEUE_PREFIX: 'acme' }).queuePrefix).toBe('{acme}');
    expect(loadConfig({ REDIS_MODE: 'cluster', QUEUE_PREFIX: 'bot:{acme}' }).queuePrefix).toBe('bot:{acme}');
  });

  it('refuses anything else with the two choices', () => {
    expect(() => loadConfig({ REDIS_MODE: 'sentinel' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_MODE: 'sentinel' })).toThrow(
      /REDIS_MODE: expected one of single, cluster/,
    );
  });
});

describe('REDIS_URL as connection options', () => {
  it('takes user, password (decoded), database and TLS with the host as servername', () => {
    expect(redisUrlOptions('rediss://bot:p%40ss@redis.example.com:6380/2')).toEqual({
      host: 'redis.example.com',
      port: 6380,
      username: 'bot',
      password: 'p@ss',
      db: 2,
      tls: { servername: 'redis.example.com' },
    });
    expect(redisUrlOptions('redis://127.0.0.1')).toEqual({ host: '127.0.0.1', port: 6379 });
    expect(redisUrlOptions('rediss://10.0.0.5:6379').tls).toEqual({});
  });

  it('names an unreadable REDIS_TLS_CA_FILE', () => {
    expect(() => redisUrlOptions('rediss://h:1', '/nonexistent/ca.pem')).toThrow(
      'REDIS_TLS_CA_FILE=/nonexistent/ca.pem cannot be read (ENOENT)',
    );
  });
});

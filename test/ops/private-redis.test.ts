import { describe, expect, it } from 'vitest';
import { redisAnswers } from '../../src/ops/private-redis.js';
import { runRepoScript } from '../helpers/subprocess.js';

/** A script that starts a private redis-server, says where, then dies the way a crash does. */
const CRASHING = `
import { startPrivateRedis } from './src/ops/private-redis.ts';
const server = await startPrivateRedis();
console.log(JSON.stringify({ url: server.url }));
setTimeout(() => { throw new Error('crash before stop()'); }, 10);
`;

describe('startPrivateRedis', () => {
  it('takes its redis-server down with the process when the process crashes before stop()', async () => {
    const { code, stdout, stderr } = await runRepoScript(['--input-type=module', '-e', CRASHING]);
    expect(code, stderr).not.toBe(0);
    expect(stderr).toContain('crash before stop()');
    const { url } = JSON.parse(stdout.trim()) as { url: string };
    // Killed on exit: within a moment nothing answers on its port.
    let answers = true;
    for (let i = 0; i < 20 && answers; i++) {
      answers = await redisAnswers(url, 200);
      if (answers) await new Promise((r) => setTimeout(r, 100));
    }
    expect(answers).toBe(false);
  });
});

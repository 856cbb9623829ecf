import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHeldBatch } from '../../src/jobs/held-digest.js';
import { redisFixture } from '../helpers/redis.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

let fixture: Awaited<ReturnType<typeof redisFixture>>;
beforeAll(async () => {
  fixture = await redisFixture('held');
});
afterAll(async () => {
  await fixture?.close();
});

/**
 * The app's clock decides when the opening is; Redis expires the keys on its own clock. With the two a
 * year apart (either way), a batch registered 8 hours before its opening must still live 8 hours plus a
 * day on Redis's clock, not be born expired (app ahead) nor live a year (app behind).
 */
describe.each([
  ['a year ahead of', YEAR],
  ['a year behind', -YEAR],
])("held batch with the app's clock %s Redis's", (_label, offset) => {
  const clock = { now: Date.now() + offset };
  const channel = `C${offset > 0 ? 'AHEAD' : 'BEHIND'}`;

  it('keeps the batch until a day after the opening', async () => {
    const held = createHeldBatch({ redis: fixture.redis, prefix: fixture.prefix, clock: () => clock.now });
    const opening = clock.now + 8 * HOUR;
    await held.register(channel, opening, ['13:A', '13:B']);

    expect(await held.size(channel, opening)).toBe(2);
    const ttl = await fixture.redis.pttl(`${fixture.prefix}:held:${channel}:${opening}`);
    expect(ttl).toBeGreaterThan(8 * HOUR + DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(8 * HOUR + DAY);
  });

  it("keeps the digest's ts a day once the opening came", async () => {
    const held = createHeldBatch({ redis: fixture.redis, prefix: fixture.prefix, clock: () => clock.now });
    const opening = clock.now;
    await held.register(channel, opening, ['13:C']);
    await held.recordDigest(channel, opening, '1700000000.000100');

    expect(await held.digestTs(channel, opening)).toBe('1700000000.000100');
    const ttl = await fixture.redis.pttl(`${fixture.prefix}:held:${channel}:${opening}:digest`);
    expect(ttl).toBeGreaterThan(DAY - 60_000);
    expect(ttl).toBeLessThanOrEqual(DAY);
  });
});

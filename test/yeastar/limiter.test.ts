import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../src/yeastar/limiter.mjs';

describe('createLimiter', () => {
  it('never runs more than max tasks at once, and runs them all', async () => {
    const limiter = createLimiter(3);
    let running = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(i % 4);
          running--;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
    expect(limiter.waiting).toBe(0);
  });

  it('a failing task frees its slot', async () => {
    const limiter = createLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
    expect(limiter.active).toBe(0);
  });

  it('urgent tasks take the next free slot ahead of those waiting longer, each kind in arrival order', async () => {
    const limiter = createLimiter(1);
    const order: string[] = [];
    let finish!: () => void;
    const running = limiter.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const task = (name: string) => async () => {
      order.push(name);
    };
    const waiting = [
      limiter.run(task('page 2')),
      limiter.run(task('look-up 1'), true),
      limiter.run(task('page 3')),
      limiter.run(task('look-up 2'), true),
    ];
    expect(limiter.waiting).toBe(4);
    finish();
    await Promise.all([running, ...waiting]);
    expect(order).toEqual(['look-up 1', 'look-up 2', 'page 2', 'page 3']);
    expect(limiter.active).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => createLimiter(0)).toThrow(RangeError);
  });
});

import type { YeastarClient } from '../yeastar/types.js';

/** Counts the API calls made through it: what the cycle summary reports, per job and so per process. */
export function countingClient(client: YeastarClient): { client: YeastarClient; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'stats' || property === 'listInstances') return value;
      return (...args: unknown[]) => {
        calls += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: counted, calls: () => calls };
}

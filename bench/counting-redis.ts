import { Cluster, Redis } from 'ioredis';
import { QUEUES } from '../src/jobs/ids.js';

/**
 * Connections that count what the bot sends to Redis. Every command is counted; the round trips the
 * pipeline's own state code (alert store + cycle bookkeeping) makes for scan pages are counted apart:
 * a command, or a whole pipeline/MULTI batch (one write, one wait), counts 1 when it names a scan job
 * (`…|scan|…`: decide's evaluator, finish's self, isFinished's member), no orchestrator step (`…|poll|…`)
 * and no BullMQ queue key. BullMQ's blocking connections (`duplicate()`s of ours) are not counted here.
 */

type Command = Parameters<Redis['sendCommand']>[0];
type Stream = Parameters<Redis['sendCommand']>[1];

export type RedisCounts = {
  /** Every command sent on our connections, BullMQ's included. */
  commands: number;
  /** Round trips of our own state code that belong to a scan page. */
  scanStateRoundTrips: number;
};

export type RedisCounter = {
  /** A new connection (`maxRetriesPerRequest: null`, as BullMQ wants) that counts into this counter. */
  connect(): Redis;
  counts(): RedisCounts;
  reset(): void;
};

const text = (arg: unknown) => (typeof arg === 'string' ? arg : Buffer.isBuffer(arg) ? arg.toString() : '');

export function createRedisCounter(
  url: string,
  prefix: string,
  mode: 'single' | 'cluster' = 'single',
): RedisCounter {
  const queuePrefixes = Object.values(QUEUES).map((q) => `${prefix}:${q}:`);
  let counts: RedisCounts = { commands: 0, scanStateRoundTrips: 0 };
  const batchesCounted = new WeakSet<object>();

  function firstKey(command: Command): string {
    const name = command.name.toLowerCase();
    if (name === 'eval' || name === 'evalsha') {
      return Number(text(command.args[1]) || command.args[1]) > 0 ? text(command.args[2]) : '';
    }
    return text(command.args[0]);
  }

  function isScanState(command: Command): boolean {
    const key = firstKey(command);
    if (queuePrefixes.some((p) => key.startsWith(p))) return false;
    const args = command.args.map(text);
    // The orchestrator registering page 1 of each product line names scan jobs too, but is not a page's.
    return args.some((arg) => arg.includes('|scan|')) && !args.some((arg) => arg.includes('|poll|'));
  }

  class CountingRedis extends Redis {
    override sendCommand(command: Command, stream?: Stream): unknown {
      count(command, stream);
      return super.sendCommand(command, stream);
    }
  }

  function count(command: Command, stream?: Stream): void {
    counts.commands++;
    if (!isScanState(command)) return;
    // Commands of one pipeline/MULTI share the `stream` ioredis hands them: one round trip.
    if (!stream) counts.scanStateRoundTrips++;
    else if (!batchesCounted.has(stream)) {
      batchesCounted.add(stream);
      counts.scanStateRoundTrips++;
    }
  }

  // A cluster client's commands pass its own sendCommand before a node's plain connection: counted there.
  class CountingCluster extends Cluster {
    override sendCommand(...args: Parameters<Cluster['sendCommand']>): unknown {
      count(args[0], args[1] as Stream | undefined);
      return super.sendCommand(...args);
    }
  }

  return {
    connect: () =>
      mode === 'cluster'
        ? (new CountingCluster([url], { redisOptions: { maxRetriesPerRequest: null } }) as unknown as Redis)
        : new CountingRedis(url, { maxRetriesPerRequest: null }),
    counts: () => ({ ...counts }),
    reset() {
      counts = { commands: 0, scanStateRoundTrips: 0 };
    },
  };
}

import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertStore } from '../alerts/types.js';
import type { YeastarClient } from '../yeastar/types.js';

/**
 * The bot's Prometheus metrics. Counters of this process are kept here; what lives in Redis or in the
 * client (open alerts, queue depths, API calls) is read when Prometheus scrapes, so a scrape always shows
 * the current state and nothing is counted twice.
 */
export type CycleObservation = {
  ok: boolean;
  seconds: number;
  instances: number;
};

export type Metrics = {
  registry: Registry;
  observeCycle(cycle: CycleObservation): void;
  slackCall(method: string, error?: string): void;
  /** One renewal attempt from Slack, by result (`placed`, `refused`, `dry_run`, …). */
  renewOrder(result: string): void;
  /** Adds what is read on scrape (the pipeline's queues exist only after the Slack client is built). */
  attach(more: MetricsSources): void;
  /** The text `GET /metrics` answers, and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
};

export type MetricsSources = {
  store?: AlertStore;
  client?: YeastarClient;
  queues?: Queue[];
  /** Redis's clock minus the bot's, in seconds (ops/clock-skew.ts). */
  clockSkew?: () => Promise<number>;
};

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();

  const cycles = new Counter({
    name: 'yeastar_cycles_total',
    help: 'Poll cycles finished by this process, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const cycleDuration = new Histogram({
    name: 'yeastar_cycle_duration_seconds',
    help: 'Duration of poll cycles',
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const instancesSeen = new Gauge({
    name: 'yeastar_instances_seen',
    help: 'Instances listed by the last cycle this process finished',
    registers: [registry],
  });
  new Gauge({
    name: 'yeastar_alerts_open',
    help: 'Open alerts by stage',
    labelNames: ['stage'] as const,
    registers: [registry],
    async collect() {
      if (!sources.store) return;
      this.reset();
      const counts = await sources.store.counts();
      for (const [stage, n] of Object.entries(counts.byStage)) this.set({ stage }, n);
    },
  });
  new Counter({
    name: 'yeastar_api_calls_total',
    help: 'Partner Portal API calls by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [registry],
    collect() {
      if (!sources.client) return;
      this.reset();
      for (const [endpoint, s] of Object.entries(sources.client.stats().byEndpoint))
        this.inc({ endpoint }, s.calls);
    },
  });
  new Counter({
    name: 'yeastar_api_errors_total',
    help: 'Partner Portal API errors by endpoint and code',
    labelNames: ['endpoint', 'code'] as const,
    registers: [registry],
    collect() {
      if (!sources.client) return;
      this.reset();
      for (const [endpoint, s] of Object.entries(sources.client.stats().byEndpoint)) {
        for (const [code, n] of Object.entries(s.byCode)) this.inc({ endpoint, code }, n);
      }
    },
  });
  new Counter({
    name: 'yeastar_token_requests_total',
    help: 'Access token requests (logins and refreshes) made by this process',
    registers: [registry],
    collect() {
      if (!sources.client) return;
      this.reset();
      this.inc(sources.client.stats().tokenRequests);
    },
  });
  const slackCalls = new Counter({
    name: 'yeastar_slack_calls_total',
    help: 'Slack Web API calls by method',
    labelNames: ['method'] as const,
    registers: [registry],
  });
  const slackErrors = new Counter({
    name: 'yeastar_slack_errors_total',
    help: 'Slack Web API errors by method and error',
    labelNames: ['method', 'error'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'yeastar_queue_jobs',
    help: 'Jobs in each BullMQ queue by state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!sources.queues) return;
      this.reset();
      for (const queue of sources.queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
      }
    },
  });
  new Gauge({
    name: 'yeastar_clock_skew_seconds',
    help: "Redis's clock minus this process's clock: key lifetimes and job delays are off by as much",
    registers: [registry],
    async collect() {
      if (sources.clockSkew) this.set(await sources.clockSkew());
    },
  });

  const renewOrders = new Counter({
    name: 'yeastar_renew_orders_total',
    help: 'Renewal attempts from Slack handled by this process, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  return {
    registry,
    renewOrder(result) {
      renewOrders.inc({ result });
    },
    observeCycle(cycle) {
      cycles.inc({ outcome: cycle.ok ? 'success' : 'failure' });
      cycleDuration.observe(cycle.seconds);
      instancesSeen.set(cycle.instances);
    },
    attach(more) {
      Object.assign(sources, more);
    },
    slackCall(method, error) {
      slackCalls.inc({ method });
      if (error) slackErrors.inc({ method, error });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

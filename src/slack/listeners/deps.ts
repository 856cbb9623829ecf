import type { App } from '@slack/bolt';
import type { Redis } from 'ioredis';
import type { AlertStore } from '../../alerts/types.js';
import type { Config } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { YeastarClient } from '../../yeastar/types.js';
import type { ActivationService } from '../activation.js';
import type { ActivationAudit } from '../audit.js';
import type { Deduper } from '../dedupe.js';

/** What every listener of the Slack app is given: the app's adapters, never a module-level singleton. */
export type ListenerDeps = {
  config: Config;
  store: AlertStore;
  client: YeastarClient;
  redis: Redis;
  logger: Logger;
  clock: () => number;
  audit: ActivationAudit;
  activation: ActivationService;
  dedupe: Deduper;
  /** Counts renewal attempts (metrics); absent in tests that do not look. */
  renewCount?: (result: string) => void;
};

/** Bolt's Web API client as a listener receives it. */
export type WebClient = Parameters<Parameters<App['event']>[1]>[0]['client'];

/** The settings every rendering of an alert or a list needs. */
export function viewSettings(config: Config) {
  return {
    portalUrl: config.portalUrl,
    timeZone: config.timeZone,
    thresholds: config.alertDays,
    renewMode: config.renew.mode,
  };
}

import type { App } from '@slack/bolt';
import type { HomeView } from '../../alerts/block-kit.js';
import { createForecastHomeStrip } from '../forecast/home.js';
import { buildHomeView, HOME_ALERT_LIMIT } from '../home-view.js';
import { slackErrorName } from './answer.js';
import { type ListenerDeps, viewSettings, type WebClient } from './deps.js';

export type PublishHome = (client: WebClient, userId: string, notice?: string | null) => Promise<void>;

/** Draws a user's App Home board from the store: counts, the open alerts, when a cycle last succeeded. */
export function createHomePublisher(deps: ListenerDeps): PublishHome {
  const { config, store, redis, clock } = deps;
  const view = viewSettings(config);
  const forecastStrip = createForecastHomeStrip(deps);
  return async (client, userId, notice = null) => {
    const [counts, open, last, strip] = await Promise.all([
      store.counts(),
      store.listOpen({ limit: HOME_ALERT_LIMIT }),
      redis.get(`${config.queuePrefix}:lastSuccessfulCycleAt`),
      forecastStrip(),
    ]);
    const lastCycleAt = last !== null && Number.isFinite(Number(last)) ? Number(last) : null;
    const home = buildHomeView({
      ...view,
      counts,
      records: open.records,
      now: clock(),
      lastCycleAt,
      notice,
      forecastStrip: strip,
    });
    await client.views.publish({ user_id: userId, view: home as HomeView });
  };
}

/** The board is drawn each time its tab is opened; a failure leaves the last one in place. */
export function register(app: App, { logger }: ListenerDeps, publishHome: PublishHome): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(client, event.user);
    } catch (error) {
      logger.warn({ err: slackErrorName(error), user: event.user }, 'App Home publish failed');
    }
  });
}

import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { renderAlert } from '../../alerts/render.js';
import type { RenewOrderState } from '../../alerts/render-renew.js';
import type { AlertStore, Evaluation, SlackMessageRef } from '../../alerts/types.js';
import type { Config } from '../../config.js';
import { readEnrichment } from '../../jobs/cycle-state.js';
import type { Logger } from '../../logger.js';
import { viewSettings } from '../listeners/deps.js';
import type { ThreadMessage } from './thread.js';

/**
 * The alert's side of a renewal: its message re-rendered in place with who ordered and the order's
 * status (`chat.update`), and the replies in its thread (`chat.postMessage` with `thread_ts`). An alert
 * without a message (an SN renewed with `/yeastar renew`) gets its replies in the alert channel.
 */

export type AlertMessenger = {
  show(
    client: WebClient,
    alertKey: string,
    order: RenewOrderState | null,
    patch?: (e: Evaluation) => Evaluation,
  ): Promise<void>;
  reply(
    client: WebClient,
    alertKey: string,
    fallback: SlackMessageRef | null,
    message: ThreadMessage,
  ): Promise<void>;
};

export function createAlertMessenger(deps: {
  config: Config;
  store: AlertStore;
  redis: Redis;
  logger: Logger;
  clock: () => number;
}): AlertMessenger {
  const { config, store, logger } = deps;

  async function enrichmentOf(cycleId: string, alertKey: string) {
    if (!cycleId) return null;
    return readEnrichment(deps.redis, config.queuePrefix, cycleId, alertKey).catch(() => null);
  }

  return {
    async show(client, alertKey, order, patch) {
      const record = await store.get(alertKey);
      if (!record?.evaluation || record.resolvedAt !== null) return;
      const evaluation = patch ? patch(record.evaluation) : record.evaluation;
      const rendered = renderAlert({
        ...viewSettings(config),
        evaluation,
        record,
        enrichment: await enrichmentOf(record.cycleId, alertKey),
        renewOrder: order,
        now: deps.clock(),
      });
      for (const target of record.messages) {
        await client.chat
          .update({
            channel: target.channel,
            ts: target.ts,
            text: rendered.text,
            blocks: rendered.blocks,
            metadata: rendered.metadata,
          })
          .catch((error: unknown) => {
            logger.warn({ alertKey, err: (error as Error).message }, 'renewal: alert update failed');
          });
      }
    },

    async reply(client, alertKey, fallback, message) {
      const record = await store.get(alertKey);
      const root = record?.messages[0] ?? fallback;
      const channel = root?.channel ?? config.slack.alertChannel;
      if (!channel) {
        logger.warn({ alertKey }, 'renewal: no channel to reply in');
        return;
      }
      await client.chat
        .postMessage({
          channel,
          ...(root ? { thread_ts: root.ts } : {}),
          text: message.text,
          blocks: message.blocks,
        })
        .catch((error: unknown) => {
          logger.warn({ alertKey, err: (error as Error).message }, 'renewal: thread reply failed');
        });
    },
  };
}

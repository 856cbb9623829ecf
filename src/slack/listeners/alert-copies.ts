import { renderAlert } from '../../alerts/render.js';
import type { AlertRecord, Enrichment, SlackMessageRef } from '../../alerts/types.js';
import { readEnrichment } from '../../jobs/cycle-state.js';
import { messageRefsOf } from '../message-refs.js';
import { renewOrderOf } from '../renew/order-state.js';
import { errorText, slackErrorName } from './answer.js';
import { type ListenerDeps, viewSettings, type WebClient } from './deps.js';

export type UpdateAlertCopies = (
  client: WebClient,
  record: AlertRecord,
  clicked: SlackMessageRef | null,
) => Promise<void>;

/** Re-renders an alert in every channel that has a copy of it (or the clicked one, if none is known). */
export function createAlertCopyUpdater(deps: ListenerDeps): UpdateAlertCopies {
  const { config, logger, clock } = deps;
  const view = viewSettings(config);

  async function enrichmentOf(record: AlertRecord): Promise<Enrichment | null> {
    if (!record.cycleId) return null;
    try {
      return await readEnrichment(deps.redis, config.queuePrefix, record.cycleId, record.alertKey);
    } catch (error) {
      // The message is still right without its renewal options; the next cycle brings them back.
      logger.warn({ alertKey: record.alertKey, err: errorText(error) }, 'renewal options unreadable');
      return null;
    }
  }

  return async (client, record, clicked) => {
    const known = messageRefsOf(record);
    const targets = known.length > 0 ? known : clicked ? [clicked] : [];
    if (targets.length === 0 || !record.evaluation) return;
    const rendered = renderAlert({
      evaluation: record.evaluation,
      record,
      enrichment: await enrichmentOf(record),
      renewOrder: await renewOrderOf(deps, record),
      ...view,
      now: clock(),
    });
    await Promise.all(
      targets.map(async (target) => {
        try {
          await client.chat.update({
            channel: target.channel,
            ts: target.ts,
            text: rendered.text,
            blocks: rendered.blocks,
            metadata: rendered.metadata,
          });
        } catch (error) {
          // One deleted or unreachable copy must not keep the others stale.
          logger.warn(
            { alertKey: record.alertKey, channel: target.channel, err: slackErrorName(error) },
            'chat.update after a click failed',
          );
        }
      }),
    );
  };
}

import type { App } from '@slack/bolt';
import { interactionId } from '../dedupe.js';
import { renewEarlyAck } from '../renew/ack.js';
import { errorText } from './answer.js';
import type { ListenerDeps } from './deps.js';

/**
 * Registered first: every interaction is acknowledged before anything touches Redis or the API (Slack
 * waits 3 s), and a delivery Slack repeats (a retry, a double click) reaches the listeners once.
 */
export function register(app: App, deps: ListenerDeps): void {
  const { dedupe, logger } = deps;
  app.use(async (args) => {
    const { ack } = args as { ack?: (response?: unknown) => Promise<void> };
    if (ack) await ack(renewEarlyAck(deps.config, args.body));
    const id = interactionId(args.body as Record<string, unknown>);
    if (id !== null) {
      try {
        if (!(await dedupe.first(id))) {
          logger.info({ id, retry: args.context.retryNum ?? null }, 'duplicate delivery from Slack ignored');
          return;
        }
      } catch (error) {
        // Better to risk a second run of an idempotent click than to drop the first.
        logger.warn({ err: (error as Error).message }, 'dedupe check failed; handling the request anyway');
      }
    }
    await args.next();
  });

  app.error(async (error) => {
    logger.error({ err: errorText(error) }, 'bolt error');
  });
}

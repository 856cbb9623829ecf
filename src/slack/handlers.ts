import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { alertKeyFromBlockId, renderAlert } from '../alerts/render.js';
import type { AlertRecord, AlertStore, Enrichment, SlackMessageRef, SnoozeChoice } from '../alerts/types.js';
import { ACTION_IDS } from '../alerts/types.js';
import type { Config } from '../config.js';
import { cycleKeys } from '../jobs/cycle-state.js';
import type { Logger } from '../logger.js';
import { type Instance, SOFTWARE_EDITION_PRODUCT_ID, type YeastarClient } from '../yeastar/types.js';
import type { ActivationService } from './activation.js';
import type { ActivationAudit } from './audit.js';
import { type Command, parseCommand, parseSn } from './commands.js';
import { type Deduper, interactionId } from './dedupe.js';
import { buildHomeView, HOME_ALERT_LIMIT } from './home-view.js';
import {
  activationReply,
  auditReply,
  EXPIRING_MORE_ACTION,
  EXPIRING_PAGE_SIZE,
  expiringPage,
  parseMoreValue,
  type Reply,
  statusReply,
  textReply,
  usageReply,
} from './replies.js';

/**
 * Every listener of the Slack app, registered on whichever receiver runs it (HTTP or Socket Mode).
 * Interactions are acknowledged by the first middleware, before anything touches Redis or the API;
 * the answer follows through `response_url`, `chat.update` or `views.publish`.
 */

export type HandlerDeps = {
  config: Config;
  store: AlertStore;
  client: YeastarClient;
  redis: Redis;
  logger: Logger;
  clock: () => number;
  audit: ActivationAudit;
  activation: ActivationService;
  dedupe: Deduper;
};

export const COMMAND = '/yeastar';
const DAY_MS = 86_400_000;
const SNOOZE_MS: Record<SnoozeChoice, number> = { '1d': DAY_MS, '7d': 7 * DAY_MS };

type WebClient = Parameters<Parameters<App['event']>[1]>[0]['client'];

/** What a failure may say to a user: its kind, never its stack or a response body. */
function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function slackErrorName(error: unknown): string {
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : error instanceof Error ? error.name : 'error';
}

export function registerHandlers(app: App, deps: HandlerDeps): void {
  const { config, store, logger, clock } = deps;
  const allowed = new Set(config.slack.activationAllowedUsers);
  const view = { portalUrl: config.portalUrl, timeZone: config.timeZone };

  async function send(respond: RespondFn | undefined, reply: Reply, replaceOriginal = false): Promise<void> {
    if (!respond) return;
    try {
      await respond({
        response_type: 'ephemeral',
        replace_original: replaceOriginal,
        text: reply.text,
        blocks: reply.blocks as never,
      });
    } catch (error) {
      // Only the message: an HTTP client's error carries the request body, which may hold a code.
      logger.warn({ err: (error as Error).message }, 'answer to response_url failed');
    }
  }

  /** Runs a listener's work; whatever fails, the user gets one plain line and the log gets the reason. */
  async function guarded(what: string, respond: RespondFn | undefined, work: () => Promise<void>) {
    try {
      await work();
    } catch (error) {
      logger.error({ err: errorText(error), what }, 'slack handler failed');
      await send(
        respond,
        textReply(':warning: Something went wrong on our side; it has been logged. Try again in a minute.'),
      );
    }
  }

  // --- acknowledgement and retries ----------------------------------------------------------------

  app.use(async (args) => {
    const { ack } = args as { ack?: () => Promise<void> };
    if (ack) await ack();
    const id = interactionId(args.body as Record<string, unknown>);
    if (id !== null) {
      try {
        if (!(await deps.dedupe.first(id))) {
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

  // --- /yeastar -----------------------------------------------------------------------------------

  async function findInstance(sn: string): Promise<{ instance: Instance; productName: string } | null> {
    const lines = await deps.client.listProductLines();
    for (const line of lines) {
      const instance = await deps.client.getInstance(line.productId, sn);
      if (instance) return { instance, productName: line.name };
    }
    return null;
  }

  async function expiring(days: number, offset: number): Promise<Reply> {
    const now = clock();
    const { total, records } = await store.listOpen({
      withinDays: days,
      now,
      offset,
      limit: EXPIRING_PAGE_SIZE,
    });
    return expiringPage({ ...view, now, days, offset, total, records });
  }

  async function answer(command: Command, userId: string): Promise<Reply> {
    switch (command.kind) {
      case 'help':
        return usageReply(null);
      case 'status': {
        let found: Awaited<ReturnType<typeof findInstance>>;
        try {
          found = await findInstance(command.sn);
        } catch (error) {
          logger.warn({ err: errorText(error), sn: command.sn }, 'status lookup failed');
          return textReply(
            `:warning: The Partner Portal API did not answer for *${command.sn}* just now. Try again in a minute.`,
          );
        }
        if (!found) return usageReply(`No instance with SN *${command.sn}* in any product line.`);
        const record = await store.findBySn(command.sn);
        return statusReply({ ...view, now: clock(), ...found, record });
      }
      case 'activation':
        return activationReply(await deps.activation({ userId, sn: command.sn, via: 'command' }));
      case 'expiring':
        return expiring(command.days ?? Math.max(...config.alertDays), 0);
      case 'audit':
        if (!allowed.has(userId)) {
          return textReply(
            ':lock: Sorry, only the people allowed to see activation codes may read their audit log.',
          );
        }
        return auditReply(await deps.audit.recent(20));
    }
  }

  app.command(COMMAND, async ({ command, respond }) => {
    await guarded('command', respond, async () => {
      const parsed = parseCommand(command.text);
      const reply = parsed.ok ? await answer(parsed.command, command.user_id) : usageReply(parsed.error);
      await send(respond, reply);
    });
  });

  // --- alert buttons ------------------------------------------------------------------------------

  async function enrichmentOf(record: AlertRecord): Promise<Enrichment | null> {
    if (!record.cycleId) return null;
    try {
      const raw = await deps.redis.get(cycleKeys(config.queuePrefix, record.cycleId).enrich(record.alertKey));
      return raw ? (JSON.parse(raw) as Enrichment) : null;
    } catch {
      return null;
    }
  }

  async function updateMessage(client: WebClient, record: AlertRecord, clicked: SlackMessageRef | null) {
    const target = record.message ?? clicked;
    if (!target || !record.evaluation) return;
    const now = clock();
    const rendered = renderAlert({
      evaluation: record.evaluation,
      record,
      enrichment: await enrichmentOf(record),
      ...view,
      now,
    });
    try {
      await client.chat.update({
        channel: target.channel,
        ts: target.ts,
        text: rendered.text,
        blocks: rendered.blocks as never,
        metadata: rendered.metadata,
      });
    } catch (error) {
      logger.warn(
        { alertKey: record.alertKey, err: slackErrorName(error) },
        'chat.update after a click failed',
      );
    }
  }

  async function publishHome(client: WebClient, userId: string, notice: string | null = null) {
    const [counts, open, last] = await Promise.all([
      store.counts(),
      store.listOpen({ limit: HOME_ALERT_LIMIT }),
      deps.redis.get(`${config.queuePrefix}:lastSuccessfulCycleAt`),
    ]);
    const lastCycleAt = last !== null && Number.isFinite(Number(last)) ? Number(last) : null;
    const home = buildHomeView({ ...view, counts, records: open.records, now: clock(), lastCycleAt, notice });
    await client.views.publish({ user_id: userId, view: home as never });
  }

  function clickedMessage(body: BlockAction): SlackMessageRef | null {
    const channel = body.channel?.id ?? (body.container.channel_id as string | undefined);
    const ts = body.message?.ts ?? (body.container.message_ts as string | undefined);
    return channel && ts ? { channel, ts } : null;
  }

  function fromHome(body: BlockAction): boolean {
    return body.view?.type === 'home' || body.container.type === 'view';
  }

  function resolvedNotice(record: AlertRecord | null): string {
    const sn = record?.evaluation?.subject.productNo;
    const what = sn ? `The alert for *${sn}*` : 'That alert';
    return record?.resolveReason === 'vanished'
      ? `${what} has resolved since: the instance is no longer listed. Nothing to do.`
      : `${what} has resolved since (renewed). Nothing to do.`;
  }

  async function changeAlert(
    args: { body: BlockAction; respond: RespondFn | undefined; client: WebClient },
    alertKey: string | null,
    change: (alertKey: string, userId: string, now: number) => ReturnType<AlertStore['acknowledge']>,
  ): Promise<void> {
    const { body, respond, client } = args;
    const userId = body.user.id;
    const home = fromHome(body);
    if (!alertKey) {
      await send(respond, textReply('That button no longer names an alert; nothing was changed.'));
      return;
    }
    const result = await change(alertKey, userId, clock());
    if (result.outcome === 'resolved') {
      if (home) await publishHome(client, userId, resolvedNotice(result.record));
      else await send(respond, textReply(resolvedNotice(result.record)));
      return;
    }
    // 'already' renders the winner's name: the loser of a race sees who, not an error.
    await updateMessage(client, result.record, home ? null : clickedMessage(body));
    if (home) await publishHome(client, userId);
  }

  app.action<BlockAction>(ACTION_IDS.acknowledge, async ({ body, action, respond, client }) => {
    await guarded('acknowledge', respond, async () => {
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const alertKey = value !== '' ? value : alertKeyFromBlockId(action.block_id);
      await changeAlert({ body, respond, client }, alertKey, (key, user, now) =>
        store.acknowledge(key, user, now),
      );
    });
  });

  app.action<BlockAction>(ACTION_IDS.snooze, async ({ body, action, respond, client }) => {
    await guarded('snooze', respond, async () => {
      const choice = 'selected_option' in action ? action.selected_option?.value : undefined;
      const duration = choice === '1d' || choice === '7d' ? SNOOZE_MS[choice] : undefined;
      if (duration === undefined) {
        await send(respond, textReply('Snooze for 1 day or 7 days.'));
        return;
      }
      await changeAlert({ body, respond, client }, alertKeyFromBlockId(action.block_id), (key, user, now) =>
        store.snooze(key, now + duration, user, now),
      );
    });
  });

  app.action<BlockAction>(ACTION_IDS.activationCode, async ({ body, action, respond }) => {
    await guarded('activation button', respond, async () => {
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const split = value.indexOf(':');
      const productId = split > 0 ? value.slice(0, split) : '';
      const sn = parseSn(split > 0 ? value.slice(split + 1) : '');
      if (productId !== SOFTWARE_EDITION_PRODUCT_ID || !sn.ok) {
        await send(
          respond,
          textReply('Activation codes exist only for P-Series Software Edition instances.'),
        );
        return;
      }
      if (!respond) {
        logger.warn({ sn: sn.sn }, 'activation button without a response_url: nowhere private to answer');
        return;
      }
      const result = await deps.activation({ userId: body.user.id, sn: sn.sn, via: 'button' });
      await send(respond, activationReply(result));
    });
  });

  // A URL button: Slack opens the link itself and still reports the click, which needs only the ack.
  app.action(ACTION_IDS.openPortal, async () => {});

  app.action<BlockAction>(EXPIRING_MORE_ACTION, async ({ action, respond }) => {
    await guarded('expiring more', respond, async () => {
      const more = parseMoreValue(
        'value' in action && typeof action.value === 'string' ? action.value : undefined,
      );
      if (!more) {
        await send(respond, usageReply('That list has expired; ask again.'));
        return;
      }
      await send(respond, await expiring(more.days, more.offset));
    });
  });

  // --- App Home -----------------------------------------------------------------------------------

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await publishHome(client, event.user);
    } catch (error) {
      logger.warn({ err: slackErrorName(error), user: event.user }, 'App Home publish failed');
    }
  });
}

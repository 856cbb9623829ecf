import type { App, BlockAction, RespondFn } from '@slack/bolt';
import type { Redis } from 'ioredis';
import { alertKeyFromBlockId, renderAlert } from '../alerts/render.js';
import { snoozeConfirmation } from '../alerts/snooze.js';
import type { AlertRecord, AlertStore, ClaimResult, Enrichment, SlackMessageRef } from '../alerts/types.js';
import { ACTION_IDS } from '../alerts/types.js';
import type { Config } from '../config.js';
import { readEnrichment } from '../jobs/cycle-state.js';
import type { Logger } from '../logger.js';
import type { Instance, YeastarClient } from '../yeastar/types.js';
import type { ActivationService } from './activation.js';
import { readActivationClick } from './activation-button.js';
import type { ActivationAudit } from './audit.js';
import { type Command, parseCommand } from './commands.js';
import { type Deduper, interactionId } from './dedupe.js';
import { createForecastCommands } from './forecast/command.js';
import { createForecastHomeStrip } from './forecast/home.js';
import { buildHomeView, HOME_ALERT_LIMIT } from './home-view.js';
import { messageRefsOf } from './message-refs.js';
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
import { decideSnooze } from './snooze-choice.js';

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
  const view = { portalUrl: config.portalUrl, timeZone: config.timeZone, thresholds: config.alertDays };
  const forecast = createForecastCommands(deps);
  const forecastStrip = createForecastHomeStrip(deps);

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

  async function answer(command: Command, userId: string, client: WebClient): Promise<Reply> {
    switch (command.kind) {
      case 'forecast':
      case 'export':
        return forecast(command, { userId, client });
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

  app.command(COMMAND, async ({ command, respond, client }) => {
    await guarded('command', respond, async () => {
      const parsed = parseCommand(command.text);
      const reply = parsed.ok
        ? await answer(parsed.command, command.user_id, client)
        : usageReply(parsed.error);
      await send(respond, reply);
    });
  });

  // --- alert buttons ------------------------------------------------------------------------------

  async function enrichmentOf(record: AlertRecord): Promise<Enrichment | null> {
    if (!record.cycleId) return null;
    try {
      return await readEnrichment(deps.redis, config.queuePrefix, record.cycleId, record.alertKey);
    } catch {
      return null;
    }
  }

  /** Re-renders the alert in every channel that has a copy of it (or the clicked one, if none is known). */
  async function updateMessages(client: WebClient, record: AlertRecord, clicked: SlackMessageRef | null) {
    const known = messageRefsOf(record);
    const targets = known.length > 0 ? known : clicked ? [clicked] : [];
    if (targets.length === 0 || !record.evaluation) return;
    const rendered = renderAlert({
      evaluation: record.evaluation,
      record,
      enrichment: await enrichmentOf(record),
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
            blocks: rendered.blocks as never,
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
  }

  async function publishHome(client: WebClient, userId: string, notice: string | null = null) {
    const [counts, open, last, strip] = await Promise.all([
      store.counts(),
      store.listOpen({ limit: HOME_ALERT_LIMIT }),
      deps.redis.get(`${config.queuePrefix}:lastSuccessfulCycleAt`),
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

  type Click = { body: BlockAction; respond: RespondFn | undefined; client: WebClient };

  /** A short answer to the clicking user: ephemeral under a message, a notice on the App Home board. */
  async function tell(click: Click, text: string): Promise<void> {
    if (fromHome(click.body)) await publishHome(click.client, click.body.user.id, text);
    else await send(click.respond, textReply(text));
  }

  /** After the store changed an alert: every copy of it shows the change, or the user hears why not. */
  async function showClaim(click: Click, result: ClaimResult, confirmation: string | null): Promise<void> {
    if (result.outcome === 'resolved') {
      await tell(click, resolvedNotice(result.record));
      return;
    }
    const home = fromHome(click.body);
    // 'already' renders the winner's name: the loser of a race sees who, not an error.
    await updateMessages(click.client, result.record, home ? null : clickedMessage(click.body));
    if (confirmation !== null) await tell(click, confirmation);
    else if (home) await publishHome(click.client, click.body.user.id);
  }

  const NO_ALERT = 'That button no longer names an alert; nothing was changed.';

  app.action<BlockAction>(ACTION_IDS.acknowledge, async ({ body, action, respond, client }) => {
    await guarded('acknowledge', respond, async () => {
      const click = { body, respond, client };
      const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
      const alertKey = value !== '' ? value : alertKeyFromBlockId(action.block_id);
      if (!alertKey) {
        await tell(click, NO_ALERT);
        return;
      }
      await showClaim(click, await store.acknowledge(alertKey, body.user.id, clock()), null);
    });
  });

  app.action<BlockAction>(ACTION_IDS.snooze, async ({ body, action, respond, client }) => {
    await guarded('snooze', respond, async () => {
      const click = { body, respond, client };
      const alertKey = alertKeyFromBlockId(action.block_id);
      if (!alertKey) {
        await tell(click, NO_ALERT);
        return;
      }
      const record = await store.get(alertKey);
      if (!record || record.resolvedAt !== null) {
        await tell(click, resolvedNotice(record));
        return;
      }
      // Counted from the alert as stored now, not as it was when the menu was drawn.
      const now = clock();
      const choice = 'selected_option' in action ? action.selected_option?.value : undefined;
      const decision = decideSnooze(choice, record.evaluation, { ...view, now });
      if (!decision.ok) {
        // The stale menu goes too: the message shows the options that still apply.
        if (!fromHome(body)) await updateMessages(client, record, clickedMessage(body));
        await tell(click, `:hourglass: ${decision.reason}`);
        return;
      }
      const result = await store.snooze(alertKey, decision.until, body.user.id, now);
      await showClaim(click, result, snoozeConfirmation(decision.kind, decision.until, body.user.id));
    });
  });

  app.action<BlockAction>(ACTION_IDS.activationCode, async ({ body, action, respond }) => {
    await guarded('activation button', respond, async () => {
      const value = 'value' in action ? action.value : undefined;
      const click = readActivationClick(value, body.user.id, allowed);
      if (click.kind === 'not_software_edition') {
        await send(
          respond,
          textReply('Activation codes exist only for P-Series Software Edition instances.'),
        );
        return;
      }
      if (!respond) {
        logger.warn({ sn: click.sn }, 'activation button without a response_url: nowhere private to answer');
        return;
      }
      const result = await deps.activation({ userId: body.user.id, sn: click.sn, via: 'button' });
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

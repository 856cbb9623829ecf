import type { App, BlockAction } from '@slack/bolt';
import type { Instance } from '../../yeastar/types.js';
import { type Command, parseCommand } from '../commands.js';
import { createForecastCommands } from '../forecast/command.js';
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
} from '../replies.js';
import { type Answerer, errorText } from './answer.js';
import { type ListenerDeps, viewSettings, type WebClient } from './deps.js';

export const COMMAND = '/yeastar';

/** `/yeastar <subcommand>`, and the "more" button of its expiring list. Every answer is ephemeral. */
export function register(app: App, deps: ListenerDeps, answerer: Answerer): void {
  const { config, store, logger, clock } = deps;
  const allowed = new Set(config.slack.activationAllowedUsers);
  const view = viewSettings(config);
  const { send, guarded } = answerer;
  const forecast = createForecastCommands(deps);

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

  async function status(sn: string): Promise<Reply> {
    let found: Awaited<ReturnType<typeof findInstance>>;
    try {
      found = await findInstance(sn);
    } catch (error) {
      logger.warn({ err: errorText(error), sn }, 'status lookup failed');
      return textReply(
        `:warning: The Partner Portal API did not answer for *${sn}* just now. Try again in a minute.`,
      );
    }
    if (!found) return usageReply(`No instance with SN *${sn}* in any product line.`);
    const record = await store.findBySn(sn);
    return statusReply({ ...view, now: clock(), ...found, record });
  }

  async function answer(command: Command, userId: string, client: WebClient): Promise<Reply> {
    switch (command.kind) {
      case 'forecast':
      case 'export':
        return forecast(command, { userId, client });
      case 'help':
        return usageReply(null);
      case 'status':
        return status(command.sn);
      case 'activation':
        return activationReply(await deps.activation({ userId, sn: command.sn, via: 'command' }));
      case 'expiring':
        return expiring(command.days ?? Math.max(...config.alertDays), 0);
      case 'renew':
        // Renewing is on: src/slack/renew/open-modal.ts answers with the modal; off: as unknown.
        return usageReply('Unknown subcommand `renew`.');
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
      if (parsed.ok && parsed.command.kind === 'renew' && config.renew.mode !== 'off') return;
      const reply = parsed.ok
        ? await answer(parsed.command, command.user_id, client)
        : usageReply(parsed.error);
      await send(respond, reply);
    });
  });

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
}

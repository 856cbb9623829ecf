import type { AlertRecord, SlackMessageRef } from '../alerts/types.js';

/**
 * Every Slack message of an alert: one per channel it was routed to (`messages`), or the one `message`
 * of a record written before alerts had a copy per channel.
 */
export function messageRefsOf(record: AlertRecord): SlackMessageRef[] {
  if (record.messages && record.messages.length > 0) return record.messages;
  return record.message ? [record.message] : [];
}

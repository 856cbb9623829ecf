import type { AlertRecord, SlackMessageRef } from '../alerts/types.js';

/**
 * Every Slack message of an alert: one per channel it was routed to. The store reads a record written
 * before alerts had a copy per channel as a list of one, so this is `record.messages`.
 */
export function messageRefsOf(record: AlertRecord): SlackMessageRef[] {
  return record.messages;
}

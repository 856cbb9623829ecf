import { SOFTWARE_EDITION_PRODUCT_ID } from '../yeastar/types.js';
import { parseSn } from './commands.js';

/**
 * What a click on "Get activation code" asks for. The button's value (`productId:SN`) comes from the
 * clicker's Slack client and can be forged, so the clicker's right is checked before the value is read
 * as anything: someone without the right is refused (and audited) whatever the value says, and learns
 * nothing from it, not even whether it was well formed. For someone with the right, a value that does not
 * name a Software Edition SN is answered as such.
 */
export type ActivationClick =
  /** Hand to the activation service (which refuses and audits a user without the right). */
  | { kind: 'ask'; sn: string }
  /** An allowed user's button that names no Software Edition instance. */
  | { kind: 'not_software_edition' };

export function readActivationClick(
  value: unknown,
  userId: string,
  allowedUsers: ReadonlySet<string>,
): ActivationClick {
  const text = typeof value === 'string' ? value : '';
  const split = text.indexOf(':');
  const productId = split > 0 ? text.slice(0, split) : '';
  const sn = parseSn(split > 0 ? text.slice(split + 1) : '');
  if (!allowedUsers.has(userId)) return { kind: 'ask', sn: sn.ok ? sn.sn : '' };
  if (productId !== SOFTWARE_EDITION_PRODUCT_ID || !sn.ok) return { kind: 'not_software_edition' };
  return { kind: 'ask', sn: sn.sn };
}

import type { Config } from '../../config.js';
import { messageView, RENEW_CALLBACK_ID, readSubmission } from './views.js';

/**
 * The answer to a `renew_confirm` submission, given by the acknowledging middleware within Slack's 3 s
 * and before any API call: field errors under the fields, or the modal turned into "placing the
 * order…", which the listener later updates with the outcome. Undefined for every other request.
 */
export function renewEarlyAck(config: Config, body: unknown): Record<string, unknown> | undefined {
  const b = body as { type?: unknown; view?: { callback_id?: unknown; state?: unknown } } | null;
  if (
    config.renew.mode === 'off' ||
    b?.type !== 'view_submission' ||
    b.view?.callback_id !== RENEW_CALLBACK_ID
  ) {
    return undefined;
  }
  const submission = readSubmission(b.view.state as Parameters<typeof readSubmission>[0]);
  if (submission && 'error' in submission) return { response_action: 'errors', errors: submission.error };
  const doing =
    config.renew.mode === 'dry-run' ? 'Preparing the dry run' : 'Placing the order with the Partner Portal';
  return { response_action: 'update', view: messageView(`:hourglass_flowing_sand: ${doing}…`) };
}

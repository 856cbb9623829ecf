import type { Logger } from '../logger.js';
import { YeastarApiError } from '../yeastar/errors.js';
import type { YeastarClient } from '../yeastar/types.js';
import type { ActivationAudit, AuditVia } from './audit.js';

/**
 * The one way to an activation code: the allow-list is checked first, the API is called only for an
 * allowed user, and every attempt lands in the audit stream whatever came of it. The code travels
 * back to the caller only, to be shown to the clicker alone; it is never logged.
 */

export type ActivationResult =
  | { outcome: 'allowed'; sn: string; code: string; generateTime: number | null }
  | { outcome: 'refused'; sn: string }
  | { outcome: 'not_found'; sn: string }
  | { outcome: 'error'; sn: string; reason: string };

export type ActivationService = (request: {
  userId: string;
  sn: string;
  via: AuditVia;
}) => Promise<ActivationResult>;

function isNotFound(error: unknown): boolean {
  return error instanceof YeastarApiError && (/not_?found/i.test(error.code) || error.status === 404);
}

/** What a user may read about a failure: the kind and Yeastar's requestId, never a message body. */
function reasonOf(error: unknown): string {
  if (error instanceof YeastarApiError) {
    return `the API answered ${error.code}${error.requestId ? ` (requestId ${error.requestId})` : ''}`;
  }
  if (error instanceof Error && error.name.startsWith('Yeastar')) return 'the API could not be reached';
  return 'an unexpected error';
}

export function createActivationService(deps: {
  client: YeastarClient;
  audit: ActivationAudit;
  allowedUsers: readonly string[];
  logger: Logger;
}): ActivationService {
  const allowed = new Set(deps.allowedUsers);

  async function audit(userId: string, sn: string, outcome: ActivationResult['outcome'], via: AuditVia) {
    try {
      await deps.audit.record({ user: userId, sn, outcome, via });
    } catch (error) {
      // The answer still goes out; the operator learns the trail has a gap.
      deps.logger.error(
        { err: (error as Error).message, user: userId, sn, outcome, via },
        'audit write failed',
      );
    }
  }

  return async ({ userId, sn, via }) => {
    if (!allowed.has(userId)) {
      await audit(userId, sn, 'refused', via);
      deps.logger.info({ user: userId, sn, via, outcome: 'refused' }, 'activation code refused');
      return { outcome: 'refused', sn };
    }
    let result: ActivationResult;
    try {
      const activation = await deps.client.getActivationCode(sn);
      result = { outcome: 'allowed', sn, code: activation.code, generateTime: activation.generateTime };
    } catch (error) {
      result = isNotFound(error)
        ? { outcome: 'not_found', sn }
        : { outcome: 'error', sn, reason: reasonOf(error) };
      if (result.outcome === 'error') {
        deps.logger.warn(
          { user: userId, sn, via, err: (error as Error).name, reason: result.reason },
          'activation code lookup failed',
        );
      }
    }
    await audit(userId, sn, result.outcome, via);
    deps.logger.info({ user: userId, sn, via, outcome: result.outcome }, 'activation code requested');
    return result;
  };
}

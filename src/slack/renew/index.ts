import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../listeners/deps.js';
import * as approve from './approve.js';
import * as autorenew from './autorenew.js';
import { createRenewKit, type RenewHooks } from './kit.js';
import * as openModal from './open-modal.js';
import * as submit from './submit.js';

/** Renewing from Slack (CONTRACT): nothing is registered while `RENEW_MODE` is `off`. */
export function register(app: App, deps: ListenerDeps, hooks: RenewHooks = {}): void {
  if (deps.config.renew.mode === 'off') return;
  const kit = createRenewKit(deps, { ...(deps.renewCount ? { count: deps.renewCount } : {}), ...hooks });
  openModal.register(app, kit);
  submit.register(app, kit);
  approve.register(app, kit);
  autorenew.register(app, kit);
}

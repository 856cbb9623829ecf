import type { App } from '@slack/bolt';
import * as renew from '../renew/index.js';
import { createAlertCopyUpdater } from './alert-copies.js';
import { createAnswerer } from './answer.js';
import * as buttons from './buttons.js';
import { createClickAnswers } from './click.js';
import * as command from './command.js';
import type { ListenerDeps } from './deps.js';
import * as home from './home.js';
import * as middleware from './middleware.js';

export { COMMAND } from './command.js';
export type { ListenerDeps } from './deps.js';

/**
 * Every listener of the Slack app, registered on whichever receiver runs it (HTTP or Socket Mode): the
 * acknowledging middleware first, then the command, the alert buttons and the App Home board. Answers
 * follow the ack through `response_url`, `chat.update` or `views.publish`.
 */
export function registerListeners(app: App, deps: ListenerDeps): void {
  const answerer = createAnswerer(deps.logger);
  const publishHome = home.createHomePublisher(deps);
  const updateCopies = createAlertCopyUpdater(deps);
  const clicks = createClickAnswers(answerer, publishHome, updateCopies);

  middleware.register(app, deps);
  command.register(app, deps, answerer);
  buttons.register(app, deps, { answerer, clicks, updateCopies });
  home.register(app, deps, publishHome);
  renew.register(app, deps);
}

import type { types } from '@slack/bolt';

/**
 * Block Kit's types, from @slack/types as @slack/bolt re-exports them: what chat.postMessage and
 * chat.update take, so a rendered message goes to Slack without a cast and a malformed block is a
 * type error here, not a Slack error at run time.
 */
export type KnownBlock = types.KnownBlock;
export type HomeView = types.HomeView;
export type ActionsBlock = types.ActionsBlock;
export type ActionsBlockElement = types.ActionsBlockElement;
export type ContextBlock = types.ContextBlock;
export type HeaderBlock = types.HeaderBlock;
export type SectionBlock = types.SectionBlock;
export type MrkdwnElement = types.MrkdwnElement;
export type StaticSelect = types.StaticSelect;

/**
 * `npm run bench:renew`: how long the bot takes to answer Slack's view_submission of `renew_confirm`
 * while the Partner API takes 2 s per order call (the simulator's `delayMs` knob). Slack gives 3 s.
 * Real Redis, the simulator over HTTP, the fake Slack, signed requests (the test harness).
 *
 * `--show` also prints what a partner sees (the alert, the modal, the thread replies) as Block Kit JSON;
 * `--dump DIR` writes them there. `--runs N` (default 5).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../test/slack/harness.js';
import { createRenewWorld, RENEWER } from '../test/slack/renew-world.js';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const show = args.includes('--show');
const dumpDir = args.includes('--dump') ? args[args.indexOf('--dump') + 1] : undefined;
const API_DELAY_MS = 2_000;

const world = await createRenewWorld({ RENEW_MODE: 'live' });
const acks: number[] = [];
const shown: Record<string, unknown> = {};
try {
  world.orders.setKnobs({ delayMs: API_DELAY_MS, settleAfterMs: 0 });
  for (let i = 0; i < runs; i++) {
    world.slack.reset();
    const { evaluation, ref } = await world.seedAlert(i);
    await world.clickRenew(RENEWER, evaluation, ref);
    const viewId = await world.formOpened();
    if (i === 0) shown['modal'] = world.slack.modals.get(viewId);
    const started = performance.now();
    const answer = await world.submit(viewId, RENEWER, { po: 'PO-BENCH' });
    acks.push(performance.now() - started);
    if (i === 0) shown['ack'] = JSON.parse(answer.body);
    await waitFor(() => /ordered by/.test(world.modalText(viewId)) && true, 'the outcome', 30_000);
    if (i === 0) {
      shown['modal_outcome'] = world.slack.modals.get(viewId);
      await waitFor(() => world.threadReplies(ref).length > 0, 'the thread reply');
      shown['thread'] = world.slack.messages(ref.channel).filter((m) => m.thread_ts === ref.ts);
      shown['alert_after'] = world.slack.messages(ref.channel).find((m) => m.ts === ref.ts);
    }
  }
} finally {
  await world.close();
}

const sorted = [...acks].sort((a, b) => a - b);
const ms = (n: number | undefined) => `${(n ?? 0).toFixed(0)} ms`;
console.log(
  `view_submission ack with the order API answering in ${API_DELAY_MS} ms: ` +
    `median ${ms(sorted[Math.floor(sorted.length / 2)])}, max ${ms(sorted.at(-1))} over ${runs} submits (Slack allows 3000 ms)`,
);
if (show) console.log(JSON.stringify(shown, null, 2));
if (dumpDir) {
  mkdirSync(dumpDir, { recursive: true });
  for (const [name, value] of Object.entries(shown))
    writeFileSync(join(dumpDir, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`Block Kit written to ${dumpDir}`);
}

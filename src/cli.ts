import { loadConfig, loadDotEnv } from './config.js';
import { OperatorError } from './operator-error.js';
import { armExitGuard, exitGuardMs } from './ops/shutdown.js';
import { stopHttpThread } from './yeastar/transport.js';

/**
 * The one entry point of every npm script: `tsx src/cli.ts <command>`. Each command's module is
 * imported only when it runs, so `npm run sim` does not load Slack or BullMQ.
 */
const COMMANDS: Record<string, { describe: string; run: (args: string[]) => Promise<number> }> = {
  sim: {
    describe: 'the Partner API simulator alone, on SIM_PORT',
    run: async (args) => (await import('./sim/main.js')).runSimulator(loadConfig(), args),
  },
  demo: {
    describe:
      'the embedded default: simulator + sample partner + one cycle, alerts shown here (no accounts needed)',
    run: async () => (await import('./ops/demo.js')).runDemo(),
  },
  check: {
    describe: 'one poll cycle now: poll, evaluate, enrich, post to Slack; prints a summary, exits 0 or 1',
    run: async () => (await import('./jobs/check.js')).runCheck(loadConfig()),
  },
  start: {
    describe: 'the long-running bot: poll schedule, workers and the Slack app, until SIGTERM/SIGINT',
    run: async () => (await import('./bot.js')).runBot(loadConfig()),
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const list = Object.entries(COMMANDS)
      .map(([n, c]) => `  ${n.padEnd(8)} ${c.describe}`)
      .join('\n');
    process.stderr.write(`usage: tsx src/cli.ts <command>\n${list}\n`);
    return 2;
  }
  loadDotEnv();
  return command.run(args);
}

async function finish(code: number): Promise<void> {
  process.exitCode = code;
  // Once the command's work is over, however it ended, nothing may hold the exit code.
  armExitGuard(exitGuardMs(), () => code);
  // The API's requests run on a thread of their own, shared by the process: it ends with the command.
  await stopHttpThread();
}

main(process.argv.slice(2)).then(finish, async (error: unknown) => {
  // A bad setting or a missing service is one line saying what to do; anything else keeps its stack.
  if (error instanceof OperatorError) process.stderr.write(`${error.message}\n`);
  else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await finish(1);
});

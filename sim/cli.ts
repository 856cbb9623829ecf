import { loadConfig } from '../src/config.js';
import { type CliCommand, runCommandLine } from '../src/ops/command-line.js';

/**
 * The simulator's entry point, beside the bot and not shipped with it: `tsx sim/cli.ts <command>`.
 * `npm run sim` does not load Slack or BullMQ; `npm run demo` runs the real bot against it.
 */
const COMMANDS: Record<string, CliCommand> = {
  sim: {
    describe: 'the Partner API simulator alone, on SIM_PORT',
    run: async (args) => (await import('./main.js')).runSimulator(loadConfig(), args),
  },
  demo: {
    describe:
      'the embedded default: simulator + sample partner + one cycle, alerts shown here (no accounts needed)',
    run: async () => (await import('./demo.js')).runDemo(),
  },
};

runCommandLine('sim/cli.ts', COMMANDS, process.argv.slice(2));

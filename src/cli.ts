import { loadConfig } from './config.js';
import { type CliCommand, runCommandLine } from './ops/command-line.js';

/**
 * The bot's entry point: `tsx src/cli.ts <command>`. Each command's module is imported only when it
 * runs. The simulator and the demo are not the bot: they live in `sim/cli.ts`.
 */
const COMMANDS: Record<string, CliCommand> = {
  check: {
    describe: 'one poll cycle now: poll, evaluate, enrich, post to Slack; prints a summary, exits 0 or 1',
    run: async () => {
      const { runCheck, checkSettings } = await import('./jobs/check.js');
      return runCheck(loadConfig(process.env, checkSettings()));
    },
  },
  forecast: {
    describe: 'the renewal forecast from the last complete cycle; --csv writes the list as CSV (--days N)',
    run: async (args) => (await import('./forecast/terminal.js')).runForecast(loadConfig(), args),
  },
  start: {
    describe: 'the long-running bot: poll schedule, workers and the Slack app, until SIGTERM/SIGINT',
    run: async () => {
      const { runBot, botSettings } = await import('./bot.js');
      return runBot(loadConfig(process.env, botSettings(Boolean(process.env['SLACK_APP_TOKEN']?.trim()))));
    },
  },
};

runCommandLine('src/cli.ts', COMMANDS, process.argv.slice(2));

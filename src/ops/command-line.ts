import { loadDotEnv } from '../config.js';
import { OperatorError } from '../operator-error.js';
import { stopHttpThread } from '../yeastar/transport.js';
import { armExitGuard, exitGuardMs } from './shutdown.js';

export interface CliCommand {
  describe: string;
  run: (args: string[]) => Promise<number>;
}

/**
 * Runs the command named by argv[0] and ends the process with its code: the bot's `src/cli.ts` and the
 * simulator's `sim/cli.ts` share it, so both end the same way however their command ended.
 */
export function runCommandLine(entry: string, commands: Record<string, CliCommand>, argv: string[]): void {
  main(entry, commands, argv).then(finish, async (error: unknown) => {
    // A bad setting or a missing service is one line saying what to do; anything else keeps its stack.
    if (error instanceof OperatorError) process.stderr.write(`${error.message}\n`);
    else process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    await finish(1);
  });
}

async function main(entry: string, commands: Record<string, CliCommand>, argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? commands[name] : undefined;
  if (!command) {
    const list = Object.entries(commands)
      .map(([n, c]) => `  ${n.padEnd(8)} ${c.describe}`)
      .join('\n');
    process.stderr.write(`usage: tsx ${entry} <command>\n${list}\n`);
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

import type { Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createSimulator, PATHS, type SimOptions, type Simulator } from './server.js';

/**
 * `npm run sim`: the simulator alone on SIM_PORT, with page 000's examples and sample data, and a
 * banner that says how to reach it. The credentials are the simulator's own fake ones, so printing
 * them is safe.
 */

const USAGE = 'usage: npm run sim -- [--instances N] [--attention N] [--seed N]';

export type SimArgs = { instances: number; attention: number | undefined; seed: number };

/** Reads `--instances N`, `--attention N`, `--seed N` (also `--name=N`); throws with the usage on anything else. */
export function parseSimArgs(args: readonly string[]): SimArgs {
  const values: Record<string, number> = {};
  for (let k = 0; k < args.length; k++) {
    const arg = args[k]!;
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const name = flag?.replace(/^--/, '') ?? '';
    if (!['instances', 'attention', 'seed'].includes(name) || !flag?.startsWith('--')) {
      throw new Error(`unknown argument ${arg}\n${USAGE}`);
    }
    const raw = inline ?? args[++k];
    if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`--${name} needs a whole number\n${USAGE}`);
    values[name] = Number(raw);
  }
  return { instances: values['instances'] ?? 200, attention: values['attention'], seed: values['seed'] ?? 1 };
}

export function simulatorBanner(sim: Simulator, instances: number): string {
  const { clientId, clientSecret } = sim.credentials;
  const tokenCurl =
    `curl -s -X POST '${sim.url}${PATHS.token}' -H 'User-Agent: OpenAPI' ` +
    `-d grant_type=pp_credentials -d client_id=${clientId} -d client_secret=${clientSecret}`;
  return [
    `Yeastar Partner API simulator listening on ${sim.url} (${instances} instances + 2 examples)`,
    '',
    'Point the bot at it:',
    `  YEASTAR_BASE_URL=${sim.url}`,
    `  YEASTAR_CLIENT_ID=${clientId}`,
    `  YEASTAR_CLIENT_SECRET=${clientSecret}`,
    '',
    'Get a token:',
    `  ${tokenCurl}`,
    '',
    'List P-Series Cloud Edition (productId 13):',
    `  TOKEN=$(${tokenCurl} | sed -E 's/.*"token":"([^"]+)".*/\\1/')`,
    `  curl -s '${sim.url}${PATHS.instanceList}?productId=13&pageNo=1&pageSize=25' -H 'User-Agent: OpenAPI' -H "Authorization: Bearer $TOKEN"`,
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}

/** Starts the simulator as `npm run sim` does, without waiting for a signal. */
export async function startSimulatorFromConfig(
  config: Config,
  args: readonly string[],
  extra: Partial<SimOptions> = {},
): Promise<{ sim: Simulator; banner: string }> {
  const parsed = parseSimArgs(args);
  const sim = await createSimulator({
    port: config.simPort,
    instances: parsed.instances,
    ...(parsed.attention !== undefined ? { attention: parsed.attention } : {}),
    seed: parsed.seed,
    examples: true,
    logger: createLogger({ level: config.logLevel, name: 'yeastar-sim' }),
    ...extra,
  });
  return { sim, banner: simulatorBanner(sim, parsed.instances) };
}

export async function runSimulator(config: Config, args: string[]): Promise<number> {
  try {
    parseSimArgs(args);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const { sim, banner } = await startSimulatorFromConfig(config, args);
  process.stdout.write(banner);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
  process.stdout.write('simulator stopped\n');
  return 0;
}

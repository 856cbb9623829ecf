import { afterEach, describe, expect, it } from 'vitest';
import { parseSimArgs, startSimulatorFromConfig } from '../../sim/main.js';
import type { Simulator } from '../../sim/server.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { freePort } from '../helpers/ports.js';
import { call, getToken, listPage } from './http.js';

describe('npm run sim', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('starts on SIM_PORT with the examples and prints how to reach it', async () => {
    const port = await freePort();
    const started = await startSimulatorFromConfig(
      loadConfig({ SIM_PORT: String(port) }),
      ['--instances', '40'],
      {
        logger: silentLogger(),
      },
    );
    sim = started.sim;
    expect(sim.port).toBe(port);
    expect(started.banner).toContain(`http://127.0.0.1:${port}`);
    expect(started.banner).toContain('YEASTAR_CLIENT_ID=sim-client-id');
    expect(started.banner).toContain('YEASTAR_CLIENT_SECRET=sim-client-secret');
    expect(started.banner).toMatch(/curl .*\/auth\/openapi\/v1\/oauth\/token/);
    expect(started.banner).toMatch(/curl .*instance_product_list\?productId=13/);

    const token = await getToken(sim);
    const page = await listPage(sim, token, '13', 1, 100);
    expect(page.results[0]!['productNo']).toBe('3658B4311196UZ4A');
    let total = 0;
    for (const productId of ['9', '11', '12', '13'])
      total += (await listPage(sim, token, productId, 1, 1)).total;
    expect(total).toBe(42);
    expect((await call(sim, '/pricing/openapi/purchase/v1/product_list', token)).status).toBe(200);
  });

  it('reads --instances, --attention and --seed, and refuses anything else', () => {
    expect(parseSimArgs([])).toEqual({ instances: 200, attention: undefined, seed: 1 });
    expect(parseSimArgs(['--instances', '5000', '--attention=9', '--seed', '4'])).toEqual({
      instances: 5000,
      attention: 9,
      seed: 4,
    });
    expect(() => parseSimArgs(['--instances'])).toThrow(/whole number/);
    expect(() => parseSimArgs(['--instances', 'many'])).toThrow(/whole number/);
    expect(() => parseSimArgs(['--verbose'])).toThrow(/usage/);
  });
});

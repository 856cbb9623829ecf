import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type TlsFiles = { dir: string; caFile: string; certFile: string; keyFile: string; remove(): void };

/**
 * A throw-away CA and a server certificate it signed, for `localhost` and 127.0.0.1 (what a test's
 * clients connect to), made with openssl in a temporary directory that `remove()` deletes.
 */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = mkdtempSync(join(tmpdir(), 'yeastar-tls-'));
  const at = (name: string) => join(dir, name);
  // The real clock (no libfaketime from the environment: Redis checks its peers' certificates on the
  // real one) and ten years (Node, 400 days ahead under faketime in CI, checks them on its own).
  const openssl = (...args: string[]) =>
    run('openssl', args, { cwd: dir, env: { PATH: process.env.PATH ?? '' } });
  try {
    await openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-subj',
      '/CN=yeastar-test-ca',
      '-days',
      '3650',
    );
    await openssl(
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=localhost',
    );
    writeFileSync(at('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n');
    await openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '3650',
      '-extfile',
      'ext.cnf',
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    caFile: at('ca.crt'),
    certFile: at('server.crt'),
    keyFile: at('server.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

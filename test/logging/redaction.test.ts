import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED, redactDeep, redactText } from '../../src/logger.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination }) };
}

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

describe('log redaction', () => {
  it('replaces secret keys at any depth and secret-looking text in strings', () => {
    const { lines, logger } = capture();
    logger.info(
      {
        token: JWT,
        nested: { refresh_token: 'r-123', clientSecret: 'cs', activationCode: 'EQQI-CFKS-KSKW-EFFP-KQE6' },
        list: [{ Authorization: `Bearer ${JWT}` }],
        url: 'https://x/token?refresh_token=abc&client_secret=def',
        safe: 'productNo 3658B4311196UZ4A',
      },
      `login answered ${JWT} for xoxb-1234-5678-abcdef`,
    );
    const all = lines.join('\n');
    for (const secret of [JWT, 'r-123', 'EQQI-CFKS-KSKW-EFFP-KQE6', 'xoxb-1234-5678-abcdef', 'abc&', 'def']) {
      expect(all).not.toContain(secret);
    }
    const record = JSON.parse(lines[0]!);
    expect(record.nested.clientSecret).toBe(REDACTED);
    expect(record.safe).toBe('productNo 3658B4311196UZ4A');
    expect(record.msg).toBe(`login answered ${REDACTED} for ${REDACTED}`);
  });

  it('redacts errors, their messages and their own fields', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error(`refused Bearer ${JWT}`), {
      activationCode: 'SECRET-CODE',
      requestId: 'abc123',
    });
    logger.error({ err: error }, 'call failed');
    const record = JSON.parse(lines[0]!);
    expect(record.err.message).toBe(`refused Bearer ${REDACTED}`);
    // Only the fields errors are known to carry are logged: an activation code stuck on one never is.
    expect(record.err.activationCode).toBeUndefined();
    expect(record.err.requestId).toBe('abc123');
    expect(lines[0]).not.toContain('SECRET-CODE');
  });

  it('logs an HTTP library error as its name, message, code and cause, not its request object', () => {
    const { lines, logger } = capture();
    const request = { headers: { Authorization: `Bearer ${JWT}` }, body: Buffer.alloc(5000, 1), socket: {} };
    const error = Object.assign(new Error('A request error occurred: connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'slack_webapi_request_error',
      data: { error: 'not_in_channel' },
      original: { config: request },
      request,
    });
    error.cause = new Error('connect ECONNREFUSED 127.0.0.1:1');
    logger.error({ err: error }, 'slack call failed');
    const record = JSON.parse(lines[0]!);
    expect(record.err).toMatchObject({
      type: 'Error',
      message: 'A request error occurred: connect ECONNREFUSED 127.0.0.1:1',
      code: 'slack_webapi_request_error',
      slackError: 'not_in_channel',
      cause: { message: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
    expect(record.err.request).toBeUndefined();
    expect(record.err.original).toBeUndefined();
    expect(lines[0]!.length).toBeLessThan(4000);
    expect(lines[0]).not.toContain(JWT);
  });

  it('bounds depth, list length and string length', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 20; i++) {
      cursor.next = {};
      cursor = cursor.next as Record<string, unknown>;
    }
    const out = JSON.stringify(
      redactDeep({ deep, list: Array.from({ length: 500 }, (_, i) => i), text: 'x'.repeat(10_000) }),
    );
    expect(out).toContain('[nested too deep]');
    expect(out).toContain('[450 more]');
    expect(out.length).toBeLessThan(6000);
  });

  it('leaves empty secrets visible as empty, and cuts cycles', () => {
    const value: Record<string, unknown> = { token: '' };
    value.self = value;
    expect(redactDeep(value)).toEqual({ token: '', self: '[circular]' });
    expect(redactText('nothing secret here')).toBe('nothing secret here');
  });
});

describe('error stacks in log lines', () => {
  it('keeps a bug’s stack and leaves it out of errors that say everything in their message', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } as never });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    logger.warn({ err: refused }, 'operational');
    logger.error({ err: new TypeError('x is not a function') }, 'bug');
    const [operational, bug] = lines.map((line) => JSON.parse(line) as { err: { stack?: string } });
    expect(operational!.err.stack).toBeUndefined();
    expect(bug!.err.stack).toContain('TypeError: x is not a function');
  });
});

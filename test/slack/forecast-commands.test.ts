import { describe, expect, it } from 'vitest';
import { CUSTOMER_FILTER_MAX, parseCommand, USAGE } from '../../src/slack/commands.js';

describe('parsing /yeastar forecast and export', () => {
  it.each([
    ['forecast', { kind: 'forecast', days: null, customer: null }],
    ['FORECAST 30', { kind: 'forecast', days: 30, customer: null }],
    ['forecast 30 Acme  Ltd ', { kind: 'forecast', days: 30, customer: 'Acme Ltd' }],
    ['forecast acme 2', { kind: 'forecast', days: null, customer: 'acme 2' }],
    ['forecast 3M Company', { kind: 'forecast', days: null, customer: '3M Company' }],
    ['export', { kind: 'export', days: null }],
    ['export 14', { kind: 'export', days: 14 }],
  ])('%j', (text, command) => {
    expect(parseCommand(text)).toEqual({ ok: true, command });
  });

  it.each(['forecast 0', 'forecast 400 acme', 'export 0', 'export 12 weeks', 'export soon'])(
    '%j is refused with the days rule',
    (text) => {
      const parsed = parseCommand(text);
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.error).toMatch(/Days must be a whole number from 1 to 365/);
    },
  );

  it('keeps a customer filter short, and the usage names both', () => {
    const parsed = parseCommand(`forecast ${'x'.repeat(400)}`);
    expect(parsed.ok && parsed.command.kind === 'forecast' && parsed.command.customer?.length).toBe(
      CUSTOMER_FILTER_MAX,
    );
    expect(USAGE).toContain('`forecast [days] [customer]`');
    expect(USAGE).toContain('`export [days]`');
  });
});

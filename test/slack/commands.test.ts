import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand, parseDays, parseSn } from '../../src/slack/commands.js';

describe('parseCommand', () => {
  it('reads every subcommand', () => {
    expect(parseCommand('status 3658B4311196UZ4A')).toEqual({
      ok: true,
      command: { kind: 'status', sn: '3658B4311196UZ4A' },
    });
    expect(parseCommand('activation 3651D5061439')).toEqual({
      ok: true,
      command: { kind: 'activation', sn: '3651D5061439' },
    });
    expect(parseCommand('expiring')).toEqual({ ok: true, command: { kind: 'expiring', days: null } });
    expect(parseCommand('expiring 14')).toEqual({ ok: true, command: { kind: 'expiring', days: 14 } });
    expect(parseCommand('audit')).toEqual({ ok: true, command: { kind: 'audit' } });
    expect(parseCommand('help')).toEqual({ ok: true, command: { kind: 'help' } });
  });

  it('takes subcommands in any case and SNs in lowercase, with stray spaces around', () => {
    expect(parseCommand('  STATUS   3658b4311196uz4a  ')).toEqual({
      ok: true,
      command: { kind: 'status', sn: '3658B4311196UZ4A' },
    });
  });

  it('answers empty text with help', () => {
    expect(parseCommand('')).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseCommand('   \n ')).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseCommand(undefined)).toEqual({ ok: true, command: { kind: 'help' } });
  });

  it('names the problem with an SN', () => {
    const spaced = parseCommand('status 3658 B431');
    expect(spaced).toMatchObject({ ok: false });
    expect(!spaced.ok && spaced.error).toMatch(/no spaces/);
    const missing = parseCommand('activation');
    expect(!missing.ok && missing.error).toMatch(/Give the SN/);
    const symbols = parseCommand('status 3658-B431');
    expect(!symbols.ok && symbols.error).toMatch(/only letters and digits/);
    const long = parseCommand(`status ${'A'.repeat(33)}`);
    expect(!long.ok && long.error).toMatch(/at most 32/);
    expect(parseCommand(`status ${'A'.repeat(32)}`).ok).toBe(true);
    const unicode = parseCommand('status 3658B43Ü');
    expect(!unicode.ok && unicode.error).toMatch(/only letters and digits/);
  });

  it('accepts days from 1 to 365 only', () => {
    for (const bad of ['0', '366', '-3', '7.5', 'soon', '1e2', '99999999']) {
      const parsed = parseCommand(`expiring ${bad}`);
      expect(parsed.ok, bad).toBe(false);
      expect(!parsed.ok && parsed.error).toMatch(/from 1 to 365/);
    }
    expect(parseDays('1')).toEqual({ ok: true, days: 1 });
    expect(parseDays('365')).toEqual({ ok: true, days: 365 });
  });

  it('refuses unknown subcommands and extra words, quoting the input safely', () => {
    const unknown = parseCommand('frobnicate now');
    expect(!unknown.ok && unknown.error).toBe('Unknown subcommand `frobnicate`.');
    const mention = parseCommand('<!channel> hi');
    expect(!mention.ok && mention.error).not.toContain('<!channel>');
    expect(!mention.ok && mention.error).toContain('&lt;!channel&gt;');
    const extra = parseCommand('help me');
    expect(!extra.ok && extra.error).toMatch(/takes nothing/);
  });

  it('refuses 10 KB of text without looking at it', () => {
    const parsed = parseCommand(`status ${'X'.repeat(10_240)}`);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toMatch(/too long/);
  });

  it('never throws and keeps error lines short, whatever is typed', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 600 }), (text) => {
        const parsed = parseCommand(text);
        if (!parsed.ok) expect(parsed.error.length).toBeLessThan(200);
        if (parsed.ok && 'sn' in parsed.command) expect(parsed.command.sn).toMatch(/^[A-Z0-9]{1,32}$/);
      }),
      { numRuns: 300 },
    );
  });

  it('parseSn upper-cases and trims', () => {
    expect(parseSn(' ab12 ')).toEqual({ ok: true, sn: 'AB12' });
  });
});

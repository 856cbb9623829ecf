/**
 * `/yeastar` text → a typed command, or a one-line error to show with the usage. Pure, so every odd
 * input a user can type (nothing, 10 KB, emoji, an SN with spaces) is answered the same way everywhere.
 */

export type Command =
  | { kind: 'activation'; sn: string }
  | { kind: 'status'; sn: string }
  | { kind: 'renew'; sn: string }
  | { kind: 'expiring'; days: number | null }
  | { kind: 'audit' }
  | { kind: 'help' }
  | { kind: 'forecast'; days: number | null; customer: string | null }
  | { kind: 'export'; days: number | null };

export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: string };

export const SN_MAX_LENGTH = 32;
export const DAYS_MIN = 1;
export const DAYS_MAX = 365;
/** Longer than any real command; anything past it is refused before it is looked at. */
export const COMMAND_MAX_LENGTH = 500;
/** How much of the user's own input an error message quotes back. */
const ECHO_MAX = 40;

export const USAGE = [
  '*Usage:* `/yeastar <subcommand>`',
  '• `status <SN>`: plan, expiry, services and alert state of one instance',
  '• `expiring [days]`: open alerts expiring within `days` (1–365), most urgent first',
  '• `activation <SN>`: the activation code of a P-Series Software Edition instance (allowed users only)',
  '• `renew <SN>`: order the renewal of an instance, in a form showing exactly what will be ordered (when renewing from Slack is on; allowed users only)',
  '• `audit`: the last 20 activation-code requests and renewal attempts (allowed users only)',
  '• `forecast [days] [customer]`: renewals per week and the customers with the most, from the last complete cycle',
  '• `export [days]`: the forecast as a CSV file, sent to you in a direct message',
  '• `help`: this text',
].join('\n');

/** Quotes user input back safely: one line, short, no mrkdwn or mentions. */
export function echo(raw: string): string {
  const oneLine = raw.replace(/\s+/g, ' ').trim();
  const chars = [...oneLine];
  const cut = chars.length > ECHO_MAX ? chars.slice(0, ECHO_MAX).join('') + '…' : oneLine;
  return cut.replace(/[`*_~<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] ?? ' ');
}

export type ParsedSn = { ok: true; sn: string } | { ok: false; error: string };

/** The API's productNo is uppercase alphanumeric; lowercase is accepted and upper-cased. */
export function parseSn(raw: string): ParsedSn {
  const text = raw.trim();
  if (text === '') return { ok: false, error: 'Give the SN of an instance, such as `3658B4311196UZ4A`.' };
  if (/\s/.test(text)) return { ok: false, error: `An SN has no spaces: \`${echo(text)}\`.` };
  if ([...text].length > SN_MAX_LENGTH) {
    return { ok: false, error: `An SN is at most ${SN_MAX_LENGTH} characters; that one is longer.` };
  }
  if (!/^[A-Za-z0-9]+$/.test(text)) {
    return {
      ok: false,
      error: `An SN has only letters and digits: \`${echo(text)}\` does not look like one.`,
    };
  }
  return { ok: true, sn: text.toUpperCase() };
}

export function parseDays(raw: string): { ok: true; days: number } | { ok: false; error: string } {
  const text = raw.trim();
  const days = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(days >= DAYS_MIN && days <= DAYS_MAX)) {
    return {
      ok: false,
      error: `Days must be a whole number from ${DAYS_MIN} to ${DAYS_MAX}, not \`${echo(text)}\`.`,
    };
  }
  return { ok: true, days };
}

function withSn(kind: 'activation' | 'status' | 'renew', rest: string): ParsedCommand {
  const sn = parseSn(rest);
  return sn.ok ? { ok: true, command: { kind, sn: sn.sn } } : sn;
}

/** How much of a customer filter is kept: longer than any company name worth matching. */
export const CUSTOMER_FILTER_MAX = 100;

/** `forecast [days] [customer text]`: a leading number is the days, whatever follows is the customer. */
function parseForecast(rest: string): ParsedCommand {
  const match = /^(\d+)(?:\s+([\s\S]*))?$/.exec(rest.trim());
  let days: number | null = null;
  let text = rest;
  if (match) {
    const parsed = parseDays(match[1]!);
    if (!parsed.ok) return parsed;
    days = parsed.days;
    text = match[2] ?? '';
  }
  const customer = [...text.replace(/\s+/g, ' ').trim()].slice(0, CUSTOMER_FILTER_MAX).join('');
  return { ok: true, command: { kind: 'forecast', days, customer: customer === '' ? null : customer } };
}

export function parseCommand(text: string | undefined | null): ParsedCommand {
  const raw = text ?? '';
  if (raw.length > COMMAND_MAX_LENGTH) {
    return { ok: false, error: `That command is too long (${raw.length} characters); see the usage.` };
  }
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: true, command: { kind: 'help' } };
  const match = /^(\S+)\s*([\s\S]*)$/.exec(trimmed);
  const word = (match?.[1] ?? '').toLowerCase();
  const rest = match?.[2] ?? '';
  switch (word) {
    case 'activation':
      return withSn('activation', rest);
    case 'status':
      return withSn('status', rest);
    case 'renew':
      return withSn('renew', rest);
    case 'expiring': {
      if (rest.trim() === '') return { ok: true, command: { kind: 'expiring', days: null } };
      const days = parseDays(rest);
      return days.ok ? { ok: true, command: { kind: 'expiring', days: days.days } } : days;
    }
    case 'forecast':
      return parseForecast(rest);
    case 'export': {
      if (rest.trim() === '') return { ok: true, command: { kind: 'export', days: null } };
      const days = parseDays(rest);
      return days.ok ? { ok: true, command: { kind: 'export', days: days.days } } : days;
    }
    case 'audit':
    case 'help':
      if (rest.trim() !== '') return { ok: false, error: `\`${word}\` takes nothing after it.` };
      return { ok: true, command: { kind: word } };
    default:
      return { ok: false, error: `Unknown subcommand \`${echo(match?.[1] ?? trimmed)}\`.` };
  }
}

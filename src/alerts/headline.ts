import { stageDays } from './rules.js';
import type { Evaluation, Finding, RenewalOption, Stage } from './types.js';

/**
 * The words an alert leads with and the words for what can be done, shared by Slack and the terminal.
 * A headline names what is expiring (the plan, or a service) and claims no more than the finding
 * under it: an instance whose service expired while its plan runs for years is not "Expired", and a
 * plan whose expiry date the API left out is "expiring, date unknown", not "within 30 days".
 */

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** What the top finding is about, and how close it is, e.g. "Service expired", "Plan expires within 3 days". */
export function alertTitle(evaluation: Pick<Evaluation, 'stage' | 'findings'>): string {
  const top: Finding | undefined = evaluation.findings[0];
  if (!top) return stageTitle(evaluation.stage);
  const what = top.subject === 'plan' ? 'Plan' : 'Service';
  if (top.kind === 'switching') return 'Plan switching';
  if (top.kind === 'expired' || top.kind === 'service_expired' || top.stage === 'expired')
    return `${what} expired`;
  if (top.expiresAt === null) return `${what} expiring, date unknown`;
  const days = stageDays(top.stage);
  return days === null ? `${what} expiring` : `${what} expires within ${plural(days, 'day')}`;
}

/** A stage alone, for counts and lists: "Expired", "Expires within 3 days", "Plan switching". */
export function stageTitle(stage: Stage | null): string {
  if (stage === null) return 'No action needed';
  if (stage === 'expired') return 'Expired';
  if (stage === 'switching') return 'Plan switching';
  const days = stageDays(stage);
  return days === null ? stage : `Expires within ${plural(days, 'day')}`;
}

/** The API's billing cycle words as a reader says them. */
const CYCLE_WORDS: Record<string, string> = {
  annually: 'yearly',
  annual: 'yearly',
  yearly: 'yearly',
  year: 'yearly',
  monthly: 'monthly',
  month: 'monthly',
  quarterly: 'quarterly',
  quarter: 'quarterly',
};

function cycleWord(raw: string): string {
  const word = raw.replace(/\s+/g, ' ').trim();
  return CYCLE_WORDS[word.toLowerCase()] ?? word.replace(/_/g, ' ');
}

function orList(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/**
 * What can be done about one plan or service, in plain words: "Renew it in the Partner Portal, billed
 * yearly or monthly", or that the portal cannot renew it. Null when the options were not looked up.
 */
export function renewalText(option: RenewalOption | undefined): string | null {
  if (!option) return null;
  if (!option.renewable) return 'The Partner Portal offers no renewal for it: ask Yeastar';
  const cycles = [...new Set(option.billingCycles.map(cycleWord).filter(Boolean))];
  // Renewals are subscriptions ('recurring'); another model is worth naming.
  const models = option.billingModels
    .map((m) => m.replace(/\s+/g, ' ').trim())
    .filter((m) => m !== '' && m.toLowerCase() !== 'recurring')
    .map((m) => m.replace(/_/g, ' '));
  const billed = cycles.length > 0 ? `, billed ${orList(cycles)}` : '';
  const other = models.length > 0 ? ` (also as ${orList(models)})` : '';
  return `Renew it in the Partner Portal${billed}${other}`;
}

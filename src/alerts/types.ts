import type { KnownBlock } from './block-kit.js';

/**
 * The alert engine's vocabulary, shared by the rules (what is wrong), the state (what to do about it
 * this cycle), the rendering (what Slack shows) and the jobs and Slack handlers around them.
 */

/**
 * `30d`, `14d`, … one per `ALERT_DAYS` threshold, or `expired`, or `switching`.
 * Urgency order (see `stageRank` in rules.ts): switching < 30d < 14d < 7d < 3d < 1d < expired.
 */
export type Stage = `${number}d` | 'expired' | 'switching';

export type FindingKind = 'expired' | 'expiring' | 'switching' | 'service_expiring' | 'service_expired';

/** Slack message metadata `kind`: a finding kind, or `resolved` once the instance is healthy. */
export type AlertKind = FindingKind | 'resolved';

export type Severity = 'critical' | 'high' | 'warning' | 'info';

export type Finding = {
  kind: FindingKind;
  subject: 'plan' | 'service';
  /** Plan name or service name; "Unnamed plan"/"Unnamed service" when the API gave none. */
  name: string;
  /** The service's ID, for services (to look up its pricingServiceId in the enrich step). */
  serviceId: string | null;
  /** Raw status from the API (`planStatus` / `serviceStatus`). */
  status: string | null;
  /** Epoch ms; null when the API gave no date ("date unknown"). */
  expiresAt: number | null;
  /** Whole calendar days from today to the expiry date in the configured TZ; negative when past; null when unknown. */
  daysLeft: number | null;
  stage: Stage;
  severity: Severity;
  autoRenewal: boolean;
  /** The plan is a trial (`trialing`): a sale to make or lose. */
  trial: boolean;
  /** Switching only: what happens next. */
  nextPlan?: string | null;
  nextPlanStartAt?: number | null;
  nextPlanExpiresAt?: number | null;
};

/** The alert-relevant facts of one instance, kept in Redis so that /yeastar, App Home and buttons can
 * render an alert without calling the API. No activation code, ever. */
export type AlertSubject = {
  alertKey: string;
  productId: string;
  productName: string;
  productNo: string;
  planName: string | null;
  planStatus: string | null;
  planExpireDate: number | null;
  planAutoRenewal: boolean | null;
  companyName: string | null;
  contactName: string | null;
  email: string | null;
  url: string | null;
};

export type Evaluation = {
  /** `productId:productNo`: one alert per instance. */
  alertKey: string;
  subject: AlertSubject;
  /** Null when the instance needs no alert (healthy). */
  stage: Stage | null;
  severity: Severity | null;
  /** Most severe first. Empty when healthy. */
  findings: Finding[];
  /** Stable digest of the details a reader would care about; a change means "update quietly". */
  digest: string;
  /** Earliest known expiry among the findings (epoch ms), for "most urgent first" lists. */
  expiresAt: number | null;
  /** Findings left out of `findings` because a bigger one covers them (inhibition), said in the message. */
  hidden?: HiddenFindings | null;
};

/** e.g. `{ count: 3, reason: 'the plan itself expired' }`: "3 services hidden: the plan itself expired". */
export type HiddenFindings = { count: number; reason: string };

export type DecisionAction = 'post' | 'escalate' | 'update' | 'resolve' | 'nothing';

export type ResolveReason = 'renewed' | 'vanished';

/** Where an alert's message is in one channel; the store adds the stage it shows and when that channel
 * was last notified (per channel: a copy that failed in one channel is retried there alone). */
export type SlackMessageRef = { channel: string; ts: string; stage?: string; notifiedAt?: number };

/** What Redis holds for one alert (the shape `alert-store.ts` reads and writes). */
export type AlertRecord = {
  alertKey: string;
  stage: Stage | null;
  severity: Severity | null;
  digest: string;
  evaluation: Evaluation | null;
  /** The first message posted (the primary one): `messages[0]`, or null before any. */
  message: SlackMessageRef | null;
  /**
   * One message per channel the alert was routed to, in posting order. A record written before messages
   * were kept per channel has only `message` in Redis: the store reads it as a list of one.
   */
  messages: SlackMessageRef[];
  /** Last post, escalation or reminder in Slack (epoch ms): reminders count from here. */
  notifiedAt?: number | null;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  snoozedUntil: number | null;
  snoozedBy: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  cycleId: string;
  /** Consecutive cycles in which the product line was scanned and this instance was not listed. */
  missedCycles: number;
  resolvedAt: number | null;
  resolveReason: ResolveReason | null;
};

export type Decision = {
  action: DecisionAction;
  alertKey: string;
  evaluation: Evaluation;
  /** The stage before this cycle, for "escalated from 14d to 7d". */
  previousStage: Stage | null;
  resolveReason?: ResolveReason;
  /** Where the alert's message is, when one was posted before. */
  message: SlackMessageRef | null;
  /** Every channel's message of the alert (`message` is the first). */
  messages: SlackMessageRef[];
};

/** Renewal options found by the enrich step, cached per instance per cycle. */
export type RenewalOption = {
  subject: 'plan' | 'service';
  name: string;
  /** The instance's serviceId (services) or planId (plan). */
  id: string | null;
  pricingId: string | null;
  renewable: boolean;
  billingCycles: string[];
  billingModels: string[];
};

export type Enrichment = {
  options: RenewalOption[];
  /** Set when the enrich step could not reach the API: the alert is still posted, without options. */
  error: string | null;
};

/** A Slack message ready for chat.postMessage / chat.update. */
export type RenderedMessage = {
  text: string;
  blocks: KnownBlock[];
  metadata: {
    event_type: 'yeastar_renewal_alert';
    event_payload: {
      alertKey: string;
      productId: string;
      productNo: string;
      kind: AlertKind;
      stage: string;
    } & AlertMetadataState;
  };
};

/** What an alert's message carries of its record beside the contract's fields (all strings, as Slack keeps them). */
export type AlertMetadataState = {
  digest?: string;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
  snoozedBy?: string;
  snoozedUntil?: string;
};

/** Slack `action_id`s of the alert buttons: the contract between `render.ts` and `src/slack/`. Each
 * button's `value` is the alertKey. */
export const ACTION_IDS = Object.freeze({
  acknowledge: 'alert_ack',
  snooze: 'alert_snooze', // static_select; option values are snooze kinds (SnoozeChoice), the alert is in the block_id
  activationCode: 'alert_activation_code',
  openPortal: 'alert_open_portal', // a URL button: Slack still sends the click, which is acked and ignored
});

/** A snooze menu option's value (`snoozeValue`/`parseSnoozeValue` in snooze.ts): `1d`, `7d` (N days),
 * `next` (until the next stage) or `before:3` (until N days before expiry). */
export type SnoozeChoice = `${number}d` | 'next' | `before:${number}`;

/** The outcome of a button that changes an alert: `stale` when the alert resolved meanwhile. */
export type ClaimResult =
  | { outcome: 'done'; record: AlertRecord }
  | { outcome: 'already'; record: AlertRecord } // someone else acknowledged first: record says who
  | { outcome: 'resolved'; record: AlertRecord | null }; // the alert is resolved or forgotten

export type OpenAlertQuery = {
  /** Only alerts whose earliest expiry is before now + withinDays (expired ones included). */
  withinDays?: number;
  offset?: number;
  limit?: number;
  /** The caller's clock (epoch ms), required with `withinDays`: the store keeps no clock of its own. */
  now?: number;
};

/** Alert state in Redis (`alert-store.ts`). Every method is atomic on the server side. */
export interface AlertStore {
  /**
   * Decides what each evaluation of one page needs this cycle, in one round trip. Healthy evaluations
   * (stage null) resolve an open alert and otherwise create nothing. Exactly one evaluator gets `post`
   * per instance per cycle; a retry by the same `evaluatorId` gets its earlier decision again.
   */
  decide(cycleId: string, evaluatorId: string, evaluations: Evaluation[], now: number): Promise<Decision[]>;
  /** After a product line was scanned completely: open alerts it did not list count one missed cycle;
   * at two in a row they resolve as `vanished`. */
  sweepVanished(cycleId: string, productId: string, now: number): Promise<Decision[]>;
  get(alertKey: string): Promise<AlertRecord | null>;
  /** Records where the alert's Slack message in `message.channel` is (after chat.postMessage); with
   * `notifiedAt`, also when people were last notified. */
  setMessage(alertKey: string, message: SlackMessageRef, notifiedAt?: number, stage?: string): Promise<void>;
  /** Records that people were notified about the alert (escalation, reminder) at `at`, in `channel` when
   * given (its own reminders count from there). */
  markNotified(alertKey: string, at: number | null, channel?: string, stage?: string): Promise<void>;
  acknowledge(alertKey: string, userId: string, now: number): Promise<ClaimResult>;
  snooze(alertKey: string, untilMs: number, userId: string, now: number): Promise<ClaimResult>;
  /** Open (unresolved) alerts, most urgent first (earliest expiry; unknown dates last). */
  listOpen(query?: OpenAlertQuery): Promise<{ total: number; records: AlertRecord[] }>;
  /**
   * One window of the open set (`offset`, `limit`, most urgent first), keeping only the alerts whose last
   * notification (first sighting, if never notified) is at or before `cutoff`: reminder candidates.
   * `scanned` is how many open alerts the window covered; fewer than `limit` means it was the last.
   */
  listQuiet(query: { cutoff: number; offset: number; limit: number }): Promise<{
    scanned: number;
    records: AlertRecord[];
  }>;
  /** Open alerts counted by stage and by product line, for App Home and metrics. */
  counts(): Promise<{ byStage: Record<string, number>; byProduct: Record<string, number>; total: number }>;
  /** Finds the open or recently resolved alert of an SN across product lines. */
  findBySn(productNo: string): Promise<AlertRecord | null>;
}

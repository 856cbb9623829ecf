import { portalLink } from '../alerts/render.js';
import { isValidTime } from '../alerts/slack-date.js';
import type { Instance } from '../yeastar/types.js';

/**
 * What one instance contributes to the renewal forecast: its plan and each of its services that has an
 * expiry date, one item each. Pure: the product line's name and the portal's base URL come in.
 */

export type ForecastItemKind = 'plan' | 'service';

export type ForecastItem = {
  /** The SN (`productNo`). */
  sn: string;
  productId: string;
  productLine: string;
  /** End user company, else the SN's customer e-mail, else `UNKNOWN_CUSTOMER`. */
  customer: string;
  /** Plan or service name; "Unnamed plan"/"Unnamed service" as the alert rules say it. */
  name: string;
  kind: ForecastItemKind;
  /** Epoch ms. */
  expiresAt: number;
  autoRenew: boolean;
  portalUrl: string;
};

export type InstanceForecast = {
  customer: string;
  items: ForecastItem[];
  /** Plans and services with no usable expiry date: left out of the list, counted in the summary. */
  undated: number;
};

/** Shown (and exported) when the API names neither the end user's company nor a customer e-mail. */
export const UNKNOWN_CUSTOMER = '(no customer name)';
export const UNNAMED_PLAN = 'Unnamed plan';
export const UNNAMED_SERVICE = 'Unnamed service';

function present(text: string | null | undefined): text is string {
  return typeof text === 'string' && text.trim() !== '';
}

export function customerOf(instance: Instance): string {
  const company = instance.endUserInfo?.companyName;
  if (present(company)) return company;
  return present(instance.customerEmail) ? instance.customerEmail : UNKNOWN_CUSTOMER;
}

/** A date outside what Date can represent counts as no date at all, as in the alert rules. */
function usableDate(at: number | null): number | null {
  return at !== null && isValidTime(at) ? at : null;
}

/**
 * The plan as the alert rules see it: a switching plan is reported under its current plan's name and
 * end, so the forecast and the alert name the same thing.
 */
function planFacts(instance: Instance): { name: string; expiresAt: number | null } {
  if (instance.planStatus === 'switching') {
    return {
      name: instance.currentPlan ?? instance.planName ?? UNNAMED_PLAN,
      expiresAt: instance.currentPlanExpireDate ?? instance.planExpireDate,
    };
  }
  return { name: instance.planName ?? UNNAMED_PLAN, expiresAt: instance.planExpireDate };
}

/**
 * The instance's forecast items. Auto-renewal counts as on only when the API says so (`true`): an absent
 * or null flag is "off", because a renewal counted as automatic when nobody knows is one nobody calls
 * about, while a needless call costs little. The alert rules read the flag the same way.
 */
export function forecastItemsOf(
  instance: Instance,
  productLine: string,
  portalUrl: string,
): InstanceForecast {
  const customer = customerOf(instance);
  const link = portalLink(portalUrl, instance.productId, instance.productNo);
  const item = (
    name: string,
    kind: ForecastItemKind,
    expiresAt: number,
    autoRenew: boolean,
  ): ForecastItem => ({
    // Spelled out, not spread: one object shape for every item. The scan makes one per plan and
    // service of every instance (hundreds of thousands a cycle), and spreads cost several times more.
    sn: instance.productNo,
    productId: instance.productId,
    productLine,
    customer,
    name,
    kind,
    expiresAt,
    autoRenew,
    portalUrl: link,
  });
  const items: ForecastItem[] = [];
  let undated = 0;
  const plan = planFacts(instance);
  const planExpiry = usableDate(plan.expiresAt);
  if (planExpiry === null) undated += 1;
  else items.push(item(plan.name, 'plan', planExpiry, instance.planAutoRenewal === true));
  for (const service of instance.serviceList) {
    const expiresAt = usableDate(service.serviceExpireDate);
    if (expiresAt === null) undated += 1;
    else {
      items.push(
        item(
          service.serviceName ?? UNNAMED_SERVICE,
          'service',
          expiresAt,
          service.serviceAutoRenewal === true,
        ),
      );
    }
  }
  return { customer, items, undated };
}

export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The forecast's order: by expiry, then SN, product ID, plan before services, then name. */
export function compareItems(a: ForecastItem, b: ForecastItem): number {
  return (
    a.expiresAt - b.expiresAt ||
    compareText(a.sn, b.sn) ||
    compareText(a.productId, b.productId) ||
    (a.kind === b.kind ? 0 : a.kind === 'plan' ? -1 : 1) ||
    compareText(a.name, b.name)
  );
}

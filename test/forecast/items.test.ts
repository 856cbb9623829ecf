import { describe, expect, it } from 'vitest';
import { portalLink } from '../../src/alerts/render.js';
import { forecastItemsOf, UNKNOWN_CUSTOMER } from '../../src/forecast/items.js';
import { DAY, instance, NOW, service } from '../alerts/rules-fixtures.js';

const PORTAL = 'https://partner.yeastar.com/';
const LINE = 'P-Series Cloud Edition';

describe('forecastItemsOf', () => {
  it('gives the plan and each dated service, with everything a row shows', () => {
    const subject = instance({
      planAutoRenewal: true,
      serviceList: [
        service({
          serviceName: 'Recording Minutes',
          serviceExpireDate: NOW + 5 * DAY,
          serviceAutoRenewal: true,
        }),
        service({ serviceName: null, serviceExpireDate: NOW + 6 * DAY, serviceAutoRenewal: false }),
      ],
    });
    const { items, undated, customer } = forecastItemsOf(subject, LINE, PORTAL);
    expect(customer).toBe('PCE Customer Test Company');
    expect(undated).toBe(0);
    const common = {
      sn: '3658B4311196UZ4A',
      productId: '13',
      productLine: LINE,
      customer: 'PCE Customer Test Company',
      portalUrl: portalLink(PORTAL, '13', '3658B4311196UZ4A'),
    };
    expect(items).toEqual([
      { ...common, name: 'Ultimate Plan', kind: 'plan', expiresAt: NOW + 200 * DAY, autoRenew: true },
      { ...common, name: 'Recording Minutes', kind: 'service', expiresAt: NOW + 5 * DAY, autoRenew: true },
      { ...common, name: 'Unnamed service', kind: 'service', expiresAt: NOW + 6 * DAY, autoRenew: false },
    ]);
    expect(items[0]!.portalUrl).toBe('https://partner.yeastar.com/?productId=13&productNo=3658B4311196UZ4A');
  });

  it('leaves out and counts a plan or service without a usable expiry date', () => {
    const subject = instance({
      planExpireDate: null,
      serviceList: [
        service({ serviceExpireDate: null }),
        service({ serviceExpireDate: 9e15 }), // beyond what Date can hold: no date at all
        service({ serviceExpireDate: NOW + DAY }),
      ],
    });
    const { items, undated } = forecastItemsOf(subject, LINE, PORTAL);
    expect(items.map((i) => [i.kind, i.expiresAt])).toEqual([['service', NOW + DAY]]);
    expect(undated).toBe(3);
  });

  it('reads an absent or null auto-renewal flag as off', () => {
    const subject = instance({
      planAutoRenewal: null,
      serviceList: [service({ serviceAutoRenewal: null })],
    });
    expect(forecastItemsOf(subject, LINE, PORTAL).items.map((i) => i.autoRenew)).toEqual([false, false]);
  });

  it.each([
    [
      'the end user company',
      { companyName: 'Harbor Hotel', email: 'x@y' },
      'billing@x.example',
      'Harbor Hotel',
    ],
    [
      'the customer e-mail when no company',
      { companyName: null, email: 'x@y' },
      'billing@x.example',
      'billing@x.example',
    ],
    [
      'the customer e-mail when the company is blank',
      { companyName: '  ', email: null },
      'billing@x.example',
      'billing@x.example',
    ],
    ['a placeholder when neither', { companyName: null, email: 'x@y' }, null, UNKNOWN_CUSTOMER],
  ])('names the customer by %s', (_, user, customerEmail, expected) => {
    const subject = instance({
      customerEmail,
      endUserInfo: { address: null, contactName: null, ...user },
    });
    expect(forecastItemsOf(subject, LINE, PORTAL).items[0]!.customer).toBe(expected);
  });

  it('names the customer without any end user record', () => {
    const subject = instance({ endUserInfo: null, customerEmail: null });
    expect(forecastItemsOf(subject, LINE, PORTAL).customer).toBe(UNKNOWN_CUSTOMER);
  });

  it('names an unnamed plan as the alerts do, and a switching plan by its current plan and end', () => {
    expect(forecastItemsOf(instance({ planName: null }), LINE, PORTAL).items[0]!.name).toBe('Unnamed plan');
    const switching = instance({
      planStatus: 'switching',
      planName: 'Enterprise Plan',
      planExpireDate: NOW + 30 * DAY,
      currentPlan: 'Standard Plan',
      currentPlanExpireDate: NOW + 20 * DAY,
    });
    const [plan] = forecastItemsOf(switching, LINE, PORTAL).items;
    expect([plan!.name, plan!.expiresAt]).toEqual(['Standard Plan', NOW + 20 * DAY]);
  });
});

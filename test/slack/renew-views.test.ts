import { describe, expect, it } from 'vitest';
import { validateMessage } from '../../src/alerts/block-limits.js';
import { renderAlert } from '../../src/alerts/render.js';
import { renewButtons, renewLine } from '../../src/alerts/render-renew.js';
import type { Finding } from '../../src/alerts/types.js';
import { loadConfig } from '../../src/config.js';
import { buildOrderRequest } from '../../src/renew/order-request.js';
import { renewEarlyAck } from '../../src/slack/renew/ack.js';
import { FIELDS, readSubmission } from '../../src/slack/renew/views.js';
import type { Instance } from '../../src/yeastar/types.js';
import { evaluation, NOW } from '../alerts/state-fixtures.js';

/** A fixture alert with one expiring plan finding (the shared fixture has none). */
function expiring(n: number, stage: '7d' | 'expired') {
  const e = evaluation(n, stage);
  const finding: Finding = {
    kind: stage === 'expired' ? 'expired' : 'expiring',
    subject: 'plan',
    name: 'Ultimate',
    serviceId: null,
    status: 'subscribing',
    expiresAt: e.expiresAt,
    daysLeft: stage === 'expired' ? -2 : 7,
    stage,
    severity: 'warning',
    autoRenewal: false,
    trial: false,
  };
  return { ...e, findings: [finding] };
}

const view = { portalUrl: 'https://partner.example.com', now: NOW, timeZone: 'UTC' };

describe('the renewal buttons on an alert', () => {
  it('appear only when RENEW_MODE is on, and Renew… goes while an order is live', () => {
    const e = expiring(1, '7d');
    expect(renewButtons(e, 'off', null)).toEqual([]);
    expect(renewButtons(e, undefined, null)).toEqual([]);
    const ids = (mode: 'live' | 'dry-run', order: Parameters<typeof renewButtons>[2]) =>
      renewButtons(e, mode, order).map((b) => ('action_id' in b ? b.action_id : ''));
    expect(ids('live', null)).toContain('renew_open');
    expect(ids('live', { by: 'U1', orderNo: 'SO1', status: 'pending' })).not.toContain('renew_open');
    expect(ids('live', { by: 'U1', orderNo: 'SO1', status: 'failed' })).toContain('renew_open');
    expect(renewButtons(evaluation(2, null), 'live', null)).toEqual([]);
  });

  it('says who ordered in the alert, within Slack limits', () => {
    const e = expiring(3, 'expired');
    const rendered = renderAlert({
      ...view,
      evaluation: e,
      record: {
        acknowledgedBy: null,
        acknowledgedAt: null,
        snoozedUntil: null,
        snoozedBy: null,
        resolvedAt: null,
        resolveReason: null,
      },
      renewMode: 'live',
      renewOrder: { by: 'UX', orderNo: 'SO2026', status: 'succeed' },
    });
    expect(JSON.stringify(rendered.blocks)).toContain(
      'Renewal ordered by <@UX> · order SO2026 · paid/succeeded',
    );
    expect(validateMessage(rendered)).toEqual([]);
    expect(renewLine(null)).toBeNull();
  });
});

const instance = {
  productId: '11',
  productNo: 'SN1',
  planId: '3048571999213469696',
  planName: 'Standard Plan',
  quantity: '20',
  serviceList: [
    {
      serviceId: 'S1',
      serviceName: 'Hot Standby',
      quantity: '1',
      serviceExpireDate: NOW,
      serviceAutoRenewal: false,
      serviceStatus: 'expiring',
      servicePeriod: null,
    },
    {
      serviceId: 'S2',
      serviceName: 'Once',
      quantity: '1',
      serviceExpireDate: null,
      serviceAutoRenewal: null,
      serviceStatus: null,
      servicePeriod: null,
    },
  ],
} as unknown as Instance;

describe('the order a renewal sends', () => {
  it('renews the plan and its subscribed services together, at the current quantity and cycle', () => {
    const order = buildOrderRequest(instance, {
      billingId: '1869403123456789012',
      cycles: 2,
      poNumber: ' PO-1 ',
    });
    expect(order).toMatchObject({
      operationType: 'renew_plan',
      productId: 11,
      productNo: 'SN1',
      poNumber: 'PO-1',
    });
    expect(order.serviceList).toEqual([
      expect.objectContaining({
        serviceType: 'plan',
        serviceId: '3048571999213469696',
        quantity: 20,
        multiCycle: 2,
        billingCycle: 'annually',
      }),
      expect.objectContaining({
        serviceType: 'service',
        serviceId: 'S1',
        connectionPlanId: '3048571999213469696',
        quantity: 1,
      }),
    ]);
    const servicesOnly = buildOrderRequest({ ...instance, planId: null }, { billingId: '1', cycles: 1 });
    expect(servicesOnly.operationType).toBe('renew_service');
  });
});

describe('the submitted form', () => {
  const state = (cycles: string, po: string | null) => ({
    values: {
      [FIELDS.cycles.block]: { [FIELDS.cycles.action]: { selected_option: { value: cycles } } },
      [FIELDS.contact.block]: {
        [FIELDS.contact.action]: { selected_option: { value: '1869403123456789012' } },
      },
      [FIELDS.po.block]: { [FIELDS.po.action]: { value: po } },
    },
  });
  it('reads the choices and refuses bad ones with a message under the field', () => {
    expect(readSubmission(state('2', ' PO-9 '))).toEqual({
      cycles: 2,
      billingId: '1869403123456789012',
      poNumber: 'PO-9',
    });
    expect(readSubmission(state('9', null))).toEqual({ error: { renew_cycles: expect.any(String) } });
    expect(readSubmission(state('1', 'x'.repeat(51)))).toEqual({ error: { renew_po: expect.any(String) } });
  });
  it('is answered within the ack: errors, or the modal turned into "placing"; nothing when off', () => {
    const live = loadConfig({ RENEW_MODE: 'live' });
    const body = (s: unknown) => ({
      type: 'view_submission',
      view: { callback_id: 'renew_confirm', state: s },
    });
    expect(renewEarlyAck(live, body(state('1', null)))).toMatchObject({ response_action: 'update' });
    expect(renewEarlyAck(live, body(state('0', null)))).toMatchObject({ response_action: 'errors' });
    expect(renewEarlyAck(loadConfig({}), body(state('1', null)))).toBeUndefined();
    expect(renewEarlyAck(live, { type: 'block_actions' })).toBeUndefined();
  });
  it('RENEW_MODE accepts off, dry-run and live only', () => {
    expect(loadConfig({}).renew.mode).toBe('off');
    expect(() => loadConfig({ RENEW_MODE: 'yes' })).toThrow(/RENEW_MODE/);
  });
});

describe('yeastar_renew_orders_total', () => {
  it('counts each attempt by result', async () => {
    const { createMetrics } = await import('../../src/ops/metrics.js');
    const metrics = createMetrics();
    metrics.renewOrder('placed');
    metrics.renewOrder('placed');
    metrics.renewOrder('refused');
    const { body } = await metrics.render();
    expect(body).toContain('yeastar_renew_orders_total{result="placed"} 2');
    expect(body).toContain('yeastar_renew_orders_total{result="refused"} 1');
  });
});

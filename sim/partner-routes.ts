import { envelope, invalidParameter, notFound, ok, okBytes, productNotFound, wire } from './answers.js';
import { catalogLine } from './catalog.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './list-pages.js';
import { addOnInfo, planInfo, purchaseProductInfo } from './pricing.js';
import { instanceParams, param, parseForm, positiveInt, type SimRoute } from './route.js';

/** The Partner API's documented endpoints (the token, the product lines, instances, renewal info). */

export const PATHS = {
  token: '/auth/openapi/v1/oauth/token',
  productList: '/pricing/openapi/purchase/v1/product_list',
  instanceList: '/product/openapi/instance_product/v1/client/instance_product_list',
  detail: '/product/openapi/instance_product/v1/detail',
  purchaseInfo: '/pricing/openapi/purchase/v1/purchase_product_info',
  addOnInfo: '/pricing/openapi/purchase/v1/renew/add_on_info/{pricingServiceId}',
  planInfo: '/pricing/openapi/purchase/v1/renew/plan_info/{pricingPlanId}',
  activationCode: '/product/openapi/instance_product/v1/activation_code',
} as const;

const token: SimRoute = {
  method: 'POST',
  template: PATHS.token,
  pattern: /^\/auth\/openapi\/v1\/oauth\/token$/,
  authenticated: false,
  run({ url, body, contentType }, { tokens }) {
    const form = { ...Object.fromEntries(url.searchParams), ...parseForm(body, contentType) };
    const grantType = form['grant_type'];
    if (!grantType) return invalidParameter('grant_type', 'is required');
    if (grantType === 'pp_credentials') {
      const grant = tokens.issueForCredentials(form['client_id'], form['client_secret']);
      return grant ? ok(grant) : envelope(400, 'invalid_client', 'client_id or client_secret is wrong', null);
    }
    if (grantType === 'refresh_token') {
      const refreshToken = form['refresh_token'];
      if (!refreshToken) return invalidParameter('refresh_token', 'is required');
      const grant = tokens.refresh(refreshToken);
      return grant
        ? ok(grant)
        : envelope(400, 'invalid_refresh_token', 'The refresh token is invalid, expired or spent', null);
    }
    return envelope(
      400,
      'unsupported_grant_type',
      'grant_type must be pp_credentials or refresh_token',
      null,
    );
  },
};

const productList: SimRoute = {
  method: 'GET',
  template: PATHS.productList,
  pattern: /^\/pricing\/openapi\/purchase\/v1\/product_list$/,
  authenticated: true,
  run: (_req, { dataset }) => ok(dataset.productLines()),
};

const instanceList: SimRoute = {
  method: 'GET',
  template: PATHS.instanceList,
  pattern: /^\/product\/openapi\/instance_product\/v1\/client\/instance_product_list$/,
  authenticated: true,
  run({ url }, { pages }) {
    const productId = param(url, 'productId');
    if (productId === undefined) return invalidParameter('productId', 'is required');
    if (!/^\d+$/.test(productId)) return invalidParameter('productId', 'must be an integer');
    const pageNo = positiveInt(url, 'pageNo', 1);
    if (typeof pageNo !== 'number') return pageNo;
    const asked = positiveInt(url, 'pageSize', DEFAULT_PAGE_SIZE);
    if (typeof asked !== 'number') return asked;
    return okBytes(pages.page(productId, pageNo, Math.min(asked, MAX_PAGE_SIZE)));
  },
};

const detail: SimRoute = {
  method: 'GET',
  template: PATHS.detail,
  pattern: /^\/product\/openapi\/instance_product\/v1\/detail$/,
  authenticated: true,
  run({ url }, { dataset }) {
    const query = instanceParams(url);
    if ('status' in query) return query;
    const served = dataset.find(query.productId, query.productNo);
    return served ? ok(wire(served)) : productNotFound();
  },
};

const purchaseInfo: SimRoute = {
  method: 'GET',
  template: PATHS.purchaseInfo,
  pattern: /^\/pricing\/openapi\/purchase\/v1\/purchase_product_info$/,
  authenticated: true,
  run({ url }, { dataset, generator }) {
    const productId = param(url, 'productId');
    if (productId === undefined) return invalidParameter('productId', 'is required');
    const line = catalogLine(productId);
    if (!line) return invalidParameter('productId', 'is not a product you are authorized to subscribe to');
    const productNo = param(url, 'productNo');
    if (productNo === undefined) {
      return line.productId === 9 || line.productId === 11
        ? invalidParameter('productNo', 'is required for this product')
        : ok(purchaseProductInfo(line, undefined));
    }
    const served = dataset.find(productId, productNo);
    if (!served) return productNotFound();
    return ok(
      purchaseProductInfo(line, {
        planId: served.record.planId,
        serviceIds: (served.record.serviceList ?? []).map((s) => s.serviceId),
        planRenewable: served.index === undefined || generator.isRenewable(served.index),
      }),
    );
  },
};

const addOnRenewal: SimRoute = {
  method: 'GET',
  template: PATHS.addOnInfo,
  pattern: /^\/pricing\/openapi\/purchase\/v1\/renew\/add_on_info\/([^/]+)$/,
  authenticated: true,
  run({ url, params }, { dataset }) {
    const query = instanceParams(url);
    if ('status' in query) return query;
    const line = catalogLine(query.productId);
    const service = line?.services.find((s) => String(s.pricingServiceId) === params[0]);
    if (!line || !service) return notFound('service_not_found', 'The service is not available for renewal');
    if (!dataset.find(query.productId, query.productNo)) return productNotFound();
    return ok(addOnInfo(line, service));
  },
};

const planRenewal: SimRoute = {
  method: 'GET',
  template: PATHS.planInfo,
  pattern: /^\/pricing\/openapi\/purchase\/v1\/renew\/plan_info\/([^/]+)$/,
  authenticated: true,
  run({ url, params }, { dataset }) {
    const query = instanceParams(url);
    if ('status' in query) return query;
    const line = catalogLine(query.productId);
    const info = line && /^\d+$/.test(params[0] ?? '') ? planInfo(line, Number(params[0])) : undefined;
    if (!info) return notFound('plan_not_found', 'The plan is not available for renewal');
    if (!dataset.find(query.productId, query.productNo)) return productNotFound();
    return ok(info);
  },
};

const activationCode: SimRoute = {
  method: 'GET',
  template: PATHS.activationCode,
  pattern: /^\/product\/openapi\/instance_product\/v1\/activation_code$/,
  authenticated: true,
  run({ url }, { dataset, generator }) {
    const query = instanceParams(url);
    if ('status' in query) return query;
    if (query.productId !== '12') {
      return invalidParameter('productId', 'must be 12 (P-Series Software Edition)');
    }
    const served = dataset.find(query.productId, query.productNo);
    if (!served || served.index === undefined) return productNotFound();
    return ok(generator.activationCodeOf(served.index));
  },
};

export const PARTNER_ROUTES: readonly SimRoute[] = [
  token,
  productList,
  instanceList,
  detail,
  purchaseInfo,
  addOnRenewal,
  planRenewal,
  activationCode,
];

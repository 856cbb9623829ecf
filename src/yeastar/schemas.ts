/**
 * The boundary between the API's JSON (already through `parseJsonSafe`) and our types (`types.ts`):
 * one zod description per record, in `schemas/`, one file per record family. A value of the wrong type
 * is an error naming the field and the problem, never quoting the value; a bad instance record is
 * skipped with its reason and the rest of its page kept.
 */
export { parseActivationCode } from './schemas/activation.js';
export { type Envelope, parseEnvelope, parseTokenResult, type TokenResult } from './schemas/envelope.js';
export { parseInstance, parseInstancePage } from './schemas/instances.js';
export { parseProductLines } from './schemas/product-lines.js';
export { parsePurchaseProductInfo } from './schemas/purchase.js';
export { parsePlanRenewalInfo, parseServiceRenewalInfo } from './schemas/renewal.js';
export { SchemaError } from './schemas/schema-error.js';

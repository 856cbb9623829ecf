import type { ActivationCode } from '../types.js';
import { epochMs, object, requiredText } from './fields.js';
import { parseWith } from './schema-error.js';

// The code is a secret: its messages, like every field's, say what kind of value came, never which.
const activationCodeSchema = object({ code: requiredText, generateTime: epochMs });

/** `activation_code`: a Software Edition instance's online activation code. */
export function parseActivationCode(raw: unknown): ActivationCode {
  return parseWith(activationCodeSchema, raw, 'result');
}

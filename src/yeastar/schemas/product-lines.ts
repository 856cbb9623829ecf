import { z } from 'zod';
import { KNOWN_PRODUCT_LINES, type ProductLine, type SkippedRecord } from '../types.js';
import { list, object, requiredId, text } from './fields.js';
import { firstIssue, parseWith } from './schema-error.js';

const productLineSchema = object({ name: text, productId: requiredId });

/** Product lines; an entry without a productId is skipped (and reported) rather than failing the list. */
export function parseProductLines(raw: unknown): { productLines: ProductLine[]; skipped: SkippedRecord[] } {
  const entries = parseWith(list(z.unknown()), raw, 'result');
  const productLines: ProductLine[] = [];
  const skipped: SkippedRecord[] = [];
  entries.forEach((entry, index) => {
    const parsed = productLineSchema.safeParse(entry);
    if (!parsed.success) {
      skipped.push({ index, productNo: null, ...firstIssue(parsed.error) });
      return;
    }
    const { productId, name } = parsed.data;
    productLines.push({ productId, name: name ?? KNOWN_PRODUCT_LINES[productId] ?? `Product ${productId}` });
  });
  return { productLines, skipped };
}

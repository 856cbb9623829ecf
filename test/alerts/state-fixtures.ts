import type { Evaluation, Severity, Stage } from '../../src/alerts/types.js';

/** Evaluations built by hand for the state tests, independent of the rules. */

export const DAY = 86_400_000;
export const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);

const SEVERITY: Record<string, Severity> = {
  expired: 'critical',
  '1d': 'critical',
  '3d': 'high',
  '7d': 'high',
};

export type EvaluationOptions = {
  productId?: string;
  digest?: string;
  /** Epoch ms; defaults to a date matching the stage; null for "date unknown". */
  expiresAt?: number | null;
};

export function serial(n: number): string {
  return `SN${String(n).padStart(6, '0')}`;
}

export function evaluation(n: number, stage: Stage | null, options: EvaluationOptions = {}): Evaluation {
  const productId = options.productId ?? '13';
  const productNo = serial(n);
  const days =
    stage === null || stage === 'switching' ? 60 : stage === 'expired' ? -2 : Number(stage.slice(0, -1));
  const expiresAt = options.expiresAt === undefined ? NOW + days * DAY : options.expiresAt;
  return {
    alertKey: `${productId}:${productNo}`,
    subject: {
      alertKey: `${productId}:${productNo}`,
      productId,
      productName: `Product ${productId}`,
      productNo,
      planName: 'Ultimate',
      planStatus: 'subscribing',
      planExpireDate: expiresAt,
      planAutoRenewal: false,
      companyName: 'Example Co',
      contactName: 'Ann Example',
      email: 'ann@example.com',
      url: null,
    },
    stage,
    severity: stage === null ? null : (SEVERITY[stage] ?? 'warning'),
    findings: [],
    digest: options.digest ?? `${stage ?? 'healthy'}|${expiresAt ?? 'unknown'}`,
    expiresAt: stage === null ? null : expiresAt,
  };
}

export function page(
  from: number,
  count: number,
  stage: Stage | null,
  options?: EvaluationOptions,
): Evaluation[] {
  return Array.from({ length: count }, (_, i) => evaluation(from + i, stage, options));
}

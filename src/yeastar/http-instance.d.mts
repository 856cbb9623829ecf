import type { Got } from 'got';

/** See http-instance.mjs. */
export function createHttp(options: { baseUrl: string; userAgent: string; timeoutMs: number }): Got;

/** See limiter.mjs. */
export type Limiter = {
  /** `urgent` tasks wait ahead of the others (each kind in arrival order). */
  run<T>(task: () => Promise<T>, urgent?: boolean): Promise<T>;
  readonly active: number;
  readonly waiting: number;
};

export function createLimiter(max: number): Limiter;

/** See limiter.mjs. */
export type Limiter = {
  /** `urgent` tasks wait ahead of the others (each kind in arrival order). */
  run<T>(task: () => Promise<T>, urgent?: boolean): Promise<T>;
  readonly active: number;
  readonly waiting: number;
  /**
   * Slot-milliseconds no task held since the limiter was made (each free slot counts its own time):
   * divided by `max`, how long the whole concurrency was left unused.
   */
  idleMs(): number;
};

export function createLimiter(max: number, now?: () => number): Limiter;

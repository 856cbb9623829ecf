/**
 * The key that says the alert index is in Redis: set once it was built (or rebuilt from Slack, rebuild.ts),
 * without a lifetime, so it goes only with the data it vouches for. Its absence means Redis lost its data.
 */
export function indexMarker(prefix: string): string {
  return `${prefix}:alerts:indexed`;
}

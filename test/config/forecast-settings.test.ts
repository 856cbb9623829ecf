import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

describe('renewal forecast settings', () => {
  it('default to 90 days, Monday 08:00 and the alert channel', () => {
    const config = loadConfig({ SLACK_ALERT_CHANNEL: 'CALERTS' });
    expect(config.forecast).toEqual({ days: 90, cron: '0 8 * * 1', channel: 'CALERTS' });
  });

  it('take an empty FORECAST_CRON as "never" and a channel of their own', () => {
    const config = loadConfig({
      SLACK_ALERT_CHANNEL: 'CALERTS',
      SLACK_FORECAST_CHANNEL: 'CFORECAST',
      FORECAST_CRON: '',
      FORECAST_DAYS: '30',
    });
    expect(config.forecast).toEqual({ days: 30, cron: undefined, channel: 'CFORECAST' });
  });

  it.each([
    ['FORECAST_DAYS', '0'],
    ['FORECAST_DAYS', '366'],
    ['FORECAST_DAYS', 'ninety'],
    ['FORECAST_CRON', 'mondays'],
    ['FORECAST_CRON', '0 25 * * 1'],
    ['SLACK_FORECAST_CHANNEL', '#renewals'],
  ])('refuse %s=%s with a line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid setting ${name}: expected`));
  });
});

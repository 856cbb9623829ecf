import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one Redis server (each with its own key prefix) and bind local ports;
    // two cores do not gain from more than two workers.
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // a real Kafka broker for test/kafka (started unless one is running)
    globalSetup: ['test/support/kafkaSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
